import { describe, expect, it } from 'vitest';
import {
  categoryDrift,
  driftStatus,
  ksAgainstDeciles,
  ksStatistic,
  numericDrift,
  psi,
  PSI_EPSILON,
  scoreShares,
  servedCategory,
  servedNumber,
} from '../../src/ml/drift';
import { fitPreprocessor, type FeatureEncoding } from '../../src/ml/preprocessing';

const DECILES_1_TO_9 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
// 0.5, 1.5, …, 9.5: exactly one value in each of the ten bins.
const EVEN = Array.from({ length: 10 }, (_, i) => i + 0.5);

describe('psi', () => {
  it('is 0 for identical distributions', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
  });

  it('matches the hand-computed sum', () => {
    // (0.9 - 0.5)·ln(0.9/0.5) + (0.1 - 0.5)·ln(0.1/0.5) = 0.4·0.5877867 + 0.4·1.6094379 = 0.8788898
    expect(psi([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.8788898309, 9);
  });

  it('replaces an empty bin by epsilon instead of going infinite', () => {
    expect(PSI_EPSILON).toBe(1e-4);
    // (1 - 0.5)·ln(1/0.5) + (1e-4 - 0.5)·ln(1e-4/0.5) = 0.3465736 + 0.4999·8.5171932 = 4.6043185
    expect(psi([0.5, 0.5], [1, 0])).toBeCloseTo(4.6043184667, 9);
    // A larger epsilon caps the same empty bin lower: 0.3465736 + 0.49·ln(0.5/0.01) = 0.3465736 + 0.49·3.9120230
    expect(psi([0.5, 0.5], [1, 0], 0.01)).toBeCloseTo(0.5 * Math.log(2) + 0.49 * Math.log(50), 12);
  });

  it('is symmetric and non-negative', () => {
    const e = [0.2, 0.3, 0.5];
    const a = [0.25, 0.25, 0.5];
    expect(psi(e, a)).toBeGreaterThan(0);
    expect(psi(e, a)).toBeCloseTo(psi(a, e), 12);
  });

  it('rejects bins of different counts', () => {
    expect(() => psi([1], [0.5, 0.5])).toThrow(RangeError);
  });
});

describe('driftStatus', () => {
  it('splits at 0.1 and 0.25', () => {
    expect(driftStatus(0)).toBe('STABLE');
    expect(driftStatus(0.0999)).toBe('STABLE');
    expect(driftStatus(0.1)).toBe('MODERATE');
    expect(driftStatus(0.2499)).toBe('MODERATE');
    expect(driftStatus(0.25)).toBe('SIGNIFICANT');
  });
});

describe('served value parsing', () => {
  it('reads numbers, numeric text and booleans; the rest is missing', () => {
    expect([12.5, ' 3e2 ', true, false, 'abc', '', null, undefined, NaN, Infinity, {}].map(servedNumber)).toEqual([
      12.5, 300, 1, 0, null, null, null, null, null, null, null,
    ]);
  });

  it('reads categories as training did', () => {
    expect(['own', 4, true, '', '  ', null, undefined, NaN].map(servedCategory)).toEqual(['own', '4', 'true', null, null, null, null, null]);
  });
});

describe('numericDrift', () => {
  it('is ~0 when served values spread like the training deciles', () => {
    const result = numericDrift(DECILES_1_TO_9, EVEN)!;
    expect(result.count).toBe(10);
    expect(result.bins).toHaveLength(10);
    expect(result.bins.every((b) => b.expected === 0.1 && b.actual === 0.1)).toBe(true);
    expect(result.bins.map((b) => b.label).slice(0, 2)).toEqual(['<= 1', '1 to 2']);
    expect(result.bins[9].label).toBe('> 9');
    expect(result.psi).toBeCloseTo(0, 12);
  });

  it('puts a value equal to an edge in the bin the edge closes', () => {
    // 1 ∈ (-inf, 1], 9 ∈ (8, 9], 9.0001 ∈ (9, inf).
    const bins = numericDrift(DECILES_1_TO_9, [1, 9, 9.0001])!.bins;
    expect(bins.map((b) => b.actual * 3)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('is significant when every value is above the last edge', () => {
    const result = numericDrift(DECILES_1_TO_9, [10, 11, 12])!;
    // 9 empty bins: 9·(1e-4 - 0.1)·ln(1e-4/0.1) = 9·0.0999·6.9077553 = 6.2107; top bin: (1 - 0.1)·ln(10) = 2.0723
    expect(result.psi).toBeCloseTo(8.2830893550, 9);
    expect(driftStatus(result.psi)).toBe('SIGNIFICANT');
  });

  it('collapses duplicate edges into distinct bins with summed shares', () => {
    const result = numericDrift([0, 0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 5])!;
    // <= 0 holds deciles 1–5 (50 %), (0, 1] deciles 6–9 (40 %), > 1 the last 10 %.
    expect(result.bins).toEqual([
      { label: '<= 0', expected: 0.5, actual: 0.5 },
      { label: '0 to 1', expected: 0.4, actual: 0.25 },
      { label: '> 1', expected: 0.1, actual: 0.25 },
    ]);
    // (0.25 - 0.4)·ln(0.25/0.4) + (0.25 - 0.1)·ln(0.25/0.1) = 0.15·0.4700036 + 0.15·0.9162907
    expect(result.psi).toBeCloseTo(0.15 * Math.log(1.6) + 0.15 * Math.log(2.5), 12);
  });

  it('drops the top bin when the training max equals the last edge (0/1 flag)', () => {
    const flags = [0, 1, 0, 1];
    // Without max the empty "> 1" bin alone adds (1e-4 - 0.1)·ln(1e-4/0.1) = 0.69: a false alarm.
    expect(driftStatus(numericDrift([0, 0, 0, 0, 0, 1, 1, 1, 1], flags)!.psi)).toBe('SIGNIFICANT');
    const result = numericDrift([0, 0, 0, 0, 0, 1, 1, 1, 1], flags, 1)!;
    expect(result.bins).toEqual([
      { label: '<= 0', expected: 0.5, actual: 0.5 },
      { label: '0 to 1', expected: 0.5, actual: 0.5 },
    ]);
    expect(result.psi).toBe(0);
  });

  it('formats edges with up to 4 significant digits', () => {
    const labels = numericDrift([0.123456, 1234.5, 98765, 98765, 98765, 98765, 98765, 98765, 98765], [1])!.bins.map((b) => b.label);
    expect(labels).toEqual(['<= 0.1235', '0.1235 to 1235', '1235 to 98770', '> 98770']);
  });

  it('leaves out missing values and returns null without data', () => {
    expect(numericDrift(DECILES_1_TO_9, [null, NaN, 5])!.count).toBe(1);
    expect(numericDrift(DECILES_1_TO_9, [null, NaN])).toBeNull();
    expect(numericDrift([], [1, 2])).toBeNull();
  });

  it('flags amounts tripled since training', () => {
    // Training amounts 10, 20, …, 10 000: nearest-rank deciles 1000, 2000, …, 9000.
    const training = Array.from({ length: 1000 }, (_, i) => ({ AMOUNT: (i + 1) * 10 }));
    const encoding = fitPreprocessor(training, [{ name: 'AMOUNT', type: 'NUMBER' }]).features[0] as Extract<FeatureEncoding, { kind: 'numeric' }>;
    expect(encoding.deciles).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    const same = numericDrift(encoding.deciles!, training.map((r) => r.AMOUNT), encoding.max)!;
    expect(same.psi).toBeCloseTo(0, 12);
    // ×3: only 33 of 1000 stay <= 1000 while 700 land above 9000.
    const tripled = numericDrift(encoding.deciles!, training.map((r) => r.AMOUNT * 3), encoding.max)!;
    expect(tripled.bins[0].actual).toBe(0.033);
    expect(tripled.bins[9].actual).toBe(0.7);
    expect(tripled.psi).toBeGreaterThan(0.25);
    expect(driftStatus(tripled.psi)).toBe('SIGNIFICANT');
  });
});

describe('categoryDrift', () => {
  it('sends unseen and missing values to (other)', () => {
    // Training: own 60 %, rent 30 %, other 10 %. Served: own 2/5, rent 1/5, other 2/5 (free, null).
    const result = categoryDrift(['own', 'rent'], [0.6, 0.3], ['own', 'own', 'rent', 'free', null])!;
    expect(result.count).toBe(5);
    expect(result.bins.map((b) => b.label)).toEqual(['own', 'rent', '(other)']);
    expect(result.bins[2].expected).toBeCloseTo(0.1, 12);
    expect(result.bins.map((b) => b.actual)).toEqual([0.4, 0.2, 0.4]);
    // (0.4-0.6)·ln(0.4/0.6) + (0.2-0.3)·ln(0.2/0.3) + (0.4-0.1)·ln(0.4/0.1)
    //   = 0.2·0.4054651 + 0.1·0.4054651 + 0.3·1.3862944 = 0.0810930 + 0.0405465 + 0.4158883 = 0.5375278
    expect(result.psi).toBeCloseTo(0.5375278408, 9);
  });

  it('gives (other) no negative share when shares sum past 1 by rounding', () => {
    const result = categoryDrift(['a', 'b'], [0.5, 0.5000001], ['a', 'b'])!;
    expect(result.bins[2]).toEqual({ label: '(other)', expected: 0, actual: 0 });
    expect(result.psi).toBeCloseTo(0, 6);
  });

  it('returns null without served values and rejects misaligned shares', () => {
    expect(categoryDrift(['a'], [1], [])).toBeNull();
    expect(() => categoryDrift(['a', 'b'], [1], ['a'])).toThrow(RangeError);
  });
});

describe('ksStatistic', () => {
  it('is 0 for identical samples and 1 for disjoint ones', () => {
    expect(ksStatistic([3, 1, 2], [1, 2, 3])).toBe(0);
    expect(ksStatistic([1, 2, 3], [4, 5, 6])).toBe(1);
  });

  it('matches a hand-worked partial overlap', () => {
    // x=2: F1 = 2/4, F2 = 0 → 0.5; x=3: 3/4 vs 1/4; x=4: 1 vs 2/4; beyond, the gap closes.
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
  });

  it('steps over ties in both samples together', () => {
    // x=1: F1 = 2/3, F2 = 1/3 → 1/3; x=2: both 1. Stepping one copy at a time would report 2/3.
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12);
  });

  it('leaves out non-finite values and returns null for an empty sample', () => {
    expect(ksStatistic([NaN, 1], [1])).toBe(0);
    expect(ksStatistic([], [1])).toBeNull();
    expect(ksStatistic([1], [NaN])).toBeNull();
  });
});

describe('ksAgainstDeciles', () => {
  it('is 0 when served values spread like training', () => {
    expect(ksAgainstDeciles(DECILES_1_TO_9, EVEN)).toBeCloseTo(0, 12);
  });

  it('is 0.9 when every value is above the last edge, 1 when that edge is also the max', () => {
    // F_train(9) = 0.9 while F_served(9) = 0.
    expect(ksAgainstDeciles(DECILES_1_TO_9, [10, 20])).toBeCloseTo(0.9, 12);
    expect(ksAgainstDeciles(DECILES_1_TO_9, [10, 20], 9)).toBe(1);
  });

  it('uses the largest k for duplicate edges', () => {
    // Edges 0 (F_train 0.5) and 1 (F_train 0.9); served [0, 0, 1, 1]: F(0) = 0.5, F(1) = 1 → D = 0.1.
    expect(ksAgainstDeciles([0, 0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1])).toBeCloseTo(0.1, 12);
    expect(ksAgainstDeciles([0, 0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1], 1)).toBe(0);
  });

  it('returns null without deciles or values', () => {
    expect(ksAgainstDeciles([], [1])).toBeNull();
    expect(ksAgainstDeciles(DECILES_1_TO_9, [NaN])).toBeNull();
  });
});

describe('scoreShares', () => {
  it('counts scores in equal-width bins, clamping the ends', () => {
    // 0, 0.05, -0.2 → bin 0; 0.1 → bin 1; 0.95, 1, 1.3 → bin 9; NaN left out (7 scores).
    const shares = scoreShares([0, 0.05, 0.1, 0.95, 1, -0.2, 1.3, NaN]);
    expect(shares).toHaveLength(10);
    expect(shares[0]).toBeCloseTo(3 / 7, 12);
    expect(shares[1]).toBeCloseTo(1 / 7, 12);
    expect(shares[9]).toBeCloseTo(3 / 7, 12);
    expect(shares.slice(2, 9).every((s) => s === 0)).toBe(true);
  });

  it('supports other bin counts and no scores', () => {
    expect(scoreShares([0.2, 0.5, 0.7, 0.9], 2)).toEqual([0.25, 0.75]);
    expect(scoreShares([], 4)).toEqual([0, 0, 0, 0]);
    expect(() => scoreShares([0.5], 0)).toThrow(RangeError);
  });
});
