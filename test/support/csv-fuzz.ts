import fc from 'fast-check';
import { shortPrinted } from './graphql-fuzz';

/** One fuzzed upload: the CSV text, and how its bytes go on the wire. */
export interface CsvCase {
  label: string;
  csv: string;
  /** utf8: as JSON normally is; latin1: the CSV's characters as single bytes (not UTF-8 past ASCII). */
  encoding: 'utf8' | 'latin1';
}

const WORDS = ['a', 'x y', 'é', 'Ã©', '日本', '👩‍💻', 'ﬁ', '\u00a0', 'null', 'NaN', '-0', '1e309', '0x1F', 'TRUE', '2026-01-31', '=SUM(A1)', '\t'];

const cell: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String) },
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '  ') },
  // Quoted fields with the characters quoting exists for.
  { weight: 3, arbitrary: fc.string({ maxLength: 12, unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é') }).map((s) => `"${s.replace(/"/g, '""')}"`) },
  { weight: 2, arbitrary: fc.string({ maxLength: 10, unit: 'grapheme' }).map((s) => `"${s.replace(/"/g, '""')}"`) },
  // A quote inside an unquoted field: kept as text.
  { weight: 1, arbitrary: fc.constantFrom('5" screen', 'a"b', 'x""') },
  { weight: 1, arbitrary: fc.constantFrom(10_000, 200_000, 1_000_000).map((n) => `"${'y'.repeat(n)}"`) },
);

const columnName: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 50 }).map((i) => `c${i}`) },
  { weight: 1, arbitrary: fc.constantFrom('"a,b"', '"x""y"', ' padded ', 'é', '日本', '""', ' ', '__proto__', 'constructor', '"multi\nline"') },
);

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

/** A well-formed-ish CSV: header, rows, line ends, maybe a BOM and blank lines. */
const baseCsv = fc.record({
  header: fc.oneof({ weight: 20, arbitrary: fc.uniqueArray(columnName, { minLength: 1, maxLength: 8 }) }, { weight: 1, arbitrary: fc.array(columnName, { minLength: 1, maxLength: 4 }) }),
  rows: fc.integer({ min: 0, max: 30 }),
  cells: fc.infiniteStream(cell),
  ends: fc.infiniteStream(lineEnd),
  mixedEnds: fc.boolean(),
  bom: fc.boolean(),
  blankLines: fc.integer({ min: 0, max: 3 }),
  trailingEnd: fc.boolean(),
}).map(({ header, rows, cells, ends, mixedEnds, bom, blankLines, trailingEnd }) => {
  const cellIt = cells[Symbol.iterator]();
  const endIt = ends[Symbol.iterator]();
  const fixedEnd = endIt.next().value as string;
  const end = () => (mixedEnds ? (endIt.next().value as string) : fixedEnd);
  const lines = [header.join(','), ...Array.from({ length: rows }, () => header.map(() => cellIt.next().value as string).join(','))];
  for (let b = 0; b < blankLines; b++) lines.splice(1 + (b * 7) % Math.max(1, lines.length - 1), 0, b % 2 ? '   ' : '');
  let text = lines.map((line, i) => (i < lines.length - 1 ? line + end() : line)).join('');
  if (trailingEnd) text += end();
  return { label: `${header.length} columns, ${rows} rows${mixedEnds ? ', mixed line ends' : ''}${bom ? ', BOM' : ''}`, csv: (bom ? '\uFEFF' : '') + text };
});

/** A header of a given width (the limit is MAX_DATASET_COLUMNS, 2,000 by default) and a few rows. */
const wideCsv = fc.record({ width: fc.constantFrom(1999, 2000, 2001, 10_000), rows: fc.integer({ min: 0, max: 3 }) }).map(({ width, rows }) => {
  const header = Array.from({ length: width }, (_, i) => `c${i}`).join(',');
  const row = Array.from({ length: width }, (_, i) => String(i % 97)).join(',');
  return { label: `${width} columns, ${rows} rows`, csv: [header, ...Array.from({ length: rows }, () => row)].join('\n') };
});

/** Ways a CSV goes wrong on its way from a spreadsheet. */
const spoil = fc.constantFrom('none', 'none', 'none', 'stray-quote', 'drop-cell', 'add-cell', 'truncate', 'nul', 'lone-surrogate', 'replacement-char', 'latin1-bytes', 'only-header', 'empty');

export const csvCase: fc.Arbitrary<CsvCase> = fc
  .tuple(fc.oneof({ weight: 30, arbitrary: baseCsv }, { weight: 1, arbitrary: wideCsv }), spoil, fc.nat())
  .map(([base, how, at]) => {
    let { csv } = base;
    let encoding: CsvCase['encoding'] = 'utf8';
    const pos = csv.length ? at % csv.length : 0;
    switch (how) {
      case 'stray-quote': csv = `${csv.slice(0, pos)}"${csv.slice(pos)}`; break;
      case 'drop-cell': csv = csv.replace(/,[^,\r\n]*(\r?\n|\r)(?=[^\r\n]*$)/, '$1').replace(/,([^,\r\n]*)$/, ''); break;
      case 'add-cell': csv = csv.replace(/(\r\n|\n|\r)/, ',extra$1'); break;
      case 'truncate': csv = csv.slice(0, pos); break;
      case 'nul': csv = `${csv.slice(0, pos)}\u0000${csv.slice(pos)}`; break;
      case 'lone-surrogate': csv = `${csv.slice(0, pos)}\ud83d${csv.slice(pos)}`; break;
      case 'replacement-char': csv = `${csv.slice(0, pos)}\ufffd${csv.slice(pos)}`; break;
      case 'latin1-bytes': encoding = 'latin1'; break;
      case 'only-header': csv = csv.split(/\r\n|\n|\r/)[0]; break;
      case 'empty': csv = ''; break;
    }
    return shortPrinted({ label: `${base.label}${how === 'none' ? '' : ` +${how}`}`, csv, encoding });
  });

/**
 * The body of a createDataset request for a case, and the text the server will read from it:
 * for latin1 bytes, what a UTF-8 decoder makes of them (null when they are not UTF-8, which the
 * server must refuse).
 */
export function createDatasetBody(c: CsvCase, name: string, query: string): { body: Buffer; seen: string | null } {
  const json = JSON.stringify({ query, variables: { input: { name, csv: c.csv } } });
  if (c.encoding === 'utf8') return { body: Buffer.from(json, 'utf8'), seen: c.csv };
  // Escapes for non-ASCII are undone so that those characters travel as raw single bytes.
  const raw = json.replace(/[\u0080-\uffff]/g, (ch) => (ch.charCodeAt(0) <= 0xff ? ch : '?'));
  const body = Buffer.from(raw, 'latin1');
  try {
    const decoded = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    return { body, seen: decoded.variables.input.csv };
  } catch {
    return { body, seen: null };
  }
}
