import { describe, expect, it } from 'vitest';
import { permutationImportance } from '../../src/ml/permutation-importance';

// 4 rows × 3 columns: feature "a" is column 0, feature "b" is the one-hot pair in columns 1–2.
const x = new Float32Array([10, 1, 0, 20, 0, 1, 30, 1, 0, 40, 0, 1]);
const target = [10, 20, 30, 40];
// A model that only looks at column 0, scored by minus the total absolute error.
const predict = (input: Float32Array, rows: number) => Float32Array.from({ length: rows }, (_, r) => input[r * 3]);
const score = (p: Float32Array) => -p.reduce((sum, v, i) => sum + Math.abs(v - target[i]), 0);
// random() ≡ 0 makes Fisher–Yates swap with index 0 each time: [0,1,2,3] → [3,1,2,0] → [2,1,3,0] → [1,2,3,0].
const zero = () => 0;

describe('permutationImportance', () => {
  it('scores the drop when a feature is shuffled, most important first', async () => {
    // Column 0 becomes 20, 30, 40, 10: errors 10 + 10 + 10 + 30 = 60 against a baseline of 0.
    const result = await permutationImportance(predict, x, 4, 3, [{ feature: 'b', start: 1, end: 3 }, { feature: 'a', start: 0, end: 1 }], score, zero);
    expect(result).toEqual([{ feature: 'a', importance: 60 }, { feature: 'b', importance: 0 }]);
  });

  it('moves all columns of a range with one row permutation and leaves the others and x alone', async () => {
    const seen: number[][] = [];
    const spy = async (input: Float32Array, rows: number) => {
      seen.push(Array.from(input));
      return predict(input, rows);
    };
    const before = Array.from(x);
    await permutationImportance(spy, x, 4, 3, [{ feature: 'b', start: 1, end: 3 }], score, zero);
    expect(seen).toHaveLength(2); // baseline, then "b" shuffled
    // Rows of the b block come from original rows 1, 2, 3, 0, as pairs; column 0 is untouched.
    expect(seen[1]).toEqual([10, 0, 1, 20, 1, 0, 30, 0, 1, 40, 1, 0]);
    expect(Array.from(x)).toEqual(before);
  });

  it('restores each block before shuffling the next feature', async () => {
    const seen: number[][] = [];
    const spy = (input: Float32Array, rows: number) => {
      seen.push(Array.from(input));
      return predict(input, rows);
    };
    await permutationImportance(spy, x, 4, 3, [{ feature: 'a', start: 0, end: 1 }, { feature: 'b', start: 1, end: 3 }], score, zero);
    expect(seen[2].filter((_, i) => i % 3 === 0)).toEqual([10, 20, 30, 40]);
  });

  it('reports a negative importance when shuffling improves the score', async () => {
    // Target is column 0 reversed; shuffling with [1,2,3,0] gives 20,30,40,10: errors 20+0+20+0 = 40 vs baseline 30+10+10+30 = 80.
    const reversed = [40, 30, 20, 10];
    const s = (p: Float32Array) => -p.reduce((sum, v, i) => sum + Math.abs(v - reversed[i]), 0);
    const result = await permutationImportance(predict, x, 4, 3, [{ feature: 'a', start: 0, end: 1 }], s, zero);
    expect(result).toEqual([{ feature: 'a', importance: -40 }]);
  });

  it('rejects a shape or a range that does not fit', async () => {
    await expect(permutationImportance(predict, x, 3, 3, [], score, zero)).rejects.toThrow(RangeError);
    await expect(permutationImportance(predict, x, 4, 3, [{ feature: 'c', start: 2, end: 4 }], score, zero)).rejects.toThrow(/feature c/);
  });
});
