import type { ArtifactWriter } from '../../engines/db/artifact-store';
import { isBlank, parseNumber } from '../../ml/value-parsers';

/** A row as stored: the raw text of each cell, null for an empty one. Types apply on read. */
export type RawRow = (string | null)[];

/** Chunks stay well under MySQL's default 16 MiB max_allowed_packet. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * A chunk starts with these 4 bytes ("AMC1") when it holds typed columns beside its rows. Chunks
 * written before hold the rows' JSON alone and start with '[': both are read.
 */
const TYPED_MAGIC = 0x31434d41;
/** magic, row count, column count, JSON length: 4 bytes each. */
const HEADER_BYTES = 16;

/**
 * A chunk as stored: the rows as JSON (the raw text, which exports and non-numeric columns need),
 * then, for each column whose every cell in the chunk is a number or empty, the column as a
 * Float64Array (NaN for empty). Training reads a numeric dataset from the arrays without parsing a
 * cell (100k rows × 21: 0.06–0.23 s against 10–14 s for JSON.parse and a number parse per cell,
 * bench/scale-read.js on a loaded machine), for about 0.8× the JSON's size again in storage and
 * a slower ingest (median 1.4× in one alternating run).
 *
 * Layout: header; one byte per column (1: an array follows); the JSON; the arrays in column
 * order. The JSON and each array start at a multiple of 8 bytes.
 */
export function encodeRows(rows: RawRow[]): Buffer {
  const json = Buffer.from(JSON.stringify(rows));
  const width = rows.length ? rows[0].length : 0;
  const columns = Array.from({ length: width }, (_, c) => numberColumn(rows, c, width));
  const jsonStart = align8(HEADER_BYTES + width);
  const arraysStart = align8(jsonStart + json.length);
  const arrays = columns.filter((column) => column !== null);
  const out = Buffer.alloc(arraysStart + arrays.length * rows.length * 8);
  out.writeUInt32LE(TYPED_MAGIC, 0);
  out.writeUInt32LE(rows.length, 4);
  out.writeUInt32LE(width, 8);
  out.writeUInt32LE(json.length, 12);
  columns.forEach((column, c) => { out[HEADER_BYTES + c] = column ? 1 : 0; });
  json.copy(out, jsonStart);
  arrays.forEach((column, k) => out.set(new Uint8Array(column!.buffer, column!.byteOffset, column!.byteLength), arraysStart + k * rows.length * 8));
  return out;
}

export function decodeRows(data: Buffer): RawRow[] {
  if (!isTyped(data)) return JSON.parse(data.toString('utf8'));
  const width = data.readUInt32LE(8);
  const jsonStart = align8(HEADER_BYTES + width);
  return JSON.parse(data.toString('utf8', jsonStart, jsonStart + data.readUInt32LE(12)));
}

/**
 * The typed columns of a chunk: `numbers(c)` is column c as stored numbers (exactly
 * toTypedValue('NUMBER', cell) with NaN for null), or null when the chunk has no array for it.
 * Null for a chunk written before typed columns.
 */
export function typedColumns(data: Buffer): { count: number; numbers(column: number): Float64Array | null } | null {
  if (!isTyped(data)) return null;
  const count = data.readUInt32LE(4);
  const width = data.readUInt32LE(8);
  const arraysStart = align8(align8(HEADER_BYTES + width) + data.readUInt32LE(12));
  return {
    count,
    numbers(column) {
      if (column < 0 || column >= width || data[HEADER_BYTES + column] !== 1) return null;
      let k = 0;
      for (let c = 0; c < column; c++) k += data[HEADER_BYTES + c];
      // A copy: the database's buffer need not be 8-byte aligned, and the array outlives it.
      const start = arraysStart + k * count * 8;
      const numbers = new Float64Array(count);
      new Uint8Array(numbers.buffer).set(data.subarray(start, start + count * 8));
      return numbers;
    },
  };
}

const isTyped = (data: Buffer) => data.length >= HEADER_BYTES && data.readUInt32LE(0) === TYPED_MAGIC;
const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Column `c` as numbers when every cell parses as one or is empty (as toTypedValue('NUMBER') reads them), else null. */
function numberColumn(rows: RawRow[], c: number, width: number): Float64Array | null {
  const numbers = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== width) return null;
    const raw = row[c];
    if (raw === null || isBlank(raw)) {
      numbers[r] = NaN;
      continue;
    }
    const value = parseNumber(raw);
    if (value === null) return null;
    numbers[r] = value;
  }
  return numbers;
}

/** Writes rows to an artifact as chunks, halving any chunk that would grow too large. */
export class RowChunkWriter {
  private rows = 0;

  constructor(private readonly writer: ArtifactWriter) {}

  get rowCount(): number {
    return this.rows;
  }

  async write(rows: RawRow[]): Promise<void> {
    if (rows.length === 0) return;
    const data = encodeRows(rows);
    if (data.length > MAX_CHUNK_BYTES && rows.length > 1) {
      const half = Math.ceil(rows.length / 2);
      await this.write(rows.slice(0, half));
      await this.write(rows.slice(half));
      return;
    }
    await this.writer.append(data, rows.length);
    this.rows += rows.length;
  }
}
