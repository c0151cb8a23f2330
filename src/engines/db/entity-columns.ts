import { Column, PrimaryColumn } from 'typeorm';
import { jsonTransformer } from './json-transformer';

/**
 * The column shapes every entity repeats, defined once. They match what the migrations create
 * with column-types.ts (`id`, `ref`, `timestamp`, `text`), so an entity and its migration agree
 * by construction; the migrations test checks that they do.
 */
interface Nullable {
  nullable?: boolean;
}

/** The primary key: an opaque `<prefix>_<ULID>` id. */
export const IdColumn = (): PropertyDecorator => PrimaryColumn({ type: 'varchar', length: 40 });

/** The id of another object (`model_id`, `created_by`…). */
export const RefColumn = (name: string, { nullable = false }: Nullable = {}): PropertyDecorator =>
  Column({ name, type: 'varchar', length: 40, nullable });

/** A point in time (`created_at`, `finished_at`…); UTC, milliseconds on MySQL. */
export const TimeColumn = (name: string, { nullable = false }: Nullable = {}): PropertyDecorator =>
  Column({ name, type: 'datetime', nullable });

/** A JSON document in a text column, parsed on read. */
export const JsonColumn = ({ name, nullable = false }: Nullable & { name?: string } = {}): PropertyDecorator =>
  Column({ ...(name ? { name } : {}), type: 'text', nullable, transformer: jsonTransformer });
