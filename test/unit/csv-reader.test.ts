import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ColumnProfiler, type ColumnProfile } from '../../src/modules/datasets/column-profiler';
import { CsvFormatError, openCsv, type CsvSource } from '../../src/modules/datasets/csv-reader';
import { DATA_DIR } from '../support/fixtures';

async function readAll(source: CsvSource, batchSize?: number) {
  const { header, batches } = await openCsv(source, { batchSize });
  const rows: (string | null)[][] = [];
  const lines: number[] = [];
  const sizes: number[] = [];
  for await (const batch of batches) {
    expect(batch.firstLine).toBe(batch.lines[0]);
    expect(batch.lines).toHaveLength(batch.rows.length);
    rows.push(...batch.rows);
    lines.push(...batch.lines);
    sizes.push(batch.rows.length);
  }
  return { header, rows, lines, sizes };
}

/** The CsvFormatError thrown while opening or reading all of `source`. */
async function formatError(source: CsvSource): Promise<CsvFormatError> {
  try {
    await readAll(source);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvFormatError);
    return error as CsvFormatError;
  }
  throw new Error('expected a CsvFormatError');
}

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer | string> {
  yield* parts;
}

async function profileCsv(
  source: CsvSource,
): Promise<{ header: string[]; rowCount: number; columns: ColumnProfile[] }> {
  const { header, rows } = await readAll(source);
  const profilers = header.map((name) => new ColumnProfiler(name));
  for (const row of rows) row.forEach((value, i) => profilers[i].add(value));
  return { header, rowCount: rows.length, columns: profilers.map((p) => p.finish()) };
}

/** A plain split, independent of the reader; fine for the unquoted fixture files. */
function splitCsv(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => line.split(','));
}

function column(table: string[][], name: string): string[] {
  const index = table[0].indexOf(name);
  return table.slice(1).map((row) => row[index]);
}

