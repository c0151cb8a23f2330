import { describe, expect, it } from 'vitest';
import {
  absolutePearson, correlationRatio, correlationScore, cramersV, equalFrequencyBins, featureColumns, mutualInformation, selectFeatures, targetColumn,
} from '../../src/ml/feature-selection';

/** Rows of a contingency table: `counts[a][b]` rows with x = a and y = b. */
function fromTable(counts: number[][]): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  counts.forEach((row, a) => row.forEach((count, b) => {
    for (let i = 0; i < count; i++) {
      x.push(a);
      y.push(b);
    }
  }));
  return { x, y };
}

describe('mutualInformation', () => {
  it('matches a hand-computed 2×2 table', () => {
    // Counts [[4, 1], [2, 3]], n = 10: p(x) = (0.5, 0.5), p(y) = (0.6, 0.4).
    // MI = 0.4·ln(0.4 / (0.5·0.6)) + 0.1·ln(0.1 / (0.5·0.4)) + 0.2·ln(0.2 / (0.5·0.6)) + 0.3·ln(0.3 / (0.5·0.4))
    //    = 0.4·ln(4/3) + 0.1·ln(1/2) + 0.2·ln(2/3) + 0.3·ln(3/2) ≈ 0.0863046217
    const { x, y } = fromTable([[4, 1], [2, 3]]);
    const expected = 0.4 * Math.log(4 / 3) + 0.1 * Math.log(1 / 2) + 0.2 * Math.log(2 / 3) + 0.3 * Math.log(3 / 2);
    expect(Math.abs(mutualInformation(x, y, { categorical: true }) - expected)).toBeLessThan(1e-12);
    // A numeric feature with 2 distinct values (≤ 10 bins) is used as is: the same number.
    expect(Math.abs(mutualInformation(x.map((v) => v * 7.5 - 2), y) - expected)).toBeLessThan(1e-12);
    // Codes are labels only: renaming them changes nothing.
    expect(Math.abs(mutualInformation(x.map((v) => (v === 0 ? 42 : -3)), y, { categorical: true }) - expected)).toBeLessThan(1e-12);
  });

  it('is ln 2 for a copy of a balanced binary target and 0 for an independent feature', () => {
    const { x, y } = fromTable([[5, 0], [0, 5]]);
    expect(Math.abs(mutualInformation(x, y, { categorical: true }) - Math.log(2))).toBeLessThan(1e-12);
    const independent = fromTable([[2, 2], [3, 3]]);
    expect(mutualInformation(independent.x, independent.y, { categorical: true })).toBe(0);
  });

  it('bins numbers into equal-frequency bins, the target too for regression', () => {
    const values = Array.from({ length: 100 }, (_, i) => 99 - i);
    expect(Array.from(equalFrequencyBins(values))).toEqual(values.map((v) => Math.floor(v / 10)));
    // Ties stay together: 0 × 50 then 1 … 50.
    const tied = [...Array(50).fill(0), ...Array.from({ length: 50 }, (_, i) => i + 1)];
    const codes = equalFrequencyBins(tied, 4);
    expect(new Set(codes.slice(0, 50))).toEqual(new Set([0]));
    // A regression target that is a monotone function of x: 10 bins each, MI = ln 10.
    const x = Array.from({ length: 100 }, (_, i) => i);
    expect(mutualInformation(x, x.map((v) => v ** 3), { targetCategorical: false })).toBeCloseTo(Math.log(10), 12);
  });
});

