import { describe, expect, it } from 'vitest';
import { makeWindows } from '../../src/ml/windows';

describe('makeWindows', () => {
  it('slides a window over the target alone', () => {
    // 6 values, window 2, horizon 2: 6 - 2 - 2 + 1 = 3 samples.
    const w = makeWindows(new Float32Array([1, 2, 3, 4, 5, 6]), null, 0, 2, 2);
    expect(w.count).toBe(3);
    expect(w.stepFeatures).toBe(1);
    expect(Array.from(w.x)).toEqual([1, 2, 2, 3, 3, 4]);
    expect(Array.from(w.y)).toEqual([3, 4, 4, 5, 5, 6]);
  });

  it('puts the covariates after the target in each step', () => {
    const series = new Float32Array([10, 20, 30, 40]);
    const covariates = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]); // rows [1,2] [3,4] [5,6] [7,8]
    // window 2, horizon 1: 4 - 2 - 1 + 1 = 2 samples.
    const w = makeWindows(series, covariates, 2, 2, 1);
    expect(w.count).toBe(2);
    expect(w.stepFeatures).toBe(3);
    expect(Array.from(w.x)).toEqual([10, 1, 2, 20, 3, 4, 20, 3, 4, 30, 5, 6]);
    expect(Array.from(w.y)).toEqual([30, 40]);
  });

  it('makes one sample when the series is exactly window + horizon long', () => {
    const w = makeWindows(new Float32Array([1, 2, 3, 4, 5]), null, 0, 3, 2);
    expect(w.count).toBe(1);
    expect(Array.from(w.x)).toEqual([1, 2, 3]);
    expect(Array.from(w.y)).toEqual([4, 5]);
  });

  it('throws when there is no complete sample or the arguments disagree', () => {
    expect(() => makeWindows(new Float32Array([1, 2, 3]), null, 0, 2, 2)).toThrow(/3 rows.*at least 4/);
    expect(() => makeWindows(new Float32Array([1, 2, 3]), new Float32Array(5), 2, 1, 1)).toThrow(RangeError);
    expect(() => makeWindows(new Float32Array([1, 2, 3]), null, 0, 0, 1)).toThrow(RangeError);
    expect(() => makeWindows(new Float32Array([1, 2, 3]), null, 0, 1, 1.5)).toThrow(RangeError);
  });
});