describe('openCsv parsing', () => {
  it('reads quoted fields holding delimiters, newlines and escaped quotes', async () => {
    const csv = 'id,comment,amount\n1,"a, b",10\n2,"line one\nline two",20\n3,"she said ""hi""",30\n4,"",40\n';
    const { header, rows, lines } = await readAll(csv);
    expect(header).toEqual(['id', 'comment', 'amount']);
    expect(rows).toEqual([
      ['1', 'a, b', '10'],
      ['2', 'line one\nline two', '20'],
      ['3', 'she said "hi"', '30'],
      ['4', null, '40'],
    ]);
    expect(lines).toEqual([2, 3, 5, 6]);
  });

  it('handles CRLF line ends, a byte-order mark and a missing final newline', async () => {
    const csv = '\uFEFFDate,Close\r\n1-May-95,533.4\r\n"1-Jun-95","544.75"';
    const { header, rows } = await readAll(csv);
    expect(header).toEqual(['Date', 'Close']);
    expect(rows).toEqual([
      ['1-May-95', '533.4'],
      ['1-Jun-95', '544.75'],
    ]);
    const fromBuffer = await readAll(chunks(Buffer.from(csv)));
    expect(fromBuffer.header).toEqual(['Date', 'Close']);
    expect(fromBuffer.rows).toEqual(rows);
  });

  it('turns empty and whitespace-only values into null without trimming other values', async () => {
    const { header, rows } = await readAll(' a , b ,c\n, x ,  \n"  ",,"y "\n');
    expect(header).toEqual(['a', 'b', 'c']);
    expect(rows).toEqual([
      [null, ' x ', null],
      [null, null, 'y '],
    ]);
  });

  it('skips blank lines, including whitespace-only ones, and reports true line numbers', async () => {
    const csv = '\n\na,b\n1,2\n\n   \n3,4\n\n5,6\n\n';
    const { rows, lines } = await readAll(csv);
    expect(rows).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(lines).toEqual([4, 7, 9]);
    expect((await readAll(csv.replaceAll('\n', '\r\n'))).lines).toEqual([4, 7, 9]);
  });

  it('counts the lines inside quoted fields for the rows after them, whatever the line ends', async () => {
    for (const [file, inField] of [['\n', '\n'], ['\r\n', '\r\n'], ['\n', '\r\n'], ['\r\n', '\n']]) {
      const csv = ['a,b', `"x${inField}y${inField}z",1`, '2,3', `"p${inField}q",4`, ''].join(file);
      const { rows, lines } = await readAll(csv);
      expect(rows[0][0]).toBe(`x${inField}y${inField}z`);
      expect(lines, JSON.stringify(csv)).toEqual([2, 5, 6]);
    }
  });

  it('reads a one-column CSV, where "" is a null value and a blank line is skipped', async () => {
    const { rows } = await readAll('a\n1\n""\n\n3\n');
    expect(rows).toEqual([['1'], [null], ['3']]);
  });

  it('yields batches of at most batchSize rows, in order', async () => {
    const csv = `n\n${Array.from({ length: 12 }, (_, i) => i).join('\n')}\n`;
    const { rows, sizes, lines } = await readAll(csv, 5);
    expect(sizes).toEqual([5, 5, 2]);
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(lines).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
  });

  it('reads a large text across internal chunks without losing or splitting rows', async () => {
    const count = 40_000;
    const body = Array.from({ length: count }, (_, i) => `${i},"q ${i}, é😀",${i % 7 === 0 ? '' : i * 2}`);
    const { rows, lines } = await readAll(`id,text,double\n${body.join('\n')}\n`);
    expect(rows).toHaveLength(count);
    for (let i = 0; i < count; i += 997) {
      expect(rows[i]).toEqual([String(i), `q ${i}, é😀`, i % 7 === 0 ? null : String(i * 2)]);
      expect(lines[i]).toBe(i + 2);
    }
  });

  it('accepts chunks split inside a multi-byte character or a surrogate pair', async () => {
    const bytes = Buffer.from('name,city\nZoë,Zürich\n😀,東京\n');
    const split = [bytes.subarray(0, 13), bytes.subarray(13, 22), bytes.subarray(22, 23), bytes.subarray(23)];
    const expected = [
      ['Zoë', 'Zürich'],
      ['😀', '東京'],
    ];
    expect((await readAll(chunks(...split))).rows).toEqual(expected);
    const text = bytes.toString('utf8');
    const at = text.indexOf('😀') + 1; // between the two halves of the pair
    expect((await readAll(chunks(text.slice(0, at), text.slice(at)))).rows).toEqual(expected);
  });

  it('releases the source when the consumer stops early or closes', async () => {
    let released = 0;
    async function* source() {
      try {
        yield 'a\n1\n2\n';
        yield '3\n4\n';
      } finally {
        released++;
      }
    }
    const first = await openCsv(source(), { batchSize: 1 });
    for await (const batch of first.batches) {
      expect(batch.rows).toEqual([['1']]);
      break;
    }
    expect(released).toBe(1);
    const second = await openCsv(source());
    await second.close();
    expect(released).toBe(2);
  });
});

