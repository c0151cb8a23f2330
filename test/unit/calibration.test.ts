import { describe, expect, it } from 'vitest';
import { calibrate, calibrationBins, estimatePerformance, fitPlatt } from '../../src/ml/calibration';
import { createRandom } from '../../src/ml/random';

describe('calibration', () => {
  it('bins predicted against observed, by hand', () => {
    const bins = calibrationBins([0.05, 0.15, 0.12, 0.85, 0.95, 0.91], [0, 0, 1, 1, 1, 0]);
    expect(bins).toEqual([
      { from: 0, to: 0.1, count: 1, meanPredicted: 0.05, observedRate: 0 },
      { from: 0.1, to: 0.2, count: 2, meanPredicted: 0.135, observedRate: 0.5 },
      { from: 0.8, to: 0.9, count: 1, meanPredicted: 0.85, observedRate: 1 },
      { from: 0.9, to: 1, count: 2, meanPredicted: 0.93, observedRate: 0.5 },
    ].map((b) => ({ ...b, meanPredicted: expect.closeTo(b.meanPredicted, 12) })));
  });

  it('Platt scaling turns overconfident scores into calibrated ones', () => {
    // True probability q; the model reports q pushed towards the ends (logit × 3).
    const random = createRandom(3);
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const q = 0.05 + 0.9 * random();
      const z = Math.log(q / (1 - q)) * 3;
      scores.push(1 / (1 + Math.exp(-z)));
      labels.push(random() < q ? 1 : 0);
    }
    const platt = fitPlatt(scores, labels);
    expect(platt.a).toBeCloseTo(1 / 3, 1);
    expect(Math.abs(platt.b)).toBeLessThan(0.05);
    const bins = calibrationBins(scores.map((s) => calibrate(platt, s)), labels);
    for (const bin of bins.filter((b) => b.count > 500)) expect(Math.abs(bin.meanPredicted - bin.observedRate)).toBeLessThan(0.03);
  });

  it('CBPE on a hand-built calibrated case: expected accuracy, positive rate and AUC', () => {
    // Two rows: 0.8 and 0.2. Accuracy: (0.8 + 0.8) / 2. Positive rate 0.5.
    // AUC: pairs weighted p_i(1 − p_j): (0.8·0.8 right) / (0.8·0.8 + 0.2·0.2) = 0.64 / 0.68.
    const e = estimatePerformance([0.8, 0.2]);
    expect(e.accuracy).toBeCloseTo(0.8, 12);
    expect(e.positiveRate).toBeCloseTo(0.5, 12);
    expect(e.auc).toBeCloseTo(0.64 / 0.68, 12);
  });

  it('CBPE agrees with the realised figures when outcomes follow the probabilities', () => {
    const random = createRandom(9);
    const p = Array.from({ length: 20_000 }, () => random());
    const y = p.map((q) => (random() < q ? 1 : 0));
    const estimate = estimatePerformance(p);
    const realisedAccuracy = p.filter((q, i) => (q >= 0.5 ? 1 : 0) === y[i]).length / p.length;
    // Realised AUC by Mann–Whitney over the sorted scores (no ties in random doubles).
    let right = 0;
    let negatives = 0;
    for (const [, label] of p.map((q, i) => [q, y[i]]).sort((a, b) => a[0] - b[0])) {
      if (label === 1) right += negatives;
      else negatives++;
    }
    const positives = y.filter((l) => l === 1).length;
    const pairs = positives * (y.length - positives);
    expect(estimate.accuracy).toBeCloseTo(realisedAccuracy, 2);
    expect(estimate.auc!).toBeCloseTo(right / pairs, 2);
    expect(estimate.positiveRate).toBeCloseTo(positives / y.length, 2);
  });
});
