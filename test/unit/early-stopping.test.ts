import { describe, expect, it } from 'vitest';
import { hyperbandBands, median, quantile, shouldStop } from '../../src/ml/early-stopping';

// Hand-built validation-loss curves of four runs, epochs 1..6.
const curves = {
  good: [0.9, 0.7, 0.55, 0.45, 0.4, 0.38],
  fine: [0.95, 0.75, 0.6, 0.5, 0.46, 0.44],
  slow: [1.0, 0.9, 0.85, 0.8, 0.78, 0.77],
  bad: [1.2, 1.15, 1.1, 1.08, 1.07, 1.07],
};
const at = (epoch: number, ...names: (keyof typeof curves)[]) => names.map((n) => curves[n][epoch - 1]);

describe('median stopping rule', () => {
  const rule = { type: 'MEDIAN' as const, warmupEpochs: 2, minRuns: 2 };

  it('lets every run through the warm-up, and with fewer than minRuns others to compare', () => {
    expect(shouldStop(rule, 1, curves.bad[0], at(1, 'good', 'fine', 'slow'), true)).toBeNull();
    expect(shouldStop(rule, 3, curves.bad[2], at(3, 'good'), true)).toBeNull();
  });

  it('stops a run worse than the median of the others at the same epoch, and only such a run', () => {
    // Others at epoch 3: 0.55, 0.6, 0.85 → median 0.6.
    expect(shouldStop(rule, 3, curves.bad[2], at(3, 'good', 'fine', 'slow'), true, 'val_loss')).toBe('val_loss 1.1 at epoch 3 is worse than the median 0.6 of 3 other runs at that epoch (MEDIAN)');
    // The slow run (0.85) against 0.55, 0.6, 1.1: median 0.6, so it stops; against 0.6 and 1.1 the median is 0.85: not worse.
    expect(shouldStop(rule, 3, curves.slow[2], at(3, 'good', 'fine', 'bad'), true)).toMatch(/median 0.6 of 3/);
    expect(shouldStop(rule, 3, 0.85, [0.6, 1.1], true)).toBeNull();
    expect(shouldStop(rule, 3, curves.good[2], at(3, 'fine', 'slow', 'bad'), true)).toBeNull();
  });

  it('reads higher as better when maximising', () => {
    expect(shouldStop(rule, 4, 0.6, [0.8, 0.9, 0.7], false)).toMatch(/worse than the median 0.8/);
    expect(shouldStop(rule, 4, 0.85, [0.8, 0.9, 0.7], false)).toBeNull();
  });
});

describe('Hyperband', () => {
  it('places bands from min_iter upwards, or from max_iter downwards, as W&B does', () => {
    expect(hyperbandBands({ minIter: 1, s: 3, eta: 3 })).toEqual([1, 3, 9]);
    expect(hyperbandBands({ minIter: 2, s: 2, eta: 2 })).toEqual([2, 4]);
    expect(hyperbandBands({ maxIter: 27, s: 3, eta: 3 })).toEqual([1, 3, 9]);
    expect(hyperbandBands({ maxIter: 10, s: 2, eta: 3 })).toEqual([1, 3]);
  });

  it('checks runs only at a band, against the 1/eta quantile of every run that reached it', () => {
    const rule = { type: 'HYPERBAND' as const, bands: [1, 3], eta: 3 };
    expect(shouldStop(rule, 2, curves.bad[1], at(2, 'good', 'fine', 'slow'), true)).toBeNull();
    // Band 3, all four: 0.55 0.6 0.85 1.1 → 1/3 quantile = 0.6 + (0.85-0.6)*0 = 0.6 (at index 1).
    expect(quantile([0.55, 0.6, 0.85, 1.1], 1 / 3)).toBeCloseTo(0.6, 10);
    expect(shouldStop(rule, 3, curves.slow[2], at(3, 'good', 'fine', 'bad'), true)).toMatch(/HYPERBAND/);
    expect(shouldStop(rule, 3, curves.bad[2], at(3, 'good', 'fine', 'slow'), true)).toMatch(/HYPERBAND/);
    expect(shouldStop(rule, 3, curves.good[2], at(3, 'fine', 'slow', 'bad'), true)).toBeNull();
    expect(shouldStop(rule, 3, curves.fine[2], at(3, 'good', 'slow', 'bad'), true)).toBeNull();
    // The first run to reach a band has nothing to lose to.
    expect(shouldStop(rule, 1, curves.bad[0], [], true)).toBeNull();
  });

  it('takes the upper quantile when maximising', () => {
    const rule = { type: 'HYPERBAND' as const, bands: [2], eta: 3 };
    expect(shouldStop(rule, 2, 0.6, [0.9, 0.8, 0.7], false)).toMatch(/HYPERBAND/);
    expect(shouldStop(rule, 2, 0.9, [0.6, 0.8, 0.7], false)).toBeNull();
  });
});

it('median and quantile', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
  expect(quantile([1, 2, 3, 4, 5], 0)).toBe(1);
  expect(quantile([1, 2, 3, 4, 5], 1)).toBe(5);
});
