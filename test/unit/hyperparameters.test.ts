import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { resolveHyperparameters } from '../../src/modules/models/hyperparameters';
import { Architecture, ModelTask } from '../../src/modules/models/model-enums';

const logistic = { architecture: Architecture.LOGISTIC_REGRESSION, task: ModelTask.BINARY_CLASSIFICATION };
const lstm = { architecture: Architecture.LSTM, task: ModelTask.TIME_SERIES_FORECAST };

describe('resolveHyperparameters', () => {
  it('gives a new model its architecture\'s measured defaults', () => {
    expect(resolveHyperparameters(logistic)).toMatchObject({ solver: 'EXACT', l2: 1 });
    expect(resolveHyperparameters(lstm)).toMatchObject({ forecastTarget: 'DIFFERENCE', patience: 10, epochs: 100 });
    expect(resolveHyperparameters({ architecture: Architecture.DECISION_TREE, task: ModelTask.REGRESSION }).criterion).toBe('SQUARED_ERROR');
  });

  it('keeps a model stored before the algorithm settings training as it did: GRADIENT, LEVEL, no early stopping', () => {
    // The stored defaults of a model created before patience, solver and forecastTarget existed.
    const stored = { epochs: 20, batchSize: 32, learningRate: 0.001, hiddenUnits: [], activation: 'relu', dropout: 0, l2: 0, windowSize: 12, horizon: 1, classWeighting: 'NONE' } as never;
    expect(resolveHyperparameters(logistic, null, stored)).toMatchObject({ solver: 'GRADIENT', patience: 0, epochs: 20, l2: 0 });
    expect(resolveHyperparameters(lstm, null, stored)).toMatchObject({ forecastTarget: 'LEVEL', patience: 0 });
    // Asked for, the new settings apply.
    expect(resolveHyperparameters(logistic, { solver: 'EXACT' } as never, stored).solver).toBe('EXACT');
  });

  it('refuses a setting the architecture does not read, naming it', () => {
    expect(() => resolveHyperparameters(logistic, { trees: 10 } as never)).toThrow(/LOGISTIC_REGRESSION does not use trees/);
  });
});
