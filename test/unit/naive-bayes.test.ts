import { describe, expect, it } from 'vitest';
import type { StepReport, TrainingSet } from '../../src/ml/algorithms/algorithm';
import { fitNaiveBayes, naiveBayes, naiveBayesProbabilities } from '../../src/ml/algorithms/naive-bayes';
import type { HyperparameterValues } from '../../src/ml/model-spec';

// Columns: [amount (numeric), colour=a, colour=b (one-hot)]. Four rows, two classes:
//   class 0: (0, a), (2, a)      class 1: (4, a), (6, b)
const x = new Float32Array([0, 1, 0, 2, 1, 0, 4, 1, 0, 6, 0, 1]);
const labels = [0, 0, 1, 1];
const categorical = [false, true, true];

// var_smoothing: amount over all rows is 0, 2, 4, 6 → mean 3, variance (9 + 1 + 1 + 9) / 4 = 5,
// so ε = 1e-9 × 5 = 5e-9. Class 0: mean 1, variance ((0−1)² + (2−1)²) / 2 = 1; class 1: mean 5,
// variance 1. Both smoothed variances are v = 1 + 5e-9.
const v = 1 + 5e-9;
// Colour with α = 1 and C = 2 columns: class 0 saw a twice, b never: P(a|0) = (2+1)/(2+2) = 3/4,
// P(b|0) = (0+1)/4 = 1/4; class 1 saw each once: P(a|1) = P(b|1) = (1+1)/4 = 1/2. Priors 2/4 = 1/2 each.
const logNormal = (value: number, mean: number, variance: number) => -0.5 * Math.log(2 * Math.PI * variance) - (value - mean) ** 2 / (2 * variance);

const hp = { smoothing: 1, classWeighting: 'NONE' } as HyperparameterValues;

function set(task: TrainingSet['task'], rows: Float32Array, y: Float32Array, count: number, width: number, outputWidth: number, cat: boolean[]): TrainingSet {
  return {
    task, inputWidth: width, outputWidth, inputShape: [width],
    train: { x: rows, y, count },
    validation: { x: rows, y, count },
    classWeight: null, categorical: cat, ordered: false,
  };
}

