import type { ValueTransformer } from 'typeorm';

/** Stores a value as JSON text; the same on SQLite and MySQL (whose JSON type SQLite lacks). */
export const jsonTransformer: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value)),
  from: (value: string | null) => (value == null ? value : JSON.parse(value)),
};

/** MySQL returns BIGINT as a string; every count here fits a double exactly. */
export const bigintTransformer: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string | number | null) => (value == null ? value : Number(value)),
};
