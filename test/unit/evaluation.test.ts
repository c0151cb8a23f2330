import { describe, expect, it } from 'vitest';
import { binaryMetrics, confusionMatrix, ksStatistic, multiclassMetrics, regressionMetrics, rocAuc, rocCurve } from '../../src/ml/evaluation';

// The classic four-row example: sorted by score, labels read 1 (0.8), 0 (0.4), 1 (0.35), 0 (0.1).
const labels = [0, 0, 1, 1];
const scores = [0.1, 0.4, 0.35, 0.8];

describe('binaryMetrics', () => {
  it('counts at the threshold and computes AUC, log loss and KS by hand', () => {
    // threshold 0.5: only 0.8 is called positive → tp 1, fp 0, fn 1, tn 2
    const m = binaryMetrics(labels, scores);
    expect(m.accuracy).toBe(0.75);
    expect(m.precision).toBe(1);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.auc).toBeCloseTo(0.75, 12); // 3 of 4 positive/negative pairs ordered correctly
    expect(m.logLoss).toBeCloseTo(0.4722879, 6); // −(ln 0.9 + ln 0.6 + ln 0.35 + ln 0.8) / 4
    expect(m.ks).toBeCloseTo(0.5, 12);
  });

  it('calls a score equal to the threshold positive', () => {
    const m = binaryMetrics([1, 0], [0.5, 0.2], 0.5);
    expect([m.precision, m.recall, m.accuracy]).toEqual([1, 1, 1]);
  });

  it('reports precision, recall and F1 of 0 when nothing is predicted positive', () => {
    const m = binaryMetrics([0, 1], [0.1, 0.2]);
    expect(m).toMatchObject({ accuracy: 0.5, precision: 0, recall: 0, f1: 0 });
  });

  it('clips probabilities so a certain wrong answer costs −ln(1e-15), symmetrically', () => {
    const m = binaryMetrics([1, 0], [0, 1]);
    expect(m.logLoss).toBeCloseTo(15 * Math.LN10, 9); // 34.5388
    const certainRight = binaryMetrics([1, 0], [1, 0]).logLoss; // −ln(1 − 1e-15) ≈ 1e-15, not 0
    expect(certainRight).toBeGreaterThan(0);
    expect(certainRight).toBeLessThan(2e-15);
  });

  it('accepts typed arrays and gives NaN AUC/KS when one class is absent', () => {
    const m = binaryMetrics(new Float32Array([1, 1]), new Float32Array([0.9, 0.2]));
    expect(m.accuracy).toBe(0.5);
    expect(m.auc).toBeNaN();
    expect(m.ks).toBeNaN();
  });

  it('rejects mismatched lengths, empty input, non-binary labels and NaN scores', () => {
    expect(() => binaryMetrics([0, 1], [0.5])).toThrow(RangeError);
    expect(() => binaryMetrics([], [])).toThrow(RangeError);
    expect(() => binaryMetrics([0, 2], [0.1, 0.2])).toThrow(/not 0 or 1/);
    expect(() => binaryMetrics([0, 1], [0.1, NaN])).toThrow(/finite/);
  });
});

describe('rocAuc', () => {
  it('counts tied positive/negative pairs as 1/2', () => {
    // pairs (pos, neg): (0.5, 0.5) tie → ½, (0.5, 0.1) → 1, (0.9, 0.5) → 1, (0.9, 0.1) → 1: 3.5 / 4
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1])).toBe(0.875);
    expect(rocAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('is 1 for a perfect ranking, 0 for an inverted one, NaN with one class', () => {
    expect(rocAuc([0, 0, 1], [0.1, 0.2, 0.3])).toBe(1);
    expect(rocAuc([1, 1, 0], [0.1, 0.2, 0.3])).toBe(0);
    expect(rocAuc([0, 0], [0.1, 0.2])).toBeNaN();
  });
});