describe('naive Bayes', () => {
  it('matches the class probabilities computed by hand', () => {
    const state = fitNaiveBayes(x, labels, 4, 3, 2, { smoothing: 1, categorical });
    expect(state.means).toEqual([[1], [5]]);
    expect(state.variances[0][0]).toBeCloseTo(v, 15);
    expect(state.logProbabilities[0].map(Math.exp)).toEqual([expect.closeTo(3 / 4, 15), expect.closeTo(1 / 4, 15)]);
    expect(state.logProbabilities[1].map(Math.exp)).toEqual([expect.closeTo(1 / 2, 15), expect.closeTo(1 / 2, 15)]);

    const queries = new Float32Array([
      3, 0, 1, // amount 3 is 2 from both means: the Gaussians cancel; P(1) = ½·½ / (½·¼ + ½·½) = 2/3
      1, 1, 0, // log odds(1:0) = −(1−5)²/(2v) + (1−1)²/(2v) + ln(½ / ¾) = −8/v + ln(2/3)
      3, 0, 0, // an unseen colour (all zeros) adds nothing; the Gaussians cancel: P(1) = ½
    ]);
    const p = naiveBayesProbabilities(state, queries, 3);
    expect(p[1]).toBeCloseTo(2 / 3, 9);
    expect(Math.abs(p[1] - 2 / 3)).toBeLessThan(1e-9);
    const odds = Math.exp(-8 / v + Math.log(2 / 3));
    expect(Math.abs(p[3] - odds / (1 + odds))).toBeLessThan(1e-9);
    expect(Math.abs(p[5] - 0.5)).toBeLessThan(1e-9);
    // Written out in full for the second row: ln P(x, class) = ln ½ + ln N(1; μ_c, v) + ln P(a | c).
    const joint0 = Math.log(0.5) + logNormal(1, 1, v) + Math.log(3 / 4);
    const joint1 = Math.log(0.5) + logNormal(1, 5, v) + Math.log(1 / 2);
    expect(Math.abs(p[3] - Math.exp(joint1) / (Math.exp(joint0) + Math.exp(joint1)))).toBeLessThan(1e-12);
    for (let r = 0; r < 3; r++) expect(p[2 * r] + p[2 * r + 1]).toBeCloseTo(1, 15);
  });

  it('applies the smoothing hyper-parameter and BALANCED class weights to the counts and priors', () => {
    // Class 0: 3 rows (all colour a), class 1: 1 row (colour b); α = 0.5.
    const rows = new Float32Array([0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
    const state = fitNaiveBayes(rows, [0, 0, 0, 1], 4, 3, 2, { smoothing: 0.5, categorical, classWeight: { 0: 4 / 6, 1: 4 / 2 } });
    // Weighted counts: class 0 3 × 2/3 = 2, class 1 1 × 2 = 2 → priors ½, ½.
    expect(state.logPriors.map(Math.exp)).toEqual([expect.closeTo(0.5, 15), expect.closeTo(0.5, 15)]);
    // P(a|0) = (2 + 0.5) / (2 + 0.5·2) = 5/6; P(b|1) = (2 + 0.5) / (2 + 1) = 5/6.
    expect(Math.exp(state.logProbabilities[0][0])).toBeCloseTo(5 / 6, 15);
    expect(Math.exp(state.logProbabilities[1][1])).toBeCloseTo(5 / 6, 15);
  });

  it('trains through the Algorithm, streams one step, and loads bit-exactly', async () => {
    const steps: StepReport[] = [];
    const data = set('BINARY_CLASSIFICATION', x, new Float32Array(labels), 4, 3, 1, categorical);
    const model = await naiveBayes.train(data, hp, 1, { onStep: async (s) => { steps.push(s); } });
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ step: 1, totalSteps: 1 });
    expect(steps[0].metrics.loss).toBeGreaterThan(0);
    expect(steps[0].metrics.val_loss).toBe(steps[0].metrics.loss);

    const queries = new Float32Array([3, 0, 1, 1, 1, 0, 3, 0, 0, 2.5, 1, 0]);
    const before = await model.predict(queries, 4);
    expect(before[0]).toBe(Math.fround(naiveBayesProbabilities(fitNaiveBayes(x, labels, 4, 3, 2, { smoothing: 1, categorical }), queries, 4)[1]));
    // The state goes through JSON, as it is stored.
    const state: unknown = JSON.parse(JSON.stringify((await model.serialise()).state));
    const loaded = await naiveBayes.load({ state, bytes: new ArrayBuffer(0) }, { task: 'BINARY_CLASSIFICATION', inputWidth: 3, outputWidth: 1, inputShape: [3] });
    const after = await loaded.predict(queries, 4);
    expect(new Uint32Array(after.buffer)).toEqual(new Uint32Array(before.buffer));
    expect(loaded.nativeImportance()).toEqual(model.nativeImportance());
  });

  it('gives multiclass probabilities that sum to 1 and a normalised importance', async () => {
    // Three classes over [amount, a, b, c]: the class follows the colour, and amount rises with it.
    const rows: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 30; i++) {
      const cls = i % 3;
      rows.push(cls * 2 + (i % 5) * 0.3, cls === 0 ? 1 : 0, cls === 1 ? 1 : 0, cls === 2 ? 1 : 0);
      y.push(...[0, 1, 2].map((c) => (c === cls ? 1 : 0)));
    }
    const data = set('MULTICLASS_CLASSIFICATION', new Float32Array(rows), new Float32Array(y), 30, 4, 3, [false, true, true, true]);
    const model = await naiveBayes.train(data, hp, 1, { onStep: async () => {} });
    const out = await model.predict(data.train.x, 30);
    expect(out).toHaveLength(90);
    for (let r = 0; r < 30; r++) {
      expect(out[r * 3] + out[r * 3 + 1] + out[r * 3 + 2]).toBeCloseTo(1, 6);
      expect(out[r * 3 + (r % 3)]).toBeGreaterThan(0.9);
    }
    const importance = model.nativeImportance()!;
    expect(importance.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...importance)).toBeGreaterThan(0);
  });

  it('refuses a negative smoothing', () => {
    expect(naiveBayes.validate({ ...hp, smoothing: -1 }, 'BINARY_CLASSIFICATION')).toEqual([{ field: 'smoothing', message: expect.stringMatching(/≥ 0/) }]);
    expect(naiveBayes.validate(hp, 'BINARY_CLASSIFICATION')).toEqual([]);
  });
});
