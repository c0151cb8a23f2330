import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from './fixtures';

/** Reads a fixture dataset (test/fixtures/data) as text. */
export function readDataset(file: string): string {
  return readFileSync(path.join(DATA_DIR, file), 'utf8');
}

/** Independent of the server's parser: a plain split, fine for these unquoted numeric files. */
export function numericColumn(csv: string, column: string): number[] {
  const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const index = lines[0].split(',').indexOf(column);
  if (index < 0) throw new Error(`no column ${column}`);
  return lines.slice(1).map((line) => Number(line.split(',')[index]));
}

export function stats(values: number[]) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { n, mean, std, min: Math.min(...values), max: Math.max(...values), distinct: new Set(values).size };
}
