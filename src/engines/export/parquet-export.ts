import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';

/** A column of a Parquet export: numbers as DOUBLE, flags as BOOLEAN, the rest as UTF-8 strings; every column nullable. */
export interface ParquetColumn {
  name: string;
  type: 'DOUBLE' | 'BOOLEAN' | 'STRING';
}

/** Rows per row group: a group is built in memory, so this bounds what an export holds at once. */
const ROW_GROUP = 10_000;

type Cell = string | number | boolean | null;

function convert(cell: Cell, type: ParquetColumn['type']): Cell {
  if (cell === null || cell === '') return null;
  if (type === 'DOUBLE') {
    const n = typeof cell === 'number' ? cell : Number(cell);
    return Number.isFinite(n) ? n : null;
  }
  if (type === 'BOOLEAN') return typeof cell === 'boolean' ? cell : /^(true|1|yes)$/i.test(String(cell));
  return String(cell);
}

/**
 * A Parquet file of `rows`, written by hyparquet-writer (maintained, plain JavaScript, incremental
 * row groups) as a stream: each row group of 10,000 rows is encoded and handed on, and the next
 * one is not built until the reader has taken it, so memory does not grow with the export.
 */
export function parquetStream(columns: ParquetColumn[], rows: AsyncIterable<Cell[]>): Readable {
  const out = new PassThrough();
  const push = async (bytes: Buffer) => {
    if (!out.write(bytes)) await once(out, 'drain');
  };
  const writer = new ByteWriter();
  const take = () => {
    const bytes = Buffer.from(writer.buffer.slice(0, writer.index));
    writer.index = 0;
    return bytes;
  };
  // After each row group: its bytes go out before the next group is encoded.
  (writer as unknown as { flush: () => Promise<void> }).flush = () => push(take());
  const empty = () => columns.map(() => [] as Cell[]);
  const columnData = (data: Cell[][]) => columns.map((c, i) => ({ name: c.name, data: data[i], type: c.type }));
  (async () => {
    const parquet = new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData: columnData(empty()) }) });
    let batch = empty();
    let count = 0;
    for await (const row of rows) {
      row.forEach((cell, i) => batch[i].push(convert(cell, columns[i].type)));
      if (++count === ROW_GROUP) {
        await parquet.write({ columnData: columnData(batch), rowGroupSize: ROW_GROUP });
        batch = empty();
        count = 0;
      }
    }
    if (count > 0) await parquet.write({ columnData: columnData(batch), rowGroupSize: count });
    await parquet.finish();
    await push(take());
    out.end();
  })().catch((error) => out.destroy(error));
  return out;
}
