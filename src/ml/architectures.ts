/**
 * Builds the compiled TensorFlow.js network of the network architectures (the linear models'
 * GRADIENT solver, MLP, LSTM) from the task and hyperparameters; ml/algorithms/tfjs-network.ts
 * trains it behind the algorithm contract. Only built-in layers, initializers and regularizers are used, so a saved
 * topology loads back with tf.loadLayersModel and nothing registered.
 */
import { DEFAULT_LSTM_UNITS, TASKS_BY_ARCHITECTURE, type ActivationName, type ArchitectureName, type TaskName } from './model-spec';
import { tf, type TF } from './tf';

/** Everything buildModel needs; callers have validated ranges, buildModel re-checks as a guard. */
export interface ModelSpec {
  architecture: ArchitectureName;
  task: TaskName;
  /** Features per row, or per time step for LSTM. */
  inputSize: number;
  /** 1 for binary and regression, the class count for multiclass, the horizon for forecasts. */
  outputSize: number;
  /** Units per hidden layer (MLP); the LSTM uses the first entry (default 32). Ignored by the regressions. */
  hiddenUnits: number[];
  /** Hidden-layer activation (MLP only; the LSTM keeps its standard tanh/sigmoid gates). */
  activation: ActivationName;
  /** Dropout rate in [0, 1) after each hidden layer (MLP) or after the recurrent layer (LSTM). */
  dropout: number;
  /** L2 penalty on hidden, recurrent and single-layer regression kernels; 0 for none. */
  l2: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Time steps per input window (LSTM only). */
  windowSize: number;
  /** Seeds the initial weights: the same spec and seed give the same initial weights. */
  seed: number;
}

/** Loss function name, as tfjs-layers' compile() takes it. */
export type LossName = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';

/** The architectures built here; the others are not networks (ml/algorithms). */
const NETWORKS: readonly string[] = ['LOGISTIC_REGRESSION', 'LINEAR_REGRESSION', 'MLP', 'LSTM'];
const ACTIVATIONS: readonly string[] = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'linear'];
// Orthogonal init (Keras' default for recurrent kernels) costs a QR decomposition that grows
// cubically: ~0.5 s at 128 units, ~4 s at 256, hours at 4,096. Above this, Glorot instead.
const MAX_ORTHOGONAL_UNITS = 128;

/** The loss a task trains with. */
export function lossName(task: TaskName): LossName {
  switch (task) {
    case 'BINARY_CLASSIFICATION':
      return 'binaryCrossentropy';
    case 'MULTICLASS_CLASSIFICATION':
      return 'categoricalCrossentropy';
    case 'REGRESSION':
    case 'TIME_SERIES_FORECAST':
      return 'meanSquaredError';
    default:
      throw new Error(`unknown task ${String(task)}`);
  }
}

/** The evaluation metric models of a task are compared by (AUC, accuracy, or RMSE: lower is better). */
export function primaryMetric(task: TaskName): 'auc' | 'accuracy' | 'rmse' {
  lossName(task); // rejects an unknown task
  return task === 'BINARY_CLASSIFICATION' ? 'auc' : task === 'MULTICLASS_CLASSIFICATION' ? 'accuracy' : 'rmse';
}

/**
 * Builds and compiles the network (Adam at `learningRate`, the task's loss, and 'accuracy' for
 * classification or 'mae' otherwise as the metric logged per epoch — tfjs logs it as `acc`/`mae`).
 * Input shape is [inputSize], or [windowSize, inputSize] for LSTM; output is [outputSize]:
 * sigmoid for binary, softmax for multiclass, linear for regression and forecasts.
 * Throws an Error for a task the architecture cannot learn or out-of-range settings.
 */
