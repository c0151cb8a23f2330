import { LRUCache } from 'lru-cache';
import type { ArtifactStore } from '../../engines/db/artifact-store';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageArgs } from '../../engines/db/pagination';
import { decodeRows, typedColumns, type RawRow } from './row-chunks';
import { toTypedValue } from '../../ml/value-parsers';
import type { DatasetVersion } from './dataset-version.entity';
import type { DatasetRow } from './dataset-row.type';
import type { RowColumns, RowStream } from '../../engines/trainer/protocol';

/**
 * Pages through the rows of a dataset version. Versions are immutable, so decoded chunks can be
 * cached without invalidation; a page then costs a lookup, not a query.
 */
export class DatasetRowReader {
  private readonly chunks = new LRUCache<string, { firstItem: number; rows: RawRow[] }>({ max: 32 });

  constructor(private readonly artifacts: ArtifactStore, private readonly maxPageSize: number) {}

  async page(version: DatasetVersion, args: PageArgs): Promise<Page<DatasetRow>> {
    const first = pageSize(args.first, this.maxPageSize);
    const start = args.after ? Number(decodeCursor(args.after, 1)[0]) + 1 : 0;
    const end = Math.min(start + first, version.rowCount);
    const items: DatasetRow[] = [];
    for (let index = start; index < end; ) {
      const chunk = await this.chunkAt(version.artifactId, index);
      if (!chunk) break;
      const stop = Math.min(end, chunk.firstItem + chunk.rows.length);
      for (; index < stop; index++) items.push({ index, values: this.typed(version, chunk.rows[index - chunk.firstItem]) });
    }
    return {
      items,
      cursors: items.map((row) => encodeCursor([row.index])),
      hasNextPage: end < version.rowCount,
      hasPreviousPage: start > 0,
      totalCount: async () => version.rowCount,
    };
  }

  /** Every row of a version as typed objects holding only `columns` (for training jobs). */
  async allRows(version: DatasetVersion, columns: string[]): Promise<Record<string, unknown>[]> {
    const picks = columns.map((name) => {
      const index = version.columns.findIndex((c) => c.name === name);
      return { name, index, type: version.columns[index]?.type };
    });
    const rows: Record<string, unknown>[] = [];
    for await (const chunk of this.artifacts.chunks(version.artifactId)) {
      for (const raw of decodeRows(chunk.data)) {
        const row: Record<string, unknown> = {};
        for (const pick of picks) setOwn(row, pick.name, pick.index < 0 ? null : toTypedValue(pick.type, raw[pick.index]));
        rows.push(row);
      }
    }
    return rows;
  }

  /**
   * The same rows as allRows, as columns, one stored chunk (a few thousand rows) at a time:
   * NUMBER columns in a Float64Array (NaN for null), others as arrays. Nothing holds the whole
   * dataset, so a training run's rows go to the child at a flat cost in this process.
   */
  columnChunks(version: DatasetVersion, columns: string[]): RowStream {
    const picks = columns.map((name) => {
      const index = version.columns.findIndex((c) => c.name === name);
      const type = version.columns[index]?.type;
      return { name, index, type, numeric: index >= 0 && type === 'NUMBER' };
    });
    const artifacts = this.artifacts;
    async function* chunks(): AsyncGenerator<RowColumns> {
      for await (const chunk of artifacts.chunks(version.artifactId)) {
        // NUMBER columns come from the chunk's typed arrays when it has them; the JSON is parsed only when some column needs it.
        const typed = typedColumns(chunk.data);
        const stored = picks.map((pick) => (pick.numeric ? typed?.numbers(pick.index) ?? null : null));
        const rows = stored.every((numbers, i) => numbers !== null || picks[i].index < 0) ? null : decodeRows(chunk.data);
        const count = rows ? rows.length : chunk.itemCount;
        yield {
          count,
          columns: picks.map((pick, i) => {
            if (stored[i]) return { name: pick.name, values: stored[i] };
            if (pick.index < 0) return { name: pick.name, values: new Array<null>(count).fill(null) };
            if (!pick.numeric) return { name: pick.name, values: rows!.map((row) => toTypedValue(pick.type, row[pick.index])) };
            const numbers = new Float64Array(count);
            for (let r = 0; r < count; r++) numbers[r] = (toTypedValue('NUMBER', rows![r][pick.index]) as number | null) ?? NaN;
            return { name: pick.name, values: numbers };
          }),
        };
      }
    }
    return { expected: version.rowCount, names: columns, chunks };
  }

  private typed(version: DatasetVersion, row: RawRow): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    version.columns.forEach((column, i) => setOwn(values, column.name, toTypedValue(column.type, row[i])));
    return values;
  }

  private async chunkAt(artifactId: string, index: number) {
    for (const [key, chunk] of this.chunks.entries()) {
      if (key.startsWith(artifactId) && index >= chunk.firstItem && index < chunk.firstItem + chunk.rows.length) return chunk;
    }
    const stored = await this.artifacts.chunkAt(artifactId, index);
    if (!stored) return null;
    const chunk = { firstItem: stored.firstItem, rows: decodeRows(stored.data) };
    this.chunks.set(`${artifactId}:${stored.seq}`, chunk);
    return chunk;
  }
}

/**
 * `target[key] = value` as an own property whatever the key: a column may be called `__proto__`,
 * which plain assignment would take as the object's prototype, dropping the value.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
