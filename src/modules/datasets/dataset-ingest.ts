import { ColumnProfiler, InvalidValueError, type ColumnProfile } from './column-profiler';
import { CsvFormatError, openCsv, type CsvSource } from './csv-reader';
import { decodeRows, RowChunkWriter, type RawRow } from './row-chunks';
import type { ArtifactStore, ArtifactWriter } from '../../engines/db/artifact-store';
import type { ColumnType } from '../../ml/value-parsers';
import { quoted } from '../../core/names';
import { badInput } from '../../core/errors';

/** What ingesting rows produced: the columns with their statistics, and the row count. */
export interface IngestResult {
  columns: ColumnProfile[];
  rowCount: number;
}

/** Streams a CSV into an artifact, inferring each column's type and statistics in the same pass. */
export async function ingestCsv(source: CsvSource, writer: ArtifactWriter, maxColumns?: number, columnTypes: ReadonlyMap<string, ColumnType> = new Map()): Promise<IngestResult> {
  const { header, batches } = await openCsvOrFail(source, maxColumns);
  const unknown = [...columnTypes.keys()].filter((name) => !header.includes(name));
  if (unknown.length) throw badInput(`columnTypes names ${unknown.map((n) => quoted(n)).join(', ')}, not in the header (${header.slice(0, 20).map((n) => quoted(n)).join(', ')}${header.length > 20 ? ', …' : ''})`, { field: 'input.columnTypes', columns: unknown.slice(0, 20) });
  // A type the caller set is checked on every value; the others are inferred.
  const profilers = header.map((name) => new ColumnProfiler(name, { fixedType: columnTypes.get(name) }));
  const chunks = new RowChunkWriter(writer);
  try {
    for await (const batch of batches) {
      profileRows(profilers, batch.rows, batch.lines);
      await chunks.write(batch.rows);
    }
  } catch (error) {
    throw asUserError(error);
  }
  return { columns: profilers.map((p) => p.finish()), rowCount: chunks.rowCount };
}

/** The schema an appended row must match: the previous version's columns, in their order. */
export interface FixedSchema {
  names: string[];
  types: ColumnType[];
}

/**
 * Writes `previous`'s rows plus the new ones into `writer`, checking each new value against the
 * column types, and recomputes every column's statistics over the whole new version.
 */
export async function appendToVersion(
  artifacts: ArtifactStore,
  previousArtifactId: string,
  schema: FixedSchema,
  newRows: AsyncIterable<RowBatch> | Iterable<RowBatch>,
  writer: ArtifactWriter,
): Promise<IngestResult> {
  const profilers = schema.names.map((name, i) => new ColumnProfiler(name, { fixedType: schema.types[i] }));
  for await (const chunk of artifacts.chunks(previousArtifactId)) profileRows(profilers, decodeRows(chunk.data));
  await writer.copyFrom(previousArtifactId);
  const chunks = new RowChunkWriter(writer);
  try {
    for await (const batch of newRows) {
      profileRows(profilers, batch.rows, batch.lines);
      await chunks.write(batch.rows);
    }
  } catch (error) {
    throw asUserError(error);
  }
  if (chunks.rowCount === 0) throw badInput('no rows to append', { field: 'input' });
  return { columns: profilers.map((p) => p.finish()), rowCount: chunks.rowCount };
}

/**
 * Writes `parent`'s rows with extra columns computed chunk by chunk (a batch prediction's output),
 * profiling every column of the result. Existing columns keep their types; new ones are inferred.
 */
