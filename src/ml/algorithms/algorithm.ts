/**
 * The one contract every learning algorithm implements. The trainer, evaluation, serving
 * (micro-batching, explanations, drift), batch jobs and back-tests work only through it and never
 * ask which algorithm they hold. Adding an algorithm is one file implementing `Algorithm` plus one
 * line in `registry.ts`.
 *
 * Numbers in and out are the encoded ones (the preprocessor and the target encoder sit outside):
 * - input: `rows` rows of `inputWidth` Float32 values, row-major (a forecast's window flattened,
 *   `windowSize × stepFeatures`, oldest step first);
 * - output: `rows × outputWidth` values: binary, the probability of the positive class (1 value);
 *   multiclass, one probability per class (summing to 1); regression, the standardised target
 *   (1 value); forecasts, the standardised next `horizon` values.
 */
import type { ArchitectureName, HyperparameterName, HyperparameterValues, TaskName } from '../model-spec';

/** Encoded rows and their encoded targets, laid out as above. */
export interface EncodedRows {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

/** Everything an algorithm trains on. Encoders were fitted on the training split only. */
export interface TrainingSet {
  task: TaskName;
  /** Values per input row (see the file comment). */
  inputWidth: number;
  /** Values per output row (see the file comment). */
  outputWidth: number;
  /** The input's shape per row: `[inputWidth]`, or `[windowSize, stepFeatures]` for forecasts. */
  inputShape: number[];
  train: EncodedRows;
  /** May hold 0 rows (no validation split); then nothing can stop early. */
  validation: EncodedRows;
  /** Class index → weight (BALANCED class weighting), or null. */
  classWeight: Record<number, number> | null;
  /** Per encoded input column: true when it is a one-hot category indicator, false when numeric. */
  categorical: boolean[];
  /** Keep row order when iterating (time-ordered splits); otherwise shuffling is allowed. */
  ordered: boolean;
}

/** One step of training: an epoch, a tree, a boosting round or a solver iteration. */
export interface StepReport {
  /** 1-based. */
  step: number;
  /** The most steps this training will take (early stopping may end it sooner). */
  totalSteps: number;
  /**
   * Values at this step, named as the live charts know them: `loss` and, with a validation split,
   * `val_loss` at least (log loss for classification, mean squared error on the standardised
   * target otherwise); tfjs models add `accuracy`/`mae` and their `val_` forms.
   */
  metrics: Record<string, number>;
}

export interface TrainCallbacks {
  /** Awaited after every step, so the caller can send the points and let the event loop breathe. */
  onStep(report: StepReport): Promise<void>;
  /** Gradient-trained algorithms only, when per-batch metrics were asked for: the batch's loss. */
  onBatch?: (loss: number) => Promise<void>;
}

/** A model's stored form: a JSON-safe part and a bytes part (weights). */
export interface SerialisedModel {
  state: unknown;
  bytes: ArrayBuffer;
}

/** A trained (or loaded) model. */
export interface Predictor {
  /** `rows` encoded input rows → `rows × outputWidth` outputs (see the file comment). */
  predict(x: Float32Array, rows: number): Promise<Float32Array>;
  /** The stored form; `load(serialise())` predicts bit-identically. */
  serialise(): Promise<SerialisedModel>;
  /**
   * The algorithm's own importance per encoded input column (≥ 0, e.g. total split gain of a tree
   * ensemble, |coefficient| × spread for a linear model), or null when it has none.
   */
  nativeImportance(): Float64Array | null;
  /** Frees what the model holds outside the JS heap (tfjs weights); predict must not be called after. */
  dispose(): void;
  /** Early stopping: the step whose model was kept (null when training ran to the end). */
  readonly bestStep?: number | null;
}

/** A hyper-parameter problem, for a BAD_USER_INPUT naming `field` (e.g. `maxDepth`). */
export interface HyperparameterProblem {
  field: HyperparameterName;
  message: string;
}

/** How a stored model's input and output are shaped, for `load`. */
export interface ModelShape {
  task: TaskName;
  inputWidth: number;
  outputWidth: number;
  inputShape: number[];
}

export interface Algorithm {
  readonly architecture: ArchitectureName;
  /** What it can learn. */
  readonly tasks: readonly TaskName[];
  /** The hyper-parameters it reads; a request setting any other one is refused, naming the field. */
  readonly hyperparameters: readonly HyperparameterName[];
  /** Its defaults, chosen by measurement (see the README's comparison table); merged over the shared ones. */
  readonly defaults: Partial<HyperparameterValues>;
  /** One sentence for the schema's description of the architecture. */
  readonly description: string;
  /** The most training rows it accepts (its cost grows faster than the rows); a larger request is refused before queueing. */
  readonly maxTrainingRows?: number;
  /** Checks beyond the schema's ranges (which apply to every algorithm); empty when fine. */
  validate(hp: HyperparameterValues, task: TaskName): HyperparameterProblem[];
  /** Trains in the calling process (the training child); deterministic for a given seed. */
  train(data: TrainingSet, hp: HyperparameterValues, seed: number, callbacks: TrainCallbacks): Promise<Predictor>;
  /** Rebuilds a predictor from its stored form. */
  load(model: SerialisedModel, shape: ModelShape): Promise<Predictor>;
}
