import { describe, expect, it } from 'vitest';
import {
  encodedFeatureNames,
  encodedRanges,
  fitPreprocessor,
  transformRows,
  type FeatureEncoding,
  type Preprocessor,
} from '../../src/ml/preprocessing';

const DAY = 86_400_000;

/** The rows' values of output column `col`. */
function column(matrix: Float32Array, width: number, col: number): number[] {
  return Array.from({ length: matrix.length / width }, (_, r) => matrix[r * width + col]);
}

function rowsOf(name: string, values: unknown[]): Record<string, unknown>[] {
  return values.map((v) => ({ [name]: v }));
}

describe('fitPreprocessor: numeric features', () => {
  it('standardises NUMBER with the population std, missing → 0, numeric text accepted', () => {
    // Values 20, 30, 40: mean 30, variance (100 + 0 + 100) / 3, std = sqrt(200 / 3) ≈ 8.164966.
    const rows = rowsOf('age', [20, 30, null, '40', undefined, '']);
    const p = fitPreprocessor(rows, [{ name: 'age', type: 'NUMBER' }]);
    const std = Math.sqrt(200 / 3);
    expect(p.outputSize).toBe(1);
    expect(p.features[0]).toMatchObject({ name: 'age', kind: 'numeric', source: 'NUMBER', mean: 30 });
    expect((p.features[0] as { std: number }).std).toBeCloseTo(std, 10);
    const out = transformRows(p, rowsOf('age', [20, 30, null, '40', 'abc', 45]));
    const expected = [-10 / std, 0, 0, 10 / std, 0, 15 / std];
    expected.forEach((e, i) => expect(out[i]).toBeCloseTo(e, 5));
  });

  it('encodes BOOLEAN as 0/1 before standardising', () => {
    // 1, 0, 1: mean 2/3, variance (1/9 + 4/9 + 1/9) / 3 = 2/9, std = sqrt(2)/3.
    const p = fitPreprocessor(rowsOf('flag', [true, false, true, null]), [{ name: 'flag', type: 'BOOLEAN' }]);
    const f = p.features[0] as Extract<FeatureEncoding, { kind: 'numeric' }>;
    expect(f.source).toBe('BOOLEAN');
    expect(f.mean).toBeCloseTo(2 / 3, 10);
    expect(f.std).toBeCloseTo(Math.sqrt(2) / 3, 10);
    const out = transformRows(p, rowsOf('flag', [true, false, null, 'yes', 'no', 1, 0]));
    const hi = (1 - 2 / 3) / (Math.sqrt(2) / 3); // ≈ 0.7071
    const lo = (0 - 2 / 3) / (Math.sqrt(2) / 3); // ≈ -1.4142
    [hi, lo, 0, hi, lo, hi, lo].forEach((e, i) => expect(out[i]).toBeCloseTo(e, 5));
  });

  it('encodes DATE as days since the epoch, full ISO date-times as fractional days', () => {
    const d0 = Date.UTC(2024, 0, 30) / DAY; // 19752
    // Days d0, d0 + 1, d0 + 2.5: mean d0 + 7/6; deviations -7/6, -1/6, 4/3.
    const rows = rowsOf('when', ['2024-01-30', '2024-01-31', '2024-02-01T12:00:00Z', null]);
    const p = fitPreprocessor(rows, [{ name: 'when', type: 'DATE' }]);
    const f = p.features[0] as Extract<FeatureEncoding, { kind: 'numeric' }>;
    const std = Math.sqrt(((7 / 6) ** 2 + (1 / 6) ** 2 + (4 / 3) ** 2) / 3);
    expect(d0).toBe(19_752);
    expect(f.mean).toBeCloseTo(d0 + 7 / 6, 8);
    expect(f.std).toBeCloseTo(std, 8);
    const out = transformRows(p, rowsOf('when', ['2024-01-30', '2024-01-31T00:00:00.000Z', null, 'not a date']));
    [-7 / 6 / std, -1 / 6 / std, 0, 0].forEach((e, i) => expect(out[i]).toBeCloseTo(e, 5));
  });

  it('uses std 1 for a constant column and mean 0, std 1 for a column without values', () => {
    const p = fitPreprocessor(
      [{ a: 5, b: null }, { a: 5, b: null }],
      [{ name: 'a', type: 'NUMBER' }, { name: 'b', type: 'NUMBER' }],
    );
    expect(p.features).toEqual([
      { name: 'a', kind: 'numeric', source: 'NUMBER', mean: 5, std: 1, min: 5, max: 5, deciles: [5, 5, 5, 5, 5, 5, 5, 5, 5] },
      { name: 'b', kind: 'numeric', source: 'NUMBER', mean: 0, std: 1, min: null, max: null, deciles: [] },
    ]);
    expect(Array.from(transformRows(p, [{ a: 7, b: 3 }]))).toEqual([2, 3]);
  });
});

describe('fitPreprocessor: training profile', () => {
  it('records min, max and nearest-rank deciles of the values seen, skipping missing ones', () => {
    // 1 … 20 shuffled, plus a missing value: decile k is the value at rank ceil(k/10 × 20) = 2k.
    const values: (number | null)[] = [7, 3, 20, 1, 14, 9, 18, 2, 11, 5, null, 16, 4, 13, 8, 19, 6, 12, 10, 17, 15];
    const p = fitPreprocessor(rowsOf('x', values), [{ name: 'x', type: 'NUMBER' }]);
    expect(p.features[0]).toMatchObject({ min: 1, max: 20, deciles: [2, 4, 6, 8, 10, 12, 14, 16, 18] });
  });
});

