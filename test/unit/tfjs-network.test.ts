import { beforeAll, describe, expect, it } from 'vitest';
import type { StepReport, TrainingSet } from '../../src/ml/algorithms/algorithm';
import { algorithmFor } from '../../src/ml/algorithms/registry';
import { selectBackend } from '../../src/ml/backend';
import { DEFAULT_HYPERPARAMETERS, type HyperparameterValues } from '../../src/ml/model-spec';
import { createRandom } from '../../src/ml/random';

/** A separable 1-D problem, label = x > 0, with a validation part of the same rule. */
function separable(rows: number, seed: number): { x: Float32Array; y: Float32Array; count: number } {
  const random = createRandom(seed);
  const x = Float32Array.from({ length: rows }, () => random() * 4 - 2);
  return { x, y: Float32Array.from(x, (v) => (v > 0 ? 1 : 0)), count: rows };
}

const set = (validation = separable(40, 2)): TrainingSet => ({
  task: 'BINARY_CLASSIFICATION', inputWidth: 1, outputWidth: 1, inputShape: [1],
  train: separable(200, 1), validation, classWeight: null, categorical: [false], ordered: false,
});
const hp = (overrides: Partial<HyperparameterValues>): HyperparameterValues => ({ ...DEFAULT_HYPERPARAMETERS, ...algorithmFor('MLP').defaults, hiddenUnits: [4], learningRate: 0.05, ...overrides });

beforeAll(async () => {
  await selectBackend();
});

describe('the TensorFlow.js networks behind the algorithm contract', () => {
  it('trains an MLP with one step per epoch, predicts the rule, and survives serialise → load bit-exactly', async () => {
    const mlp = algorithmFor('MLP');
    const steps: StepReport[] = [];
    const model = await mlp.train(set(), hp({ epochs: 30, patience: 0 }), 7, { onStep: async (s) => { steps.push(s); } });
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(Object.keys(steps[0].metrics)).toEqual(expect.arrayContaining(['loss', 'val_loss', 'accuracy', 'val_accuracy', 'learning_rate']));
    const probe = Float32Array.from([-1.5, -0.5, 0.5, 1.5]);
    const out = await model.predict(probe, 4);
    expect(Array.from(out, (p) => (p > 0.5 ? 1 : 0))).toEqual([0, 0, 1, 1]);
    const loaded = await mlp.load(await model.serialise(), { task: 'BINARY_CLASSIFICATION', inputWidth: 1, outputWidth: 1, inputShape: [1] });
    expect(await loaded.predict(probe, 4)).toEqual(out);
    expect(model.nativeImportance()).toBeNull();
    model.dispose();
    loaded.dispose();
  });

  it('is deterministic for a seed, rows shuffled each epoch included', async () => {
    const mlp = algorithmFor('MLP');
    const run = async (seed: number) => {
      const model = await mlp.train(set(), hp({ epochs: 5, patience: 0, batchSize: 16 }), seed, { onStep: async () => undefined });
      const out = await model.predict(Float32Array.from([-1, 0.25, 1]), 3);
      model.dispose();
      return out;
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });

  it('stops early once the validation loss stops improving, and keeps the best epoch\'s weights', async () => {
    const mlp = algorithmFor('MLP');
    // Validation labels are the opposite rule: the better the fit, the worse val_loss, so the first epoch is the best.
    const flipped = separable(40, 2);
    flipped.y = flipped.y.map((v) => 1 - v);
    const steps: StepReport[] = [];
    const model = await mlp.train(set(flipped), hp({ epochs: 200, patience: 3 }), 7, { onStep: async (s) => { steps.push(s); } });
    const losses = steps.map((s) => s.metrics.val_loss);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(steps.length).toBe(best + 3);
    expect(model.bestStep).toBe(best);
    model.dispose();
  });
});