export async function deriveColumns(
  artifacts: ArtifactStore,
  parentArtifactId: string,
  schema: FixedSchema,
  newColumns: string[],
  extraCells: (rows: RawRow[]) => Promise<RawRow[]>,
  writer: ArtifactWriter,
): Promise<IngestResult> {
  const profilers = [...schema.names.map((name, i) => new ColumnProfiler(name, { fixedType: schema.types[i] })), ...newColumns.map((name) => new ColumnProfiler(name))];
  const chunks = new RowChunkWriter(writer);
  for await (const chunk of artifacts.chunks(parentArtifactId)) {
    const rows = decodeRows(chunk.data);
    const extra = await extraCells(rows);
    const widened = rows.map((row, i) => [...row, ...extra[i]]);
    profileRows(profilers, widened);
    await chunks.write(widened);
  }
  return { columns: profilers.map((p) => p.finish()), rowCount: chunks.rowCount };
}

/** Opens CSV text for appending and maps its columns onto the dataset's order. */
export async function csvRowsInSchemaOrder(source: CsvSource, schema: FixedSchema): Promise<AsyncIterable<RowBatch>> {
  // An appended CSV has the version's columns, so no more than those are read.
  const { header, batches, close } = await openCsvOrFail(source, schema.names.length);
  const missing = schema.names.filter((name) => !header.includes(name));
  const extra = header.filter((name) => !schema.names.includes(name));
  if (missing.length || extra.length) {
    await close();
    const parts = [missing.length ? `missing column(s) ${missing.map((m) => JSON.stringify(m)).join(', ')}` : '', extra.length ? `unknown column(s) ${extra.map((m) => JSON.stringify(m)).join(', ')}` : ''];
    throw badInput(`CSV header does not match the dataset: ${parts.filter(Boolean).join('; ')}`, { field: 'input.csv', missing, extra });
  }
  const position = schema.names.map((name) => header.indexOf(name));
  const inOrder = position.every((p, i) => p === i);
  return (async function* () {
    try {
      for await (const batch of batches) {
        yield inOrder ? batch : { lines: batch.lines, rows: batch.rows.map((row) => position.map((p) => row[p])) };
      }
    } catch (error) {
      throw asUserError(error);
    }
  })();
}

/** Converts JSON rows (objects keyed by column) to raw rows, naming the row and field of any problem. */
export function jsonRowsInSchemaOrder(rows: Record<string, unknown>[], schema: FixedSchema): RowBatch[] {
  const known = new Set(schema.names);
  const raw = rows.map((row, index) => {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) throw badInput(`rows[${index}]: unknown column ${JSON.stringify(key)}`, { field: `input.rows[${index}].${key}` });
    }
    return schema.names.map((name) => {
      if (!(name in row)) throw badInput(`rows[${index}]: missing column ${JSON.stringify(name)}`, { field: `input.rows[${index}].${name}` });
      const value = row[name];
      if (value === null) return null;
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'boolean') return String(value);
      throw badInput(`rows[${index}].${name}: ${JSON.stringify(value)} is not a string, finite number, boolean or null`, { field: `input.rows[${index}].${name}` });
    });
  });
  return [{ rows: raw }];
}

/** Rows with, for CSV, the source line each starts on (error messages name it). */
interface RowBatch {
  rows: RawRow[];
  lines?: number[];
}

function profileRows(profilers: ColumnProfiler[], rows: RawRow[], lines?: number[]): void {
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    try {
      for (let c = 0; c < profilers.length; c++) profilers[c].add(row[c]);
    } catch (error) {
      if (error instanceof InvalidValueError) {
        const where = lines ? `line ${lines[r]}` : `rows[${r}]`;
        throw badInput(`${where}, column ${quoted(error.column)}: ${quoted(String(error.value))} is not a valid ${error.expectedType}`, {
          field: error.column,
          line: lines?.[r],
        });
      }
      throw error;
    }
  }
}

async function openCsvOrFail(source: CsvSource, maxColumns?: number) {
  try {
    return await openCsv(source, { maxColumns });
  } catch (error) {
    throw asUserError(error);
  }
}

function asUserError(error: unknown): unknown {
  if (error instanceof CsvFormatError) return badInput(error.message, { line: error.line, column: error.column });
  return error;
}