describe('fitPreprocessor: category features', () => {
  it('one-hots sorted categories, missing → mode, unseen → zeros', () => {
    // counts: b 3, a 2, c 1 → mode b; columns a, b, c.
    const rows = rowsOf('k', ['b', 'a', 'c', 'b', 'a', 'b', null]);
    const p = fitPreprocessor(rows, [{ name: 'k', type: 'CATEGORY' }]);
    // shares are of all 7 training rows (the missing one included): a 2/7, b 3/7, c 1/7.
    expect(p.features[0]).toEqual({ name: 'k', kind: 'onehot', categories: ['a', 'b', 'c'], mode: 'b', shares: [2 / 7, 3 / 7, 1 / 7] });
    expect(p.outputSize).toBe(3);
    const out = transformRows(p, rowsOf('k', ['a', 'c', null, 'z', '']));
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('breaks mode ties towards the smaller value and treats numbers and text alike', () => {
    const p = fitPreprocessor(rowsOf('k', ['y', 'x']), [{ name: 'k', type: 'CATEGORY' }]);
    expect(p.features[0]).toMatchObject({ categories: ['x', 'y'], mode: 'x' });
    const q = fitPreprocessor(rowsOf('h', [4, 2, 4]), [{ name: 'h', type: 'CATEGORY' }]);
    expect(q.features[0]).toEqual({ name: 'h', kind: 'onehot', categories: ['2', '4'], mode: '4', shares: [1 / 3, 2 / 3] });
    expect(Array.from(transformRows(q, rowsOf('h', ['4', 2, 3])))).toEqual([0, 1, 1, 0, 0, 0]);
  });

  it('keeps the 50 most frequent categories; the rest encode as unseen', () => {
    const names = Array.from({ length: 60 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    // c00-c49 twice, c50-c59 once.
    const values = [...names.slice(0, 50), ...names];
    const p = fitPreprocessor(rowsOf('k', values), [{ name: 'k', type: 'CATEGORY' }]);
    const f = p.features[0] as Extract<FeatureEncoding, { kind: 'onehot' }>;
    expect(f.categories).toEqual(names.slice(0, 50));
    expect(p.outputSize).toBe(50);
    const out = transformRows(p, rowsOf('k', ['c55', 'c07']));
    expect(out.slice(0, 50).every((v) => v === 0)).toBe(true);
    expect(out[50 + 7]).toBe(1);
    expect(out.slice(50).reduce((s, v) => s + v, 0)).toBe(1);
  });

  it('on a frequency tie at the cap keeps the smaller values', () => {
    const names = Array.from({ length: 51 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const p = fitPreprocessor(rowsOf('k', [...names].reverse()), [{ name: 'k', type: 'CATEGORY' }]);
    expect((p.features[0] as { categories: string[] }).categories).toEqual(names.slice(0, 50));
  });
});

describe('fitPreprocessor: layout and state', () => {
  const rows = [
    { age: 30, housing: 'rent', flag: true, note: 'x' },
    { age: 50, housing: 'own', flag: false, note: 'y' },
    { age: 40, housing: 'own', flag: null, note: 'z' },
  ];
  const features = [
    { name: 'age', type: 'NUMBER' as const },
    { name: 'housing', type: 'CATEGORY' as const },
    { name: 'flag', type: 'BOOLEAN' as const },
  ];

  it('names and ranges the output columns in feature order', () => {
    const p = fitPreprocessor(rows, features);
    expect(p.outputSize).toBe(4);
    expect(encodedFeatureNames(p)).toEqual(['age', 'housing=own', 'housing=rent', 'flag']);
    expect(encodedRanges(p)).toEqual([
      { feature: 'age', start: 0, end: 1 },
      { feature: 'housing', start: 1, end: 3 },
      { feature: 'flag', start: 3, end: 4 },
    ]);
  });

  it('lays rows out row-major, rows × outputSize', () => {
    const p = fitPreprocessor(rows, features);
    const out = transformRows(p, rows);
    expect(out.length).toBe(12);
    // age 30, 50, 40: mean 40, std sqrt(200/3); flag 1, 0: mean 0.5, std 0.5, missing → 0.
    const s = Math.sqrt(200 / 3);
    const expected = [-10 / s, 0, 1, 1, 10 / s, 1, 0, -1, 0, 1, 0, 0];
    expected.forEach((e, i) => expect(out[i]).toBeCloseTo(e, 5));
    expect(column(out, 4, 2)).toEqual([1, 0, 0]);
    expect(transformRows(p, []).length).toBe(0);
  });

  it('survives a JSON round trip unchanged in behaviour', () => {
    const p = fitPreprocessor(rows, features);
    const restored = JSON.parse(JSON.stringify(p)) as Preprocessor;
    expect(restored).toEqual(p);
    const probe = [{ age: 45, housing: 'other', flag: 'no' }, { age: null, housing: null, flag: true }];
    expect(Array.from(transformRows(restored, probe))).toEqual(Array.from(transformRows(p, probe)));
  });

  it('rejects TEXT features and duplicate names', () => {
    expect(() => fitPreprocessor(rows, [{ name: 'note', type: 'TEXT' }])).toThrow(/note.*TEXT/);
    expect(() => fitPreprocessor(rows, [features[0], features[0]])).toThrow(/age/);
  });
});
