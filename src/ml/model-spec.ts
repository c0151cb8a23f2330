/**
 * The vocabulary of a model, defined once: the GraphQL enums (registered by the models module),
 * the training protocol and the maths all use these. Functions in ml/ accept an enum member or
 * its text (`TaskName` and friends), so tests and IPC messages need no casts.
 */

/** What a model predicts; it decides the output layer and the loss. */
export enum ModelTask {
  BINARY_CLASSIFICATION = 'BINARY_CLASSIFICATION',
  MULTICLASS_CLASSIFICATION = 'MULTICLASS_CLASSIFICATION',
  REGRESSION = 'REGRESSION',
  TIME_SERIES_FORECAST = 'TIME_SERIES_FORECAST',
}

/** The network families on offer. */
export enum Architecture {
  LOGISTIC_REGRESSION = 'LOGISTIC_REGRESSION',
  LINEAR_REGRESSION = 'LINEAR_REGRESSION',
  MLP = 'MLP',
  LSTM = 'LSTM',
}

/** Activations allowed for hidden layers (tfjs names). */
export enum Activation {
  RELU = 'relu',
  ELU = 'elu',
  SELU = 'selu',
  TANH = 'tanh',
  SIGMOID = 'sigmoid',
  LINEAR = 'linear',
}

/** NONE, or BALANCED: each class weighted by n / (classes × its count). */
export enum ClassWeighting {
  NONE = 'NONE',
  BALANCED = 'BALANCED',
}

/** RANDOM shuffles (stratified for classification); TIME_ORDERED keeps row order. */
export enum SplitStrategy {
  RANDOM = 'RANDOM',
  TIME_ORDERED = 'TIME_ORDERED',
}

export type TaskName = `${ModelTask}`;
export type ArchitectureName = `${Architecture}`;
export type ActivationName = `${Activation}`;
export type ClassWeightingName = `${ClassWeighting}`;
export type SplitStrategyName = `${SplitStrategy}`;

/** Units of an LSTM layer when hiddenUnits names none. */
export const DEFAULT_LSTM_UNITS = 32;

/** Which tasks each architecture can learn. */
export const TASKS_BY_ARCHITECTURE: Record<ArchitectureName, readonly TaskName[]> = {
  LOGISTIC_REGRESSION: [ModelTask.BINARY_CLASSIFICATION],
  LINEAR_REGRESSION: [ModelTask.REGRESSION],
  MLP: [ModelTask.BINARY_CLASSIFICATION, ModelTask.MULTICLASS_CLASSIFICATION, ModelTask.REGRESSION],
  // Forecast inputs are [window, features] per sample; only the recurrent layer reads that shape.
  LSTM: [ModelTask.TIME_SERIES_FORECAST],
};

/** Training settings as the trainer takes them (the models module's Hyperparameters type has this shape). */
export interface HyperparameterValues {
  epochs: number;
  batchSize: number;
  learningRate: number;
  hiddenUnits: number[];
  activation: ActivationName;
  dropout: number;
  l2: number;
  windowSize: number;
  horizon: number;
  classWeighting: ClassWeightingName;
}