export function buildModel(spec: ModelSpec): TF.LayersModel {
  check(spec);
  const { task, inputSize, outputSize, dropout } = spec;
  // One seed per layer: equal-shaped layers sharing a seed would start as exact copies.
  let layerSeed = spec.seed;
  const glorot = () => tf.initializers.glorotUniform({ seed: layerSeed++ });
  const kernelRegularizer = spec.l2 > 0 ? tf.regularizers.l2({ l2: spec.l2 }) : undefined;
  const model = tf.sequential();

  if (spec.architecture === 'LOGISTIC_REGRESSION' || spec.architecture === 'LINEAR_REGRESSION') {
    const activation = spec.architecture === 'LOGISTIC_REGRESSION' ? 'sigmoid' : 'linear';
    model.add(tf.layers.dense({ inputShape: [inputSize], units: 1, activation, kernelInitializer: glorot(), kernelRegularizer }));
  } else if (spec.architecture === 'MLP') {
    spec.hiddenUnits.forEach((units, i) => {
      model.add(tf.layers.dense({
        ...(i === 0 ? { inputShape: [inputSize] } : {}),
        units, activation: spec.activation, kernelInitializer: glorot(), kernelRegularizer,
      }));
      // No seed on Dropout: tfjs would reuse the seed for every batch, i.e. the same mask each step.
      if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout }));
    });
    const activation = task === 'BINARY_CLASSIFICATION' ? 'sigmoid' : task === 'MULTICLASS_CLASSIFICATION' ? 'softmax' : 'linear';
    model.add(tf.layers.dense({
      ...(spec.hiddenUnits.length === 0 ? { inputShape: [inputSize] } : {}),
      units: outputSize, activation, kernelInitializer: glorot(),
    }));
  } else {
    const units = spec.hiddenUnits[0] ?? DEFAULT_LSTM_UNITS;
    const kernelInitializer = glorot();
    const recurrentInitializer = units <= MAX_ORTHOGONAL_UNITS ? tf.initializers.orthogonal({ seed: layerSeed++, gain: 1 }) : glorot();
    // recurrentDropout is slow in tfjs, so dropout is a separate layer after the LSTM instead.
    model.add(tf.layers.lstm({ inputShape: [spec.windowSize, inputSize], units, kernelInitializer, recurrentInitializer, kernelRegularizer }));
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout }));
    model.add(tf.layers.dense({ units: outputSize, activation: 'linear', kernelInitializer: glorot() }));
  }

  const classification = task === 'BINARY_CLASSIFICATION' || task === 'MULTICLASS_CLASSIFICATION';
  model.compile({ optimizer: tf.train.adam(spec.learningRate), loss: lossName(task), metrics: [classification ? 'accuracy' : 'mae'] });
  return model;
}

const isPositiveInteger = (value: number) => Number.isInteger(value) && value > 0;

/** The guard: callers validate user input earlier, so anything caught here is a programming error. */
function check(spec: ModelSpec): void {
  const fail = (message: string): never => {
    throw new Error(`cannot build ${String(spec.architecture)} for ${String(spec.task)}: ${message}`);
  };
  const tasks = TASKS_BY_ARCHITECTURE[spec.architecture];
  if (!tasks || !NETWORKS.includes(spec.architecture)) fail('not a network architecture');
  if (!tasks.includes(spec.task)) fail(`${spec.architecture} supports ${tasks.join(', ')} only`);
  if (!isPositiveInteger(spec.inputSize)) fail(`inputSize must be a positive integer, got ${spec.inputSize}`);
  if (!isPositiveInteger(spec.outputSize)) fail(`outputSize must be a positive integer, got ${spec.outputSize}`);
  if ((spec.task === 'BINARY_CLASSIFICATION' || spec.task === 'REGRESSION') && spec.outputSize !== 1) fail(`outputSize must be 1, got ${spec.outputSize}`);
  if (spec.task === 'MULTICLASS_CLASSIFICATION' && spec.outputSize < 2) fail(`outputSize must be the class count (at least 2), got ${spec.outputSize}`);
  if (!Array.isArray(spec.hiddenUnits) || !spec.hiddenUnits.every(isPositiveInteger)) fail(`hiddenUnits must be positive integers, got ${JSON.stringify(spec.hiddenUnits)}`);
  if (!ACTIVATIONS.includes(spec.activation)) fail(`unknown activation ${spec.activation}`);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) fail(`dropout must be in [0, 1), got ${spec.dropout}`);
  if (!(spec.l2 >= 0 && Number.isFinite(spec.l2))) fail(`l2 must be a finite number ≥ 0, got ${spec.l2}`);
  if (!(spec.learningRate > 0 && Number.isFinite(spec.learningRate))) fail(`learningRate must be a finite number > 0, got ${spec.learningRate}`);
  if (spec.architecture === 'LSTM' && !isPositiveInteger(spec.windowSize)) fail(`windowSize must be a positive integer, got ${spec.windowSize}`);
  if (!Number.isFinite(spec.seed)) fail(`seed must be a finite number, got ${spec.seed}`);
}