describe('rocCurve', () => {
  it('has one point per distinct score, from (0,0) to (1,1)', () => {
    expect(rocCurve(labels, scores)).toEqual([
      { fpr: 0, tpr: 0, threshold: 1.8 },
      { fpr: 0, tpr: 0.5, threshold: 0.8 },
      { fpr: 0.5, tpr: 0.5, threshold: 0.4 },
      { fpr: 0.5, tpr: 1, threshold: 0.35 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ]);
  });

  it('moves tied scores together in one step', () => {
    expect(rocCurve([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1])).toEqual([
      { fpr: 0, tpr: 0, threshold: 1.9 },
      { fpr: 0, tpr: 0.5, threshold: 0.9 },
      { fpr: 0.5, tpr: 1, threshold: 0.5 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ]);
  });

  it('downsamples evenly, keeping the first and last points', () => {
    // 7 full points (0..6); 4 kept → indices 0, 2, 4, 6
    const curve = rocCurve([0, 1, 0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 4);
    expect(curve.map((p) => [p.fpr, p.tpr, p.threshold])).toEqual([
      [0, 0, 1.6],
      [1 / 3, 1 / 3, 0.5],
      [2 / 3, 2 / 3, 0.3],
      [1, 1, 0.1],
    ]);
  });

  it('stays within maxPoints and monotone on a long input', () => {
    const n = 1000;
    const curve = rocCurve(Array.from({ length: n }, (_, i) => i % 2), Array.from({ length: n }, (_, i) => i / n), 200);
    expect(curve).toHaveLength(200);
    expect(curve[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(curve.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i].fpr).toBeGreaterThanOrEqual(curve[i - 1].fpr);
      expect(curve[i].tpr).toBeGreaterThanOrEqual(curve[i - 1].tpr);
      expect(curve[i].threshold).toBeLessThan(curve[i - 1].threshold);
    }
  });

  it('is empty when one class is absent', () => {
    expect(rocCurve([1, 1], [0.2, 0.7])).toEqual([]);
  });
});

describe('ksStatistic', () => {
  it('is the largest vertical gap between TPR and FPR', () => {
    expect(ksStatistic(labels, scores)).toBe(0.5);
    expect(ksStatistic([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(ksStatistic([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(1); // absolute gap
    expect(ksStatistic([1, 0], [0.5, 0.5])).toBe(0);
  });
});

describe('confusionMatrix', () => {
  it('counts [actual][predicted]', () => {
    expect(confusionMatrix([0, 1, 2, 2, 1], [0, 2, 2, 1, 1], 3)).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
    ]);
  });

  it('rejects classes out of range', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(RangeError);
    expect(() => confusionMatrix([0, 1], [0, 0.5], 3)).toThrow(RangeError);
  });
});

describe('multiclassMetrics', () => {
  // predictions (argmax): 0 ✓, 2 ✗ (label 1), 2 ✓, 0 ✗ (label 2)
  const probs = [
    [0.7, 0.2, 0.1],
    [0.1, 0.3, 0.6],
    [0.2, 0.2, 0.6],
    [0.5, 0.4, 0.1],
  ];
  const truth = [0, 1, 2, 2];

  it('macro-averages per-class precision, recall and F1', () => {
    // class 0: P ½ R 1 F ⅔; class 1: P 0 (never predicted) R 0 F 0; class 2: P ½ R ½ F ½
    const m = multiclassMetrics(truth, probs);
    expect(m.accuracy).toBe(0.5);
    expect(m.macroPrecision).toBeCloseTo(1 / 3, 12);
    expect(m.macroRecall).toBeCloseTo(0.5, 12);
    expect(m.macroF1).toBeCloseTo(7 / 18, 12);
    expect(m.logLoss).toBeCloseTo(1.0935146, 6); // −(ln 0.7 + ln 0.3 + ln 0.6 + ln 0.1) / 4 = 4.374058 / 4
  });

  it('leaves out a class that is neither a label nor a prediction', () => {
    const m = multiclassMetrics(truth, probs.map((row) => [...row, 0]));
    expect(m.macroPrecision).toBeCloseTo(1 / 3, 12);
    expect(m.macroF1).toBeCloseTo(7 / 18, 12);
  });

  it('breaks argmax ties toward the first class and rejects bad labels', () => {
    expect(multiclassMetrics([0], [[0.5, 0.5]]).accuracy).toBe(1);
    expect(() => multiclassMetrics([2], [[0.5, 0.5]])).toThrow(RangeError);
    expect(() => multiclassMetrics([0, 1], [[0.5, 0.5], [0.5]])).toThrow(RangeError);
  });
});

describe('regressionMetrics', () => {
  it('computes RMSE, MAE, MAPE (percent) and R²', () => {
    // errors 0, −1, 1, 0; mean actual 2.5, total sum of squares 5
    const m = regressionMetrics([1, 2, 3, 4], [1, 3, 2, 4]);
    expect(m.rmse).toBeCloseTo(Math.SQRT1_2, 12);
    expect(m.mae).toBe(0.5);
    expect(m.mape).toBeCloseTo((100 * (1 / 2 + 1 / 3)) / 4, 12); // 20.833 %
    expect(m.r2).toBeCloseTo(0.6, 12);
  });

  it('gives a null MAPE when an actual value is 0', () => {
    expect(regressionMetrics([0, 2], [1, 2]).mape).toBeNull();
  });

  it('keeps R² finite when the actual values are constant', () => {
    expect(regressionMetrics([0.1, 0.1, 0.1], [0.1, 0.1, 0.1]).r2).toBe(1);
    expect(regressionMetrics([0.1, 0.1, 0.1], [0.2, 0.1, 0.1]).r2).toBe(0);
  });

  it('rejects NaN and mismatched input', () => {
    expect(() => regressionMetrics([1, 2], [1, NaN])).toThrow(RangeError);
    expect(() => regressionMetrics([1, 2], [1])).toThrow(RangeError);
  });
});
