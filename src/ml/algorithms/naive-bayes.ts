/**
 * NAIVE_BAYES: a naive Bayes classifier over mixed inputs, in plain arithmetic (no tfjs).
 *
 * - Numeric columns are Gaussian per class, as scikit-learn's GaussianNB: the class's mean and
 *   (population) variance, each variance plus `var_smoothing` = 1e-9 × the largest variance of a
 *   numeric column over all training rows (1e-9 when every numeric column is constant).
 * - One-hot category columns: the encoded input only says which columns are indicators, not where
 *   one category feature ends and the next begins when two are adjacent. So each contiguous run of
 *   indicator columns is one multinomial term, as scikit-learn's MultinomialNB fitted on that run:
 *   P(column j | class) = (count_j + α) / (N + α·C), with count_j the class's (weighted) rows with a
 *   1 in column j, N the class's total of 1s in the run and C the run's width. When the run is one
 *   category feature (the usual case: any numeric column between two category features separates
 *   them), every training row has exactly one 1 in it, N is the class's row count and this is
 *   exactly CategoricalNB: (count + α) / (n_class + α·C). When a run holds F adjacent features it
 *   is the multinomial over their F·n_class 1s, which differs from the per-feature form only in
 *   the normaliser (by a factor that is nearly the same for every class when α ≪ n_class).
 *   A row with no 1 in a run (a category unseen in training) adds nothing from that run.
 * - Class priors are the (class-weighted, with BALANCED weighting) training counts over their sum;
 *   category counts are weighted the same way. Class weights are constant within a class, so they
 *   leave the Gaussian means and variances unchanged.
 * - Output: P(class | row) ∝ prior × likelihoods, normalised with log-sum-exp (binary: the
 *   positive class's probability; multiclass: one per class).
 * - Native importance: per column, the prior-weighted spread (standard deviation across classes) of
 *   the class-conditional means (numeric columns are standardised, so this is in standard
 *   deviations; an indicator column's class-conditional mean is its frequency in the class),
 *   normalised to sum 1. A column whose mean does not move with the class scores 0.
 *
 * Why not `ml-naivebayes` 4.0.0 (read from its source): it has a GaussianNB and a MultinomialNB,
 * each over all columns, so one model cannot mix numeric and category columns; besides, its
 * `predict` returns only the arg-max class (no probabilities), the GaussianNB has no variance
 * smoothing (a constant column within a class divides by 0) and computes log(C·exp(·)), which
 * underflows far from the mean, the MultinomialNB's smoothing is fixed at 1, and neither takes
 * sample or class weights.
 */
import { TASKS_BY_ARCHITECTURE, type HyperparameterValues, type TaskName } from '../model-spec';
import type { Algorithm, EncodedRows, HyperparameterProblem, ModelShape, Predictor, SerialisedModel, TrainingSet } from './algorithm';

/** scikit-learn's GaussianNB default `var_smoothing`. */
export const VAR_SMOOTHING = 1e-9;
/** The least additive smoothing used (scikit-learn's floor for alpha = 0). */
export const MIN_SMOOTHING = 1e-10;
/** Probabilities are clipped to [ε, 1 − ε] for the log loss, as scikit-learn's log_loss does. */
const LOG_LOSS_EPSILON = 1e-15;

/** The fitted model; plain JSON (numbers round-trip exactly), and all `predict` reads. */
export interface NaiveBayesState {
  kind: 'naive-bayes';
  /** Classes (2 for binary). */
  classes: number;
  /** Encoded input columns. */
  columns: number;
  /** log P(class), per class. */
  logPriors: number[];
  /** Indices of the numeric (Gaussian) columns, ascending. */
  numeric: number[];
  /** Per class, per numeric column (aligned with `numeric`): the mean. */
  means: number[][];
  /** Per class, per numeric column: the smoothed variance (> 0). */
  variances: number[][];
  /** Indices of the indicator columns, ascending. */
  categorical: number[];
  /** Per class, per indicator column (aligned with `categorical`): log P(column | class) within its run. */
  logProbabilities: number[][];
  /** Per encoded column: the native importance (see the file comment). */
  importance: number[];
}

/** Options of {@link fitNaiveBayes}. */
export interface NaiveBayesOptions {
  /** Additive smoothing α of the category counts (floored at {@link MIN_SMOOTHING}). */
  smoothing: number;
  /** Per encoded column: true for a one-hot indicator, false for a numeric column. */
  categorical: readonly boolean[];
  /** Class index → weight, or null for 1 each. */
  classWeight?: Record<number, number> | null;
}

/**
 * Fits naive Bayes to `rows` rows of `columns` values (row-major) with integer class labels in
 * `[0, classes)`.
 * @throws RangeError on a shape mismatch, a label out of range or a class without training rows.
 */
