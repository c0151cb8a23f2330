import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, lossName, primaryMetric, type ModelSpec } from '../../src/ml/architectures';
import { selectBackend } from '../../src/ml/backend';
import { tf } from '../../src/ml/tf';

const base: ModelSpec = {
  architecture: 'MLP', task: 'BINARY_CLASSIFICATION', inputSize: 3, outputSize: 1, hiddenUnits: [8, 4], activation: 'relu',
  dropout: 0, l2: 0, learningRate: 0.01, windowSize: 5, seed: 42,
};

/** A small deterministic generator, so the test data is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const models: tf.LayersModel[] = [];
const build = (spec: ModelSpec) => {
  const model = buildModel(spec);
  models.push(model);
  return model;
};

beforeAll(async () => {
  await selectBackend();
});
afterEach(() => {
  models.splice(0).forEach((m) => m.dispose());
});

describe('buildModel', () => {
  const rows = 16;
  const cases: { name: string; spec: Partial<ModelSpec>; x: number[]; y: number[]; loss: string }[] = [
    { name: 'LOGISTIC_REGRESSION', spec: { architecture: 'LOGISTIC_REGRESSION', hiddenUnits: [] }, x: [rows, 3], y: [rows, 1], loss: 'binaryCrossentropy' },
    { name: 'LINEAR_REGRESSION', spec: { architecture: 'LINEAR_REGRESSION', task: 'REGRESSION' }, x: [rows, 3], y: [rows, 1], loss: 'meanSquaredError' },
    { name: 'MLP binary', spec: { dropout: 0.2, l2: 0.01 }, x: [rows, 3], y: [rows, 1], loss: 'binaryCrossentropy' },
    { name: 'MLP multiclass', spec: { task: 'MULTICLASS_CLASSIFICATION', outputSize: 4, activation: 'tanh' }, x: [rows, 3], y: [rows, 4], loss: 'categoricalCrossentropy' },
    { name: 'MLP regression', spec: { task: 'REGRESSION', activation: 'elu' }, x: [rows, 3], y: [rows, 1], loss: 'meanSquaredError' },
    { name: 'MLP without hidden layers', spec: { hiddenUnits: [] }, x: [rows, 3], y: [rows, 1], loss: 'binaryCrossentropy' },
    { name: 'LSTM', spec: { architecture: 'LSTM', task: 'TIME_SERIES_FORECAST', outputSize: 2, hiddenUnits: [6], dropout: 0.1 }, x: [rows, 5, 3], y: [rows, 2], loss: 'meanSquaredError' },
    { name: 'LSTM with default units', spec: { architecture: 'LSTM', task: 'TIME_SERIES_FORECAST', outputSize: 3, hiddenUnits: [] }, x: [rows, 5, 3], y: [rows, 3], loss: 'meanSquaredError' },
  ];

  for (const c of cases) {
    it(`builds ${c.name}, fits 2 epochs and predicts the right shape`, async () => {
      const model = build({ ...base, ...c.spec });
      expect(model.inputs[0].shape).toEqual([null, ...c.x.slice(1)]);
      expect(model.loss).toBe(c.loss);
      const random = lcg(7);
      const x = tf.tensor(Array.from({ length: c.x.reduce((a, b) => a * b) }, random), c.x);
      const y = tf.tensor(Array.from({ length: c.y.reduce((a, b) => a * b) }, () => (random() < 0.5 ? 0 : 1)), c.y);
      const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      expect(history.history.loss).toHaveLength(2);
      expect(history.history.loss.every((v) => Number.isFinite(v as number))).toBe(true);
      const output = model.predict(x) as tf.Tensor;
      expect(output.shape).toEqual(c.y);
      if (c.loss === 'categoricalCrossentropy') {
        const sums = (await output.sum(1).data()) as Float32Array;
        sums.forEach((s) => expect(s).toBeCloseTo(1, 5)); // softmax rows
      }
      tf.dispose([x, y, output]);
    });
  }

  it('uses the LSTM units from hiddenUnits[0], or 32', () => {
    const lstm = (units: number[]) => build({ ...base, architecture: 'LSTM', task: 'TIME_SERIES_FORECAST', outputSize: 1, hiddenUnits: units });
    expect(lstm([6]).layers[0].getWeights()[0].shape).toEqual([3, 24]); // 4 gates × 6 units
    expect(lstm([]).layers[0].getWeights()[0].shape).toEqual([3, 128]);
  });

  it('adds a dropout layer after each hidden layer only when dropout > 0', () => {
    const names = (spec: Partial<ModelSpec>) => build({ ...base, ...spec }).layers.map((l) => l.getClassName());
    expect(names({})).toEqual(['Dense', 'Dense', 'Dense']);
    expect(names({ dropout: 0.5 })).toEqual(['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
  });

  it('learns a separable 1-D problem with LOGISTIC_REGRESSION', async () => {
    const random = lcg(1);
    // x in (−1, 1) away from 0; label 1 exactly when x > 0.
    const xs = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.05 + 0.95 * random()));
    const ys = xs.map((v) => (v > 0 ? 1 : 0));
    const model = build({ ...base, architecture: 'LOGISTIC_REGRESSION', inputSize: 1, hiddenUnits: [], learningRate: 0.1 });
    const x = tf.tensor2d(xs, [200, 1]);
    const y = tf.tensor2d(ys, [200, 1]);
    await model.fit(x, y, { epochs: 100, batchSize: 32, verbose: 0 });
    const scores = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
    const correct = ys.filter((label, i) => (scores[i] >= 0.5 ? 1 : 0) === label).length;
    expect(correct / 200).toBeGreaterThanOrEqual(0.95);
    tf.dispose([x, y]);
  }, 60_000);

  it('gives identical initial weights for the same seed and different ones for another', async () => {
    const weights = async (spec: ModelSpec) => Promise.all(build(spec).getWeights().map(async (w) => Array.from(await w.data())));
    for (const spec of [base, { ...base, architecture: 'LSTM', task: 'TIME_SERIES_FORECAST', hiddenUnits: [4] } as ModelSpec]) {
      const a = await weights(spec);
      expect(await weights(spec)).toEqual(a);
      expect(await weights({ ...spec, seed: 43 })).not.toEqual(a);
    }
  });

  it('does not start equal-shaped layers as copies of each other', async () => {
    const layers = build({ ...base, hiddenUnits: [3, 3, 3], inputSize: 3 }).layers;
    const first = Array.from(await layers[1].getWeights()[0].data());
    expect(Array.from(await layers[2].getWeights()[0].data())).not.toEqual(first);
  });

  it('rejects impossible combinations and settings', () => {
    const bad: Partial<ModelSpec>[] = [
      { architecture: 'LOGISTIC_REGRESSION', task: 'REGRESSION' },
      { architecture: 'LINEAR_REGRESSION', task: 'BINARY_CLASSIFICATION' },
      { architecture: 'LSTM', task: 'REGRESSION' },
      { architecture: 'MLP', task: 'TIME_SERIES_FORECAST' },
      { task: 'MULTICLASS_CLASSIFICATION', outputSize: 1 },
      { outputSize: 2 },
      { inputSize: 0 },
      { hiddenUnits: [8, 0] },
      { dropout: 1 },
      { l2: -1 },
      { learningRate: 0 },
      { activation: 'softmax' as never },
      { architecture: 'GRU' as never },
      { architecture: 'LSTM', task: 'TIME_SERIES_FORECAST', windowSize: 0 },
    ];
    for (const spec of bad) expect(() => buildModel({ ...base, ...spec }), JSON.stringify(spec)).toThrow(Error);
  });
});

describe('lossName and primaryMetric', () => {
  it('map each task', () => {
    expect(['BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION', 'REGRESSION', 'TIME_SERIES_FORECAST'].map((t) => [lossName(t as never), primaryMetric(t as never)])).toEqual([
      ['binaryCrossentropy', 'auc'],
      ['categoricalCrossentropy', 'accuracy'],
      ['meanSquaredError', 'rmse'],
      ['meanSquaredError', 'rmse'],
    ]);
  });
});
