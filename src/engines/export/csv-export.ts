import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

/**
 * A spreadsheet opens a cell beginning with `=`, `+`, `-`, `@` (or a tab or carriage return) as a
 * formula: data exported from an API must not run as one (OWASP's CSV injection). Such a cell gets
 * a leading `'`, which spreadsheets show as text. A plain number (`-12.5`) is left alone: it is
 * not a formula, and quoting every negative number would spoil the data for other tools.
 */
export function escapeFormula(cell: string): string {
  if (!/^[=+\-@\t\r]/.test(cell)) return cell;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) ? cell : `'${cell}`;
}

/**
 * A CSV stream of `rows` (each an array of cells in `header` order), written by csv-stringify
 * with backpressure: rows are pulled from the iterable only as fast as the reader takes them, so
 * memory does not grow with the export's size.
 */
export function csvStream(header: string[], rows: AsyncIterable<(string | number | boolean | null)[]>, options: { escapeFormulas: boolean }): Readable {
  const clean = (cell: string | number | boolean | null) => (typeof cell === 'string' && options.escapeFormulas ? escapeFormula(cell) : cell);
  const source = Readable.from((async function* () {
    yield header.map((name) => clean(name));
    // Without the guard the rows go as they are: no copy of every row.
    if (!options.escapeFormulas) yield* rows;
    else for await (const row of rows) yield row.map(clean);
  })(), { objectMode: true, highWaterMark: 64 });
  return source.pipe(stringify({ cast: { boolean: (value) => String(value) } }));
}