describe('openCsv errors', () => {
  it('rejects empty input', async () => {
    for (const empty of ['', '\uFEFF', '\n\r\n  \n']) {
      expect((await formatError(empty)).message).toBe('CSV is empty');
    }
  });

  it('rejects a header without data rows, from the batches', async () => {
    const { header, batches } = await openCsv('a,b\r\n\r\n');
    expect(header).toEqual(['a', 'b']);
    await expect(batches.next()).rejects.toThrow('CSV has a header but no data rows');
  });

  it('names a duplicate column and its line', async () => {
    const error = await formatError('\nid, amount ,amount\n1,2,3\n');
    expect(error.message).toMatch(/line 2\b.*"amount".*columns 2 and 3/);
    expect([error.line, error.column]).toEqual([2, 'amount']);
  });

  it('names the position of an empty column name', async () => {
    const error = await formatError('a,  ,c\n1,2,3\n');
    expect(error.message).toMatch(/line 1\b.*column 2 has an empty name/);
    expect([error.line, error.column]).toEqual([1, 2]);
  });

  it('names the line of a row with the wrong number of fields', async () => {
    const short = await formatError('a,b,c\n1,2,3\n4,5\n');
    expect(short.message).toContain('line 3 has 2 fields, expected 3');
    expect(short.line).toBe(3);
    // After a multi-line field and blank lines, the number is still the physical line.
    const long = await formatError('a,b\r\n"x\r\ny",1\r\n\r\n2,3,4\r\n');
    expect(long.message).toContain('line 5 has 3 fields, expected 2');
    expect(long.line).toBe(5);
  });

  it('names the line where an unclosed quote opens', async () => {
    const error = await formatError('a,b\n1,2\n3,"four\n5,6\n7,8\n');
    expect(error.message).toMatch(/line 3\b.*never closed/);
    expect(error.line).toBe(3);
  });

  it('refuses a quoted field with text after its closing quote, naming the line and column', async () => {
    const error = await formatError('id,name\n1,ok\n2,"x"y\n');
    expect(error.message).toMatch(/^CSV line 3, column "name": a quoted field has text after its closing quote\. .*quote the whole field and double each quote inside it/);
    expect([error.line, error.column]).toEqual([3, 'name']);
    // `""` inside the quotes does not end the field; the `"z` after it does.
    expect((await formatError('id,name\n1,"x""y"z\n')).line).toBe(2);
    // In the header, the field is named by its position.
    const header = await formatError('id,"na"me\n1,2\n');
    expect([header.message.slice(0, 21), header.column]).toEqual(['CSV line 1, field 2: ', 2]);
    // An earlier problem is reported first.
    expect((await formatError('a,b\n1,2,3\n"x"y,1\n')).message).toBe('CSV line 2 has 3 fields, expected 2');
  });

  it('finds text after a closing quote across chunk boundaries, in text and in bytes', async () => {
    const splits: (string | Buffer)[][] = [
      ['a,b\n1,"x"', 'y\n'],
      ['a,b\n1,"x', '"y\n'],
      [Buffer.from('\uFEFFa,b\n1,"x"'), Buffer.from('"y"'), Buffer.from('z\n')],
    ];
    for (const parts of splits) {
      const error = await formatError(chunks(...parts));
      expect([error.line, error.column], String(parts)).toEqual([2, 'b']);
    }
    // A quote that ends a chunk and is doubled by the next one's first character is text.
    expect((await readAll(chunks('a,b\n1,"x"', '"y"\n'))).rows).toEqual([['1', 'x"y']]);
  });

  it('keeps a quote inside an unquoted field as text, wherever it is', async () => {
    const { rows } = await readAll('a,b,c\nab"c,5\'11", "x"\n"""q""",d"e"f,""\n');
    expect(rows).toEqual([
      ['ab"c', '5\'11"', ' "x"'],
      ['"q"', 'd"e"f', null],
    ]);
  });

  it('rejects bytes that are not UTF-8, with their line', async () => {
    const latin1 = Buffer.from('name,city\nZoe,Paris\nJos\xe9,Madrid\n', 'latin1');
    expect((await formatError(chunks(latin1))).message).toBe('CSV is not valid UTF-8 (line 3)');
    // In a later chunk, lines of the earlier chunks count too.
    const later = await formatError(chunks(Buffer.from('a,b\n1,2\n3,'), Buffer.from('4\n5,\xff6\n', 'latin1')));
    expect(later.message).toBe('CSV is not valid UTF-8 (line 4)');
    expect(later.line).toBe(4);
    // Ending in the middle of a character.
    const cut = Buffer.from('a,b\n1,é');
    expect((await formatError(chunks(cut.subarray(0, cut.length - 1)))).message).toBe('CSV is not valid UTF-8 (line 2)');
  });

  it('rejects text holding U+FFFD, the trace of a lenient decode', async () => {
    const error = await formatError('a,b\n1,2\n\n3,caf\uFFFD\n');
    expect(error.message).toBe('CSV is not valid UTF-8 (line 4)');
    expect(error.line).toBe(4);
  });
});

