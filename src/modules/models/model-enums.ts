import { registerEnumType } from 'type-graphql';

export enum ModelTask {
  BINARY_CLASSIFICATION = 'BINARY_CLASSIFICATION',
  MULTICLASS_CLASSIFICATION = 'MULTICLASS_CLASSIFICATION',
  REGRESSION = 'REGRESSION',
  TIME_SERIES_FORECAST = 'TIME_SERIES_FORECAST',
}
registerEnumType(ModelTask, {
  name: 'ModelTask',
  description: 'What a model predicts; it decides the loss and the output layer.',
  valuesConfig: {
    BINARY_CLASSIFICATION: { description: 'Two classes, e.g. default / no default. Output: a probability.' },
    MULTICLASS_CLASSIFICATION: { description: 'Three or more classes. Output: a probability per class.' },
    REGRESSION: { description: 'A number, e.g. a loss amount.' },
    TIME_SERIES_FORECAST: { description: 'The next values of a series, e.g. a closing price, from a window of past values.' },
  },
});

export enum Architecture {
  LOGISTIC_REGRESSION = 'LOGISTIC_REGRESSION',
  LINEAR_REGRESSION = 'LINEAR_REGRESSION',
  MLP = 'MLP',
  LSTM = 'LSTM',
}
registerEnumType(Architecture, {
  name: 'Architecture',
  description: 'The network. Which tasks each allows is listed per value.',
  valuesConfig: {
    LOGISTIC_REGRESSION: { description: 'One sigmoid unit; BINARY_CLASSIFICATION only.' },
    LINEAR_REGRESSION: { description: 'One linear unit; REGRESSION only.' },
    MLP: { description: 'Dense hidden layers (hiddenUnits, activation, dropout, l2); any classification or REGRESSION.' },
    LSTM: { description: 'A recurrent layer over a window of past values (windowSize, horizon); TIME_SERIES_FORECAST only.' },
  },
});

/** Which tasks each architecture can learn. */
export const TASKS_BY_ARCHITECTURE: Record<Architecture, ModelTask[]> = {
  [Architecture.LOGISTIC_REGRESSION]: [ModelTask.BINARY_CLASSIFICATION],
  [Architecture.LINEAR_REGRESSION]: [ModelTask.REGRESSION],
  [Architecture.MLP]: [ModelTask.BINARY_CLASSIFICATION, ModelTask.MULTICLASS_CLASSIFICATION, ModelTask.REGRESSION],
  [Architecture.LSTM]: [ModelTask.TIME_SERIES_FORECAST],
};

export enum Activation {
  RELU = 'relu',
  ELU = 'elu',
  SELU = 'selu',
  TANH = 'tanh',
  SIGMOID = 'sigmoid',
  LINEAR = 'linear',
}
registerEnumType(Activation, { name: 'Activation', description: 'Activation of hidden layers.' });

export enum ClassWeighting {
  NONE = 'NONE',
  BALANCED = 'BALANCED',
}
registerEnumType(ClassWeighting, {
  name: 'ClassWeighting',
  description: 'NONE, or BALANCED: weight each class by n / (classes × its count), for imbalanced targets such as defaults.',
});
