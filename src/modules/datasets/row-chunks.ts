import type { ArtifactWriter } from '../../engines/db/artifact-store';

/** A row as stored: the raw text of each cell, null for an empty one. Types apply on read. */
export type RawRow = (string | null)[];

/** Chunks stay well under MySQL's default 16 MiB max_allowed_packet. */
const MAX_CHUNK_BYTES = 2 * 1024 * 1024;

export function encodeRows(rows: RawRow[]): Buffer {
  return Buffer.from(JSON.stringify(rows));
}

export function decodeRows(data: Buffer): RawRow[] {
  return JSON.parse(data.toString('utf8'));
}

/** Writes rows to an artifact as JSON chunks, halving any chunk that would grow too large. */
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