export function fitNaiveBayes(x: ArrayLike<number>, labels: ArrayLike<number>, rows: number, columns: number, classes: number, options: NaiveBayesOptions): NaiveBayesState {
  if (x.length !== rows * columns) throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × columns (${columns})`);
  if (labels.length !== rows) throw new RangeError(`${labels.length} labels for ${rows} rows`);
  if (options.categorical.length !== columns) throw new RangeError(`categorical has ${options.categorical.length} flags for ${columns} columns`);
  const alpha = Math.max(options.smoothing, MIN_SMOOTHING);
  const numeric: number[] = [];
  const categorical: number[] = [];
  for (let j = 0; j < columns; j++) (options.categorical[j] ? categorical : numeric).push(j);

  const counts = new Float64Array(classes);
  const weightedCounts = new Float64Array(classes);
  const weightOf = (c: number) => options.classWeight?.[c] ?? 1;
  for (let r = 0; r < rows; r++) {
    const c = labels[r];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`row ${r} has label ${c}, expected an integer in [0, ${classes})`);
    counts[c] += 1;
    weightedCounts[c] += weightOf(c);
  }
  for (let c = 0; c < classes; c++) if (counts[c] === 0) throw new RangeError(`class ${c} has no training rows`);

  // Means and variances per class (two passes, for precision), and over all rows for var_smoothing.
  const m = numeric.length;
  const sums = Array.from({ length: classes }, () => new Float64Array(m));
  const totalSums = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    const c = labels[r];
    for (let k = 0; k < m; k++) {
      const v = x[r * columns + numeric[k]];
      sums[c][k] += v;
      totalSums[k] += v;
    }
  }
  const means = sums.map((s, c) => Array.from(s, (v) => v / counts[c]));
  const totalMeans = Array.from(totalSums, (v) => v / rows);
  const squares = Array.from({ length: classes }, () => new Float64Array(m));
  const totalSquares = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    const c = labels[r];
    for (let k = 0; k < m; k++) {
      const v = x[r * columns + numeric[k]];
      squares[c][k] += (v - means[c][k]) ** 2;
      totalSquares[k] += (v - totalMeans[k]) ** 2;
    }
  }
  const largestVariance = totalSquares.reduce((max, s) => Math.max(max, s / rows), 0);
  const epsilon = VAR_SMOOTHING * (largestVariance > 0 ? largestVariance : 1);
  const variances = squares.map((s, c) => Array.from(s, (v) => v / counts[c] + epsilon));

  // Category counts per class, then per run of adjacent indicator columns.
  const q = categorical.length;
  const ones = Array.from({ length: classes }, () => new Float64Array(q));
  for (let r = 0; r < rows; r++) {
    const c = labels[r];
    const w = weightOf(c);
    for (let k = 0; k < q; k++) ones[c][k] += w * x[r * columns + categorical[k]];
  }
  const logProbabilities = Array.from({ length: classes }, () => new Array<number>(q).fill(0));
  for (let start = 0; start < q; ) {
    let end = start + 1;
    while (end < q && categorical[end] === categorical[end - 1] + 1) end++;
    const width = end - start;
    for (let c = 0; c < classes; c++) {
      let total = 0;
      for (let k = start; k < end; k++) total += ones[c][k];
      const denominator = Math.log(total + alpha * width);
      for (let k = start; k < end; k++) logProbabilities[c][k] = Math.log(ones[c][k] + alpha) - denominator;
    }
    start = end;
  }

  const weightTotal = weightedCounts.reduce((s, v) => s + v, 0);
  const priors = Array.from(weightedCounts, (v) => v / weightTotal);
  const logPriors = priors.map((p) => Math.log(p));

  // Importance: the prior-weighted standard deviation of the class-conditional means.
  const importance = new Array<number>(columns).fill(0);
  const spread = (perClass: (c: number) => number) => {
    let mean = 0;
    for (let c = 0; c < classes; c++) mean += priors[c] * perClass(c);
    let variance = 0;
    for (let c = 0; c < classes; c++) variance += priors[c] * (perClass(c) - mean) ** 2;
    return Math.sqrt(variance);
  };
  numeric.forEach((j, k) => { importance[j] = spread((c) => means[c][k]); });
  categorical.forEach((j, k) => { importance[j] = spread((c) => ones[c][k] / weightedCounts[c]); });
  const importanceTotal = importance.reduce((s, v) => s + v, 0);
  if (importanceTotal > 0) for (let j = 0; j < columns; j++) importance[j] /= importanceTotal;

  return { kind: 'naive-bayes', classes, columns, logPriors, numeric, means, variances, categorical, logProbabilities, importance };
}

/**
 * Class probabilities in float64: `rows × classes` values, row-major (each row sums to 1).
 * What the predictor's outputs are rounded from.
 */
export function naiveBayesProbabilities(state: NaiveBayesState, x: ArrayLike<number>, rows: number): Float64Array {
  const { classes, columns, numeric, categorical, means, variances, logProbabilities } = state;
  if (x.length !== rows * columns) throw new RangeError(`x holds ${x.length} values, expected rows (${rows}) × columns (${columns})`);
  // log prior − ½ Σ log(2π σ²): the part of each class's log-joint that does not depend on the row.
  const constants = state.logPriors.map((logPrior, c) => variances[c].reduce((sum, v) => sum - 0.5 * Math.log(2 * Math.PI * v), logPrior));
  const out = new Float64Array(rows * classes);
  const joint = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    const base = r * columns;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = constants[c];
      const mu = means[c];
      const variance = variances[c];
      for (let k = 0; k < numeric.length; k++) {
        const d = x[base + numeric[k]] - mu[k];
        s -= (d * d) / (2 * variance[k]);
      }
      const logP = logProbabilities[c];
      for (let k = 0; k < categorical.length; k++) {
        const v = x[base + categorical[k]];
        if (v !== 0) s += v * logP[k];
      }
      joint[c] = s;
      if (s > max) max = s;
    }
    // log-sum-exp: shift by the largest so the biggest term is exp(0) = 1.
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(joint[c] - max);
    const logTotal = max + Math.log(total);
    for (let c = 0; c < classes; c++) out[r * classes + c] = Math.exp(joint[c] - logTotal);
  }
  return out;
}

/** A predictor over a fitted state: binary → P(class 1) per row; multiclass → one probability per class. */
export function naiveBayesPredictor(state: NaiveBayesState, task: TaskName): Predictor {
  const binary = task === 'BINARY_CLASSIFICATION';
  return {
    async predict(x, rows) {
      const p = naiveBayesProbabilities(state, x, rows);
      if (!binary) return Float32Array.from(p);
      const out = new Float32Array(rows);
      for (let r = 0; r < rows; r++) out[r] = p[r * 2 + 1];
      return out;
    },
    async serialise(): Promise<SerialisedModel> {
      return { state: JSON.parse(JSON.stringify(state)) as NaiveBayesState, bytes: new ArrayBuffer(0) };
    },
    nativeImportance: () => Float64Array.from(state.importance),
    dispose() {},
    bestStep: null,
  };
}

/** Class index per row: binary targets are 0/1, multiclass ones are one-hot (`width` values per row). */
export function classLabels(part: EncodedRows, width: number): Int32Array {
  const labels = new Int32Array(part.count);
  for (let r = 0; r < part.count; r++) {
    if (width === 1) {
      labels[r] = part.y[r] >= 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < width; c++) if (part.y[r * width + c] > part.y[r * width + best]) best = c;
    labels[r] = best;
  }
  return labels;
}

/** Mean log loss of the rows of `part` (natural log, probabilities clipped to [1e-15, 1 − 1e-15]). */
function logLoss(state: NaiveBayesState, part: EncodedRows, width: number): number {
  const labels = classLabels(part, width);
  const p = naiveBayesProbabilities(state, part.x, part.count);
  let sum = 0;
  for (let r = 0; r < part.count; r++) {
    const q = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p[r * state.classes + labels[r]]));
    sum -= Math.log(q);
  }
  return sum / part.count;
}

function isState(value: unknown): value is NaiveBayesState {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'naive-bayes';
}

export const naiveBayes: Algorithm = {
  architecture: 'NAIVE_BAYES',
  tasks: TASKS_BY_ARCHITECTURE.NAIVE_BAYES,
  hyperparameters: ['smoothing', 'classWeighting'],
  defaults: { smoothing: 1 },
  description: 'Naive Bayes: Gaussian per class for numeric columns, smoothed counts for category columns; one pass, calibrated to its independence assumption; binary or multiclass.',

  validate(hp: HyperparameterValues): HyperparameterProblem[] {
    if (!(Number.isFinite(hp.smoothing) && hp.smoothing >= 0)) return [{ field: 'smoothing', message: `must be a finite number ≥ 0, got ${hp.smoothing}` }];
    return [];
  },

  async train(data: TrainingSet, hp: HyperparameterValues, _seed: number, callbacks): Promise<Predictor> {
    const classes = data.task === 'BINARY_CLASSIFICATION' ? 2 : data.outputWidth;
    const state = fitNaiveBayes(data.train.x, classLabels(data.train, data.outputWidth), data.train.count, data.inputWidth, classes, {
      smoothing: hp.smoothing,
      categorical: data.categorical,
      classWeight: data.classWeight,
    });
    const metrics: Record<string, number> = { loss: logLoss(state, data.train, data.outputWidth) };
    if (data.validation.count > 0) metrics.val_loss = logLoss(state, data.validation, data.outputWidth);
    await callbacks.onStep({ step: 1, totalSteps: 1, metrics });
    return naiveBayesPredictor(state, data.task);
  },

  async load(model: SerialisedModel, shape: ModelShape): Promise<Predictor> {
    if (!isState(model.state)) throw new Error('not a NAIVE_BAYES model');
    if (model.state.columns !== shape.inputWidth) throw new Error(`model has ${model.state.columns} input columns, expected ${shape.inputWidth}`);
    return naiveBayesPredictor(model.state, shape.task);
  },
};