describe('correlation scores', () => {
  it('computes |r|, η and Cramér’s V by hand', () => {
    // |r| of (1,2,3) with (3,2,1) is 1; with a constant it is 0.
    expect(absolutePearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(1, 15);
    expect(absolutePearson([1, 2, 3], [5, 5, 5])).toBe(0);
    // η of 1, 3, 5, 7 over groups 0, 0, 1, 1: mean 4, total SS 9+1+1+9 = 20, between 2·2² + 2·2² = 16: √0.8.
    expect(correlationRatio([1, 3, 5, 7], [0, 0, 1, 1])).toBeCloseTo(Math.sqrt(0.8), 15);
    // Table [[3, 1], [1, 3]]: expected 2 per cell, χ² = 4 × 1/2 = 2, V = √(2 / 8) = ½ = |φ|.
    const { x, y } = fromTable([[3, 1], [1, 3]]);
    expect(cramersV(x, y)).toBeCloseTo(0.5, 15);
    expect(absolutePearson(x, y)).toBeCloseTo(0.5, 15);
    // A category feature against a binary target: η of the 0/1 target equals V here.
    expect(correlationScore({ name: 'c', values: x, categorical: true }, { values: y, categorical: false })).toBeCloseTo(0.5, 15);
  });
});

describe('selectFeatures', () => {
  it('CORRELATION_FILTER drops the redundant twin and keeps the one more correlated with the target', () => {
    const n = 50;
    const a = Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
    // The twin is a with a little of −b: |r(a, twin)| ≈ 0.96 > 0.9, and less correlated with a + ½b than a is.
    const twin = a.map((v, i) => v - 0.3 * b[i]);
    const target = a.map((v, i) => v + 0.5 * b[i]);
    const result = selectFeatures('CORRELATION_FILTER', {
      features: [{ name: 'twin', values: twin, categorical: false }, { name: 'b', values: b, categorical: false }, { name: 'a', values: a, categorical: false }],
      target: { values: target, categorical: false },
    }, { keep: 5 });
    expect(result.kept).toEqual(['a', 'b']);
    const twinScore = result.scores.find((s) => s.feature === 'twin')!;
    expect(twinScore).toMatchObject({ selected: false, redundantWith: 'a' });
    expect(result.scores.map((s) => s.feature)).toEqual(['a', 'twin', 'b']);
    // With a threshold above their association, both stay.
    const loose = selectFeatures('CORRELATION_FILTER', {
      features: [{ name: 'twin', values: twin, categorical: false }, { name: 'a', values: a, categorical: false }],
      target: { values: target, categorical: false },
    }, { threshold: 1 });
    expect(loose.kept).toEqual(['a', 'twin']);
  });

  it('ranks by score, ties by name, whatever the input order, and keeps the best `keep`', () => {
    const one = selectFeatures('IMPORTANCE', { b: 0.3, d: 0.1, a: 0.3, c: 0.5 }, { keep: 2 });
    const two = selectFeatures('IMPORTANCE', { c: 0.5, a: 0.3, b: 0.3, d: 0.1 }, { keep: 2 });
    expect(one).toEqual(two);
    expect(one.kept).toEqual(['c', 'a']);
    expect(one.scores.map((s) => [s.feature, s.rank, s.selected])).toEqual([['c', 1, true], ['a', 2, true], ['b', 3, false], ['d', 4, false]]);
    // For IMPORTANCE and MUTUAL_INFORMATION a threshold is the least score kept.
    expect(selectFeatures('IMPORTANCE', { a: 0.3, c: 0.5, d: 0.1 }, { keep: 3, threshold: 0.2 }).kept).toEqual(['c', 'a']);
    expect(() => selectFeatures('IMPORTANCE', { a: 1 }, { keep: 0 })).toThrow(RangeError);
  });

  it('MUTUAL_INFORMATION ranks a category feature that determines the class first', () => {
    const target = [0, 0, 1, 1, 2, 2, 0, 1];
    const result = selectFeatures('MUTUAL_INFORMATION', {
      features: [
        { name: 'noise', values: [1, 2, 1, 2, 1, 2, 2, 1], categorical: false },
        { name: 'copy', values: target.map((c) => c + 10), categorical: true },
      ],
      target: { values: target, categorical: true },
    }, { keep: 1 });
    expect(result.kept).toEqual(['copy']);
    // H(target) for class shares 3/8, 3/8, 2/8.
    expect(result.scores[0].score).toBeCloseTo(-(2 * (3 / 8) * Math.log(3 / 8) + (2 / 8) * Math.log(2 / 8)), 12);
  });
});

describe('featureColumns and targetColumn', () => {
  it('turns encoded columns into one column per feature', () => {
    // Columns: [amount, colour=a, colour=b]; the third row's colour was unseen (all zeros).
    const x = new Float32Array([0.5, 1, 0, -1, 0, 1, 2, 0, 0]);
    const ranges = [{ feature: 'amount', start: 0, end: 1 }, { feature: 'colour', start: 1, end: 3 }];
    const [amount, colour] = featureColumns(x, 3, 3, ranges, [false, true, true]);
    expect(amount).toEqual({ name: 'amount', values: Float64Array.from([0.5, -1, 2]), categorical: false });
    expect(colour).toEqual({ name: 'colour', values: Float64Array.from([0, 1, 2]), categorical: true });
    expect(Array.from(targetColumn({ y: new Float32Array([0, 1, 0, 0, 0, 1]), count: 2 }, 3, true).values)).toEqual([1, 2]);
  });
});
