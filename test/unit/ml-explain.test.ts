import { describe, expect, it, vi } from 'vitest';
import { baselineRow, occlusionContributions } from '../../src/ml/explain';
import { encodedRanges, fitPreprocessor, transformRows, type Preprocessor } from '../../src/ml/preprocessing';

// AGE: 20, 40, 20, 40 → mean 30, std 10. HOUSING: categories [free, own, rent], mode own.
// EMPTY has no values, so no categories and no columns.
// Encoded columns: AGE, HOUSING=free, HOUSING=own, HOUSING=rent (width 4).
const preprocessor = fitPreprocessor(
  [
    { AGE: 20, HOUSING: 'own', EMPTY: null },
    { AGE: 40, HOUSING: 'own', EMPTY: null },
    { AGE: 20, HOUSING: 'rent', EMPTY: null },
    { AGE: 40, HOUSING: 'free', EMPTY: null },
  ],
  [
    { name: 'AGE', type: 'NUMBER' },
    { name: 'HOUSING', type: 'CATEGORY' },
    { name: 'EMPTY', type: 'CATEGORY' },
  ],
);
const width = preprocessor.outputSize;
const ranges = encodedRanges(preprocessor);

// Encoded: [2, 0, 0, 1], [-2, 1, 0, 0], [0, 0, 1, 0] (the last is the baseline itself).
const rows = [
  { AGE: 50, HOUSING: 'rent', EMPTY: 'x' },
  { AGE: 10, HOUSING: 'free', EMPTY: null },
  { AGE: null, HOUSING: 'own', EMPTY: null },
];
const x = transformRows(preprocessor, rows);

/** A linear "model" with two outputs: x·w + b and x·v. */
const w = [2, 0.5, -1, 3];
const b = 0.25;
const v = [1, 1, 1, 1];
function linear() {
  return vi.fn(async (input: Float32Array, count: number) => {
    const out = new Float32Array(count * 2);
    for (let r = 0; r < count; r++) {
      let a = b;
      let c = 0;
      for (let j = 0; j < width; j++) {
        a += input[r * width + j] * w[j];
        c += input[r * width + j] * v[j];
      }
      out[r * 2] = a;
      out[r * 2 + 1] = c;
    }
    return out;
  });
}

/** The contributions as plain numbers per row, in feature order. */
const numbers = (result: { contribution: number }[][]) => result.map((row) => row.map((c) => c.contribution));

