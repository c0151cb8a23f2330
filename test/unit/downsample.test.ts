import { describe, expect, it } from 'vitest';
import { downsampleMinMax, type SeriesPoint } from '../../src/ml/downsample';

const series = (values: number[]): SeriesPoint[] => values.map((value, step) => ({ step, value }));
// Steps 0–9; global min 1 at step 1, global max 9 at step 6.
const ten = series([5, 1, 7, 3, 4, 6, 9, 2, 8, 5]);
const steps = (points: SeriesPoint[]) => points.map((p) => p.step);

describe('downsampleMinMax', () => {
  it('returns the input itself when it already fits', () => {
    expect(downsampleMinMax(ten, 10)).toBe(ten);
    expect(downsampleMinMax([], 0)).toEqual([]);
  });

  it('keeps each bucket’s min and max plus the endpoints, trimming near the ends', () => {
    // 2 buckets: steps 0–4 keep 1 (min) and 2 (max); steps 5–9 keep 7 (min) and 6 (max).
    // With 0 and 9: [0,1,2,6,7,9], two too many; 2 (nearest the start) and 7 (nearest the end) go.
    expect(steps(downsampleMinMax(ten, 4))).toEqual([0, 1, 6, 9]);
    // 3 buckets: 0–2 keep 1, 2; 3–5 keep 3, 5; 6–9 keep 7, 6 → [0,1,2,3,5,6,7,9]; 2 and 7 go.
    expect(steps(downsampleMinMax(ten, 6))).toEqual([0, 1, 3, 5, 6, 9]);
    // Odd limit: 3 buckets again, three too many: 2, then 7, then 3.
    expect(steps(downsampleMinMax(ten, 5))).toEqual([0, 1, 5, 6, 9]);
  });

  it('keeps one point when a bucket’s min and max coincide', () => {
    // 2 buckets over steps 0–3 ({0,1}, {2,3}); a constant bucket's min and max are its first point.
    const flat = series([1, 1, 2, 2]);
    expect(steps(downsampleMinMax(flat, 3))).toEqual([0, 2, 3]);
  });

  it('with room for fewer than 4 points keeps first, last, then the maximum', () => {
    expect(steps(downsampleMinMax(ten, 3))).toEqual([0, 6, 9]);
    expect(steps(downsampleMinMax(ten, 2))).toEqual([0, 9]);
  });

  it('handles uneven steps by step, not by index', () => {
    // Steps 0,1,2,3,100: 2 buckets split at step 50, so the first bucket holds four points.
    const points = [0, 1, 2, 3, 100].map((step, i) => ({ step, value: [3, 0, 9, 4, 5][i] }));
    expect(steps(downsampleMinMax(points, 4))).toEqual([0, 1, 2, 100]);
  });

  it('rejects a limit below 2 for a longer input', () => {
    expect(() => downsampleMinMax(ten, 1)).toThrow(RangeError);
  });

  it('keeps a single spike and dip among a million points', () => {
    const n = 1_000_000;
    const points = Array.from({ length: n }, (_, step) => ({ step, value: (step % 100) / 100 }));
    points[777_777].value = 50;
    points[123_457].value = -50;
    for (const maxPoints of [500, 501, 4]) {
      const out = downsampleMinMax(points, maxPoints);
      expect(out.length).toBeLessThanOrEqual(maxPoints);
      expect(out[0]).toBe(points[0]);
      expect(out.at(-1)).toBe(points[n - 1]);
      expect(out).toContain(points[777_777]);
      expect(out).toContain(points[123_457]);
      for (let i = 1; i < out.length; i++) expect(out[i].step).toBeGreaterThan(out[i - 1].step);
    }
  });
});
