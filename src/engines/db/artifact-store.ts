import { newId, type IdType } from '../../core/ids';

/** Ids of stored blobs read `art_<ULID>`. */
export const Artifact: IdType = { idPrefix: 'art' };
import type { Database } from './database';

/** A column (of a module's table) that holds artifact ids: what keeps an artifact from being swept. */
export interface ArtifactReference {
  table: string;
  column: string;
}

const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

/** One stored piece of an artifact: `itemCount` items (rows, or bytes) starting at `firstItem`. */
export interface ArtifactChunk {
  seq: number;
  firstItem: number;
  itemCount: number;
  data: Buffer;
}

/** What an artifact holds once written. */
export interface ArtifactInfo {
  id: string;
  byteSize: number;
  chunkCount: number;
  itemCount: number;
}

/**
 * Blobs (dataset rows, model weights) as chunks in the database, so every instance and worker
 * reads them without a shared disk. Chunks are written outside any long transaction; an artifact
 * is only meaningful once a committed row references it, and `deleteOrphans` removes the rest.
 */
export class ArtifactStore {
  constructor(private readonly db: Database) {}

  /** Starts a new artifact; write chunks to it, then reference its id in a transaction. */
  async create(kind: string): Promise<ArtifactWriter> {
    const id = newId(Artifact);
    await this.db.write(
      'INSERT INTO artifact (id, kind, byte_size, chunk_count, item_count, created_at) VALUES (?, ?, 0, 0, 0, ?)',
      [id, kind, this.db.sqlDate(new Date())],
    );
    return new ArtifactWriter(this.db, id);
  }

  /** The chunk holding item `item`, or null past the end. */
  async chunkAt(artifactId: string, item: number): Promise<ArtifactChunk | null> {
    const rows = await this.db.dataSource.query(
      'SELECT seq, first_item, item_count, data FROM artifact_chunk WHERE artifact_id = ? AND first_item <= ? ORDER BY first_item DESC LIMIT 1',
      [artifactId, item],
    );
    const chunk = rows[0] ? toChunk(rows[0]) : null;
    return chunk && item < chunk.firstItem + chunk.itemCount ? chunk : null;
  }

  /** Every chunk in order, fetched a few at a time so memory stays flat. */
  async *chunks(artifactId: string, batch = 4): AsyncGenerator<ArtifactChunk> {
    for (let seq = 0; ; seq += batch) {
      const rows = await this.db.dataSource.query(
        'SELECT seq, first_item, item_count, data FROM artifact_chunk WHERE artifact_id = ? AND seq >= ? AND seq < ? ORDER BY seq',
        [artifactId, seq, seq + batch],
      );
      for (const row of rows) yield toChunk(row);
      if (rows.length < batch) return;
    }
  }

  async delete(artifactId: string): Promise<void> {
    await this.db.write('DELETE FROM artifact_chunk WHERE artifact_id = ?', [artifactId]);
    await this.db.write('DELETE FROM artifact WHERE id = ?', [artifactId]);
  }

  /**
   * Deletes artifacts older than `olderThanMs` that no `references` column names: leftovers of
   * writes that failed or whose process died. The age guard keeps another instance's write in
   * progress safe. The columns come from the modules that own them (never from input).
   */
  async deleteOrphans(references: readonly ArtifactReference[], olderThanMs = 60 * 60 * 1000): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs);
    const notReferenced = references.map(({ table, column }) => {
      if (!SQL_NAME.test(table) || !SQL_NAME.test(column)) throw new Error(`not a column name: ${table}.${column}`);
      return `AND NOT EXISTS (SELECT 1 FROM ${table} r WHERE r.${column} = a.id)`;
    });
    const orphans: { id: string }[] = await this.db.dataSource.query(
      `SELECT a.id FROM artifact a WHERE a.created_at < ? ${notReferenced.join(' ')}`,
      [this.db.sqlDate(cutoff)],
    );
    for (const { id } of orphans) await this.delete(id);
    return orphans.length;
  }
}

/** Appends chunks to one artifact, in order. */
export class ArtifactWriter {
  private seq = 0;
  private items = 0;
  private bytes = 0;

  constructor(private readonly db: Database, readonly id: string) {}

  async append(data: Buffer, itemCount: number): Promise<void> {
    await this.db.write(
      'INSERT INTO artifact_chunk (artifact_id, seq, first_item, item_count, data) VALUES (?, ?, ?, ?, ?)',
      [this.id, this.seq, this.items, itemCount, data],
    );
    this.seq++;
    this.items += itemCount;
    this.bytes += data.length;
  }

  /** Copies every chunk of `sourceId` into this artifact inside the database (no round trip of the data). */
  async copyFrom(sourceId: string): Promise<void> {
    const [stats] = await this.db.dataSource.query(
      'SELECT COUNT(*) AS chunks, COALESCE(SUM(item_count), 0) AS items, COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM artifact_chunk WHERE artifact_id = ?',
      [sourceId],
    );
    await this.db.write(
      `INSERT INTO artifact_chunk (artifact_id, seq, first_item, item_count, data)
       SELECT ?, seq + ?, first_item + ?, item_count, data FROM artifact_chunk WHERE artifact_id = ? ORDER BY seq`,
      [this.id, this.seq, this.items, sourceId],
    );
    this.seq += Number(stats.chunks);
    this.items += Number(stats.items);
    this.bytes += Number(stats.bytes);
  }

  /** Records the totals; call before referencing the artifact. */
  async finish(): Promise<ArtifactInfo> {
    await this.db.write('UPDATE artifact SET byte_size = ?, chunk_count = ?, item_count = ? WHERE id = ?', [
      this.bytes, this.seq, this.items, this.id,
    ]);
    return { id: this.id, byteSize: this.bytes, chunkCount: this.seq, itemCount: this.items };
  }
}

function toChunk(row: { seq: number; first_item: number | string; item_count: number; data: Buffer }): ArtifactChunk {
  return { seq: Number(row.seq), firstItem: Number(row.first_item), itemCount: Number(row.item_count), data: row.data };
}
