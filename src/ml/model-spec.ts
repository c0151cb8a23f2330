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

/** The learning algorithms on offer (each implemented in ml/algorithms/, listed in its registry). */
export enum Architecture {
  LOGISTIC_REGRESSION = 'LOGISTIC_REGRESSION',
  LINEAR_REGRESSION = 'LINEAR_REGRESSION',
  MLP = 'MLP',
  LSTM = 'LSTM',
  DECISION_TREE = 'DECISION_TREE',
  RANDOM_FOREST = 'RANDOM_FOREST',
  GRADIENT_BOOSTED_TREES = 'GRADIENT_BOOSTED_TREES',
  NAIVE_BAYES = 'NAIVE_BAYES',
  SVM = 'SVM',
}

/** The kernel of a support vector machine. */
export enum SvmKernel {
  RBF = 'RBF',
  LINEAR = 'LINEAR',
  POLYNOMIAL = 'POLYNOMIAL',
  SIGMOID = 'SIGMOID',
}

/** How a tree chooses its splits: GINI or ENTROPY for classification, SQUARED_ERROR for regression. */
export enum SplitCriterion {
  GINI = 'GINI',
  ENTROPY = 'ENTROPY',
  SQUARED_ERROR = 'SQUARED_ERROR',
}

/** What a forecast model learns: the level, or its change from the last value seen (answers are always levels). */
export enum ForecastTarget {
  LEVEL = 'LEVEL',
  DIFFERENCE = 'DIFFERENCE',
  LOG_RETURN = 'LOG_RETURN',
}

/** How the linear models fit: EXACT (Newton / IRLS for logistic, least squares for linear) or GRADIENT (Adam, by epochs). */
export enum LinearSolver {
  EXACT = 'EXACT',
  GRADIENT = 'GRADIENT',
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

/** How a training run chooses its features, on the training split only. */
export enum FeatureSelectionMethod {
  /** By a quick random forest's split gain. */
  IMPORTANCE = 'IMPORTANCE',
  /** By mutual information with the target. */
  MUTUAL_INFORMATION = 'MUTUAL_INFORMATION',
  /** Drops one of each pair correlated above the threshold, then ranks by correlation with the target. */
  CORRELATION_FILTER = 'CORRELATION_FILTER',
}

/** A run's feature selection request. */
export interface FeatureSelectionSpec {
  method: `${FeatureSelectionMethod}`;
  /** Features to keep (the best scored). */
  keep: number;
  /** CORRELATION_FILTER: the |correlation| above which one of a pair is dropped; other methods: the least score kept (null: none). */
  threshold: number | null;
}

/** What a selection kept, stored on the version. */
export interface FeatureSelectionOutcome {
  method: `${FeatureSelectionMethod}`;
  kept: string[];
  /** Every candidate feature's score, best first. */
  scores: { feature: string; score: number }[];
}

export type TaskName = `${ModelTask}`;
export type ArchitectureName = `${Architecture}`;
export type ActivationName = `${Activation}`;
export type ClassWeightingName = `${ClassWeighting}`;
export type SplitStrategyName = `${SplitStrategy}`;
export type SplitCriterionName = `${SplitCriterion}`;
export type LinearSolverName = `${LinearSolver}`;

/** Units of an LSTM layer when hiddenUnits names none. */
export const DEFAULT_LSTM_UNITS = 32;

/** Which tasks each architecture can learn. */
export const TASKS_BY_ARCHITECTURE: Record<ArchitectureName, readonly TaskName[]> = {
  LOGISTIC_REGRESSION: [ModelTask.BINARY_CLASSIFICATION],
  LINEAR_REGRESSION: [ModelTask.REGRESSION],
  MLP: [ModelTask.BINARY_CLASSIFICATION, ModelTask.MULTICLASS_CLASSIFICATION, ModelTask.REGRESSION],
  // Forecast inputs are [window, features] per sample; only the recurrent layer reads that shape.
  LSTM: [ModelTask.TIME_SERIES_FORECAST],
  DECISION_TREE: [ModelTask.BINARY_CLASSIFICATION, ModelTask.MULTICLASS_CLASSIFICATION, ModelTask.REGRESSION],
  RANDOM_FOREST: [ModelTask.BINARY_CLASSIFICATION, ModelTask.MULTICLASS_CLASSIFICATION, ModelTask.REGRESSION],
  GRADIENT_BOOSTED_TREES: [ModelTask.BINARY_CLASSIFICATION, ModelTask.REGRESSION],
  NAIVE_BAYES: [ModelTask.BINARY_CLASSIFICATION, ModelTask.MULTICLASS_CLASSIFICATION],
  SVM: [ModelTask.BINARY_CLASSIFICATION, ModelTask.MULTICLASS_CLASSIFICATION, ModelTask.REGRESSION],
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
  /** Steps (epochs or boosting rounds) without a better validation loss before training stops and keeps the best; 0: off. */
  patience: number;
  /** Linear models: EXACT or GRADIENT. */
  solver: LinearSolverName;
  /** Trees: the deepest a tree may grow (1 to 64). */
  maxDepth: number;
  /** Trees: the fewest training rows a leaf may hold. */
  minSamplesLeaf: number;
  /** Trees: the split criterion. */
  criterion: SplitCriterionName;
  /** RANDOM_FOREST: the number of trees. */
  trees: number;
  /** RANDOM_FOREST: the share of input columns each split may consider, in (0, 1]; null for √columns. */
  maxFeatures: number | null;
  /** RANDOM_FOREST: each tree learns from a bootstrap sample (true) or from every training row. */
  bootstrap: boolean;
  /** GRADIENT_BOOSTED_TREES: the most boosting rounds (one tree each). */
  rounds: number;
  /** GRADIENT_BOOSTED_TREES: the share of training rows each round samples, in (0, 1]. */
  subsample: number;
  /** NAIVE_BAYES: additive (Laplace) smoothing of category counts. */
  smoothing: number;
  /** Forecasts: what the model learns (see ml/forecast-target.ts). */
  forecastTarget: `${ForecastTarget}`;
  /** SVM: the kernel. */
  kernel: `${SvmKernel}`;
  /** SVM: C, the cost of a margin violation. */
  cost: number;
  /** SVM: the RBF, polynomial and sigmoid kernels' gamma; null for 1 / input columns (the inputs are standardised). */
  gamma: number | null;
  /** SVM: the polynomial kernel's degree. */
  degree: number;
}

/** What every architecture starts from; each algorithm's `defaults` override some (see ml/algorithms). */
export const DEFAULT_HYPERPARAMETERS: HyperparameterValues = {
  epochs: 20,
  batchSize: 32,
  learningRate: 0.001,
  hiddenUnits: [],
  activation: 'relu',
  dropout: 0,
  l2: 0,
  windowSize: 12,
  horizon: 1,
  classWeighting: 'NONE',
  patience: 0,
  solver: 'GRADIENT',
  maxDepth: 6,
  minSamplesLeaf: 1,
  criterion: 'GINI',
  trees: 100,
  maxFeatures: null,
  bootstrap: true,
  rounds: 100,
  subsample: 1,
  smoothing: 1,
  forecastTarget: 'LEVEL',
  kernel: 'RBF',
  cost: 1,
  gamma: null,
  degree: 3,
};

/** The name of one hyper-parameter. */
export type HyperparameterName = keyof HyperparameterValues;