describe('baselineRow', () => {
  it('is 0 for numeric features and the one-hot of the mode for categories', () => {
    expect(width).toBe(4);
    expect(Array.from(x)).toEqual([2, 0, 0, 1, -2, 1, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(baselineRow(preprocessor))).toEqual([0, 0, 1, 0]);
  });

  it('is all zeros for a category whose mode is not among its categories', () => {
    const p: Preprocessor = {
      outputSize: 3,
      features: [
        { name: 'C', kind: 'onehot', categories: ['a', 'b'], mode: 'z' },
        { name: 'N', kind: 'numeric', source: 'NUMBER', mean: 5, std: 2 },
      ],
    };
    expect(Array.from(baselineRow(p))).toEqual([0, 0, 0]);
  });
});

describe('occlusionContributions', () => {
  it('equals w_j × (x_j − baseline_j) summed over each feature’s columns for a linear model', async () => {
    const predict = linear();
    const result = await occlusionContributions(predict, x, 3, width, 2, ranges, baselineRow(preprocessor), (out) => out[0]);
    expect(result.map((row) => row.map((c) => c.feature))).toEqual([
      ['AGE', 'HOUSING', 'EMPTY'],
      ['AGE', 'HOUSING', 'EMPTY'],
      ['AGE', 'HOUSING', 'EMPTY'],
    ]);
    // Row 0: AGE 2 × (2 − 0) = 4; HOUSING (rent vs mode own) 0.5 × 0 − 1 × (0 − 1) + 3 × (1 − 0) = 4.
    // Row 1: AGE 2 × (−2) = −4; HOUSING (free vs own) 0.5 × 1 − 1 × (0 − 1) + 3 × 0 = 1.5.
    // Row 2 is the baseline: nothing to explain. EMPTY has no columns: 0 everywhere.
    const expected = [
      [4, 4, 0],
      [-4, 1.5, 0],
      [0, 0, 0],
    ];
    numbers(result).forEach((row, r) => row.forEach((c, f) => expect(c).toBeCloseTo(expected[r][f], 5)));
  });

  it('predicts once, originals first, then one block per feature with columns', async () => {
    const predict = linear();
    await occlusionContributions(predict, x, 3, width, 2, ranges, baselineRow(preprocessor), (out) => out[0]);
    expect(predict).toHaveBeenCalledTimes(1);
    const [batch, count] = predict.mock.calls[0];
    // 3 rows × (2 features with columns + 1); EMPTY adds no block.
    expect(count).toBe(9);
    expect(batch.length).toBe(9 * width);
    expect(Array.from(batch.subarray(0, 3 * width))).toEqual(Array.from(x));
    // Block 1: AGE set to its baseline 0. Block 2: HOUSING set to the one-hot of "own".
    expect(Array.from(batch.subarray(3 * width, 6 * width))).toEqual([0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(batch.subarray(6 * width, 9 * width))).toEqual([2, 0, 1, 0, -2, 0, 1, 0, 0, 0, 1, 0]);
  });

  it('passes each copy’s original row index to scoreOf', async () => {
    // Row 1 explains output 1 (x·v, all weights 1): AGE −2, HOUSING (1 − 0) + (0 − 1) = 0.
    const scoreOf = vi.fn((out: Float32Array, row: number) => out[row === 1 ? 1 : 0]);
    const result = await occlusionContributions(linear(), x, 3, width, 2, ranges, baselineRow(preprocessor), scoreOf);
    expect(numbers(result)[1][0]).toBeCloseTo(-2, 5);
    expect(numbers(result)[1][1]).toBeCloseTo(0, 5);
    expect(numbers(result)[0][0]).toBeCloseTo(4, 5);
    expect(scoreOf).toHaveBeenCalledTimes(9);
    for (const [out] of scoreOf.mock.calls) expect(out.length).toBe(2);
  });

  it('does not call the model without rows or without features that have columns', async () => {
    const predict = linear();
    expect(await occlusionContributions(predict, new Float32Array(0), 0, width, 2, ranges, baselineRow(preprocessor), (o) => o[0])).toEqual([]);
    const empty = [{ feature: 'EMPTY', start: 4, end: 4 }];
    const result = await occlusionContributions(predict, x, 3, width, 2, empty, baselineRow(preprocessor), (o) => o[0]);
    expect(result).toEqual([[{ feature: 'EMPTY', contribution: 0 }], [{ feature: 'EMPTY', contribution: 0 }], [{ feature: 'EMPTY', contribution: 0 }]]);
    expect(predict).not.toHaveBeenCalled();
  });

  it('rejects sizes that do not fit together', async () => {
    const base = baselineRow(preprocessor);
    const run = (args: { xs?: Float32Array; baseline?: Float32Array; r?: typeof ranges; outputWidth?: number }) =>
      occlusionContributions(linear(), args.xs ?? x, 3, width, args.outputWidth ?? 2, args.r ?? ranges, args.baseline ?? base, (o) => o[0]);
    await expect(run({ xs: new Float32Array(5) })).rejects.toThrow(RangeError);
    await expect(run({ baseline: new Float32Array(3) })).rejects.toThrow(RangeError);
    await expect(run({ r: [{ feature: 'AGE', start: 3, end: 5 }] })).rejects.toThrow(RangeError);
    await expect(run({ outputWidth: 1 })).rejects.toThrow(/the model returned 18 values/);
  });
});
