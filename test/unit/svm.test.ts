import { describe, expect, it } from 'vitest';
import type { StepReport, TrainingSet } from '../../src/ml/algorithms/algorithm';
import { svm } from '../../src/ml/algorithms/svm';
import { DEFAULT_HYPERPARAMETERS, type HyperparameterValues } from '../../src/ml/model-spec';
import { createRandom } from '../../src/ml/random';

/** Rows inside the unit circle are class 1: no line separates them, an RBF kernel does. */
function circle(rows: number, seed: number) {
  const random = createRandom(seed);
  const x = Float32Array.from({ length: rows * 2 }, () => random() * 4 - 2);
  const y = Float32Array.from({ length: rows }, (_, r) => (x[2 * r] ** 2 + x[2 * r + 1] ** 2 < 1.5 ? 1 : 0));
  return { x, y, count: rows };
}
const set = (task: TrainingSet['task'] = 'BINARY_CLASSIFICATION'): TrainingSet => ({
  task, inputWidth: 2, outputWidth: 1, inputShape: [2], train: circle(200, 1), validation: circle(50, 2), classWeight: null, categorical: [false, false], ordered: false,
});
const hp = (overrides: Partial<HyperparameterValues> = {}): HyperparameterValues => ({ ...DEFAULT_HYPERPARAMETERS, ...svm.defaults, ...overrides });
const shape = { task: 'BINARY_CLASSIFICATION' as const, inputWidth: 2, outputWidth: 1, inputShape: [2] };

describe('SVM (libsvm)', () => {
  it('learns a circle with the RBF kernel, streams one step, and survives serialise → load bit-exactly', async () => {
    const steps: StepReport[] = [];
    const model = await svm.train(set(), hp(), 1, { onStep: async (s) => { steps.push(s); } });
    expect(steps).toHaveLength(1);
    expect(Object.keys(steps[0].metrics).sort()).toEqual(['loss', 'val_loss']);
    const probe = Float32Array.from([0, 0, 0.3, -0.2, 1.9, 1.9, -1.8, 1.7]);
    const out = await model.predict(probe, 4);
    expect(out[0]).toBeGreaterThan(0.5);
    expect(out[1]).toBeGreaterThan(0.5);
    expect(out[2]).toBeLessThan(0.5);
    expect(out[3]).toBeLessThan(0.5);
    const loaded = await svm.load(await model.serialise(), shape);
    expect(await loaded.predict(probe, 4)).toEqual(out);
    model.dispose();
    loaded.dispose();
  });

  it('gives the same model for the same rows, however many trained before it in this process', async () => {
    const run = async () => {
      const model = await svm.train(set(), hp(), 1, { onStep: async () => undefined });
      const out = await model.predict(Float32Array.from([0.5, 0.5, 1.2, 0]), 2);
      model.dispose();
      return out;
    };
    expect(await run()).toEqual(await run());
  });

  it('regresses with epsilon-SVR, and checks its settings', async () => {
    const data = set('REGRESSION');
    data.train.y = Float32Array.from({ length: 200 }, (_, r) => data.train.x[2 * r] - data.train.x[2 * r + 1]);
    const model = await svm.train(data, hp({ kernel: 'LINEAR' }), 1, { onStep: async () => undefined });
    const [a, b] = await model.predict(Float32Array.from([1, 0, 0, 1]), 2);
    expect(a).toBeCloseTo(1, 1);
    expect(b).toBeCloseTo(-1, 1);
    model.dispose();
    expect(svm.validate(hp({ degree: 11 }), 'REGRESSION')[0]?.field).toBe('degree');
    expect(svm.validate(hp({ cost: 0 }), 'REGRESSION')[0]?.field).toBe('cost');
  });
});
