import { describe, expect, it } from 'vitest';
import { decodeRows, encodeRows, typedColumns, type RawRow } from '../../src/modules/datasets/row-chunks';
import { toTypedValue } from '../../src/ml/value-parsers';

const ROWS: RawRow[] = [
  ['1.5', 'a', '007', null, '-0', ' 12 '],
  ['', 'b', '8', '2', '1e3', '3'],
  ['-2.25', null, '9', '  ', '0.1', '4'],
];

describe('dataset row chunks', () => {
  it('keep the raw text of every cell, and a typed array for each column of numbers or empty cells', () => {
    const data = encodeRows(ROWS);
    expect(decodeRows(data)).toEqual(ROWS);
    const typed = typedColumns(data)!;
    expect(typed.count).toBe(3);
    // Exactly what reading the text as a NUMBER column gives, with NaN for null.
    for (const c of [0, 2, 3, 4, 5]) {
      expect([...typed.numbers(c)!], `column ${c}`).toEqual(ROWS.map((row) => (toTypedValue('NUMBER', row[c]) as number | null) ?? NaN));
    }
    expect(Object.is(typed.numbers(4)![0], -0)).toBe(true);
    // A column with text has no array; nor has a column that does not exist.
    expect(typed.numbers(1)).toBeNull();
    expect(typed.numbers(6)).toBeNull();
    expect(typed.numbers(-1)).toBeNull();
  });

  it('read chunks written before typed columns (the rows as JSON alone)', () => {
    const legacy = Buffer.from(JSON.stringify(ROWS));
    expect(decodeRows(legacy)).toEqual(ROWS);
    expect(typedColumns(legacy)).toBeNull();
  });

  it('leave out the arrays when rows differ in length, and survive an unaligned buffer', () => {
    const ragged: RawRow[] = [['1', '2'], ['3']];
    const data = encodeRows(ragged);
    expect(decodeRows(data)).toEqual(ragged);
    expect(typedColumns(data)!.numbers(0)).toBeNull();
    const shifted = Buffer.concat([Buffer.alloc(3), encodeRows(ROWS)]).subarray(3);
    expect([...typedColumns(shifted)!.numbers(0)!]).toEqual([1.5, NaN, -2.25]);
    expect(decodeRows(encodeRows([]))).toEqual([]);
  });
});