describe('openCsv on the fixture datasets', () => {
  const sp500Path = path.join(DATA_DIR, 'SP500.csv');

  it('reads SP500.csv (BOM, CRLF, 1-May-95 dates) as a string and as a file stream', async () => {
    const text = readFileSync(sp500Path, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const table = splitCsv(text);
    const closes = column(table, 'Close').map(Number);
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const dates = column(table, 'Date').map((d) => {
      const [day, mon, yy] = d.split('-');
      return Date.UTC(Number(yy) < 50 ? 2000 + Number(yy) : 1900 + Number(yy), months.indexOf(mon), Number(day));
    });

    for (const source of [text, createReadStream(sp500Path, { highWaterMark: 512 })]) {
      const { header, rowCount, columns } = await profileCsv(source);
      expect(header).toEqual(['Date', 'Close']);
      expect(rowCount).toBe(100);
      const [date, close] = columns;
      expect(date.type).toBe('DATE');
      expect(date.earliest).toBe('1995-05-01');
      expect(date.latest).toBe(new Date(Math.max(...dates)).toISOString().slice(0, 10));
      expect(close.type).toBe('NUMBER');
      expect(close.mean).toBeCloseTo(closes.reduce((a, b) => a + b, 0) / closes.length, 9);
      expect(close.min).toBe(Math.min(...closes));
      expect(close.max).toBe(Math.max(...closes));
      expect(close.nullCount).toBe(0);
    }
  });

  it('reads GermanCredit.csv: 1000 rows, numeric AMOUNT and a 0/1 RESPONSE that stays NUMBER', async () => {
    const file = path.join(DATA_DIR, 'GermanCredit.csv');
    const table = splitCsv(readFileSync(file, 'utf8'));
    const { header, rowCount, columns } = await profileCsv(createReadStream(file));
    expect(header).toEqual(table[0]);
    expect(rowCount).toBe(1000);
    const byName = new Map(columns.map((c) => [c.name, c]));

    const amounts = column(table, 'AMOUNT').map(Number);
    const amount = byName.get('AMOUNT');
    const mean = amounts.reduce((a, b) => a + b, 0) / amounts.length;
    const std = Math.sqrt(amounts.reduce((a, b) => a + (b - mean) ** 2, 0) / (amounts.length - 1));
    expect(amount?.type).toBe('NUMBER');
    expect(amount?.mean).toBeCloseTo(mean, 9);
    expect(amount?.std).toBeCloseTo(std, 6);
    expect(amount?.min).toBe(Math.min(...amounts));
    expect(amount?.max).toBe(Math.max(...amounts));
    expect(amount?.distinctCount).toBe(new Set(amounts).size);

    const responses = column(table, 'RESPONSE');
    const response = byName.get('RESPONSE');
    expect(new Set(responses)).toEqual(new Set(['0', '1']));
    expect(response?.type).toBe('NUMBER');
    expect(response?.mean).toBeCloseTo(responses.filter((r) => r === '1').length / responses.length, 12);
    expect(response?.distinctCount).toBe(2);
  });
});

describe('openCsv on a very wide header', () => {
  it('finds a duplicate name among 100,000 columns in one pass (a check per pair would take minutes)', async () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
    names[99_999] = 'c5';
    const error = await openCsv(`${names.join(',')}\n${'1,'.repeat(99_999)}1\n`, { maxColumns: 100_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(CsvFormatError);
    expect(error.message).toMatch(/"c5" is used twice \(columns 6 and 100000\)/);
  });

  it('refuses more columns than maxColumns before checking their names', async () => {
    const error = await openCsv('a,b,c\n1,2,3\n', { maxColumns: 2 }).catch((e) => e);
    expect(error.message).toMatch(/3 columns is over the limit of 2 \(MAX_DATASET_COLUMNS\)/);
  });

  it('counts a header\'s columns in the raw text, as a stream arrives, before the parser splits it', async () => {
    // The header arrives in pieces; it is refused once the columns seen pass the limit, before its line ends.
    let pulled = 0;
    async function* pieces() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.from(Array.from({ length: 100 }, (_, j) => `c${i * 100 + j},`).join(''));
      }
      yield Buffer.from('last\n1\n');
    }
    const error = await openCsv(pieces(), { maxColumns: 2000 }).catch((e) => e);
    expect(error).toBeInstanceOf(CsvFormatError);
    expect(error.message).toMatch(/CSV line 1: at least \d+ columns is over the limit of 2000/);
    expect(pulled).toBeLessThan(30);
  });

  it('does not count commas inside quotes, and skips blank lines before the header', async () => {
    const csv = '\n\n"a,b,c",d\n1,2\n';
    const { header } = await openCsv(csv, { maxColumns: 2 });
    expect(header).toEqual(['a,b,c', 'd']);
    const error = await openCsv('\n\na,b,c\n1,2,3\n', { maxColumns: 2 }).catch((e) => e);
    expect(error.message).toMatch(/CSV line 3: 3 columns is over the limit of 2/);
  });
});
