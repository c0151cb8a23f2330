/**
 * Model quality metrics on plain number arrays (typed arrays work as they are). Pure: no tensors,
 * so they run the same in the training child, in tests and anywhere else.
 *
 * Inputs are checked and bad ones throw a RangeError (mismatched lengths, no rows, labels out of
 * range, NaN scores): a model that diverged produces NaN, and failing loudly beats storing a
 * metric that silently means nothing.
 */

/** Metrics of a binary classifier at one decision threshold, plus threshold-free AUC, log loss and KS. */
export interface BinaryMetrics { accuracy: number; precision: number; recall: number; f1: number; auc: number; logLoss: number; ks: number }

/** One point of a ROC curve: rates when rows scoring `>= threshold` are called positive. */
export interface RocPoint { fpr: number; tpr: number; threshold: number }

/** Metrics of a multiclass classifier; the macro averages weigh every class equally. */
export interface MulticlassMetrics { accuracy: number; macroPrecision: number; macroRecall: number; macroF1: number; logLoss: number }

/** Errors of a regression, in the units of the target. */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** Mean absolute percentage error in percent (12.5 means 12.5 %); null when any actual is 0. */
  mape: number | null;
  r2: number;
}

// The usual clip: a confident wrong answer costs ~34.5, not Infinity.
const EPSILON = 1e-15;
const clip = (p: number) => Math.min(1 - EPSILON, Math.max(EPSILON, p));
/** Zero instead of 0/0: the documented convention for precision/recall of an empty set. */
const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);
const harmonic = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new RangeError(`${what}: no rows`);
}

function checkBinary(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  checkSameLength(labels, scores, 'labels and scores');
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`label ${labels[i]} at row ${i} is not 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new RangeError(`score ${scores[i]} at row ${i} is not a finite number`);
  }
}

function countPositives(labels: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  return positives;
}

/** Every ROC point, one per distinct score, highest threshold first; null when a class is absent. */
function fullRoc(labels: ArrayLike<number>, scores: ArrayLike<number>): RocPoint[] | null {
  const positives = countPositives(labels);
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  // The (0,0) point needs a threshold above every score; Infinity would not survive JSON or a
  // GraphQL Float, so it is max + 1 (scikit-learn's old convention).
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: scores[order[0]] + 1 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]] === 1) tp++;
    else fp++;
    // Tied scores cross the threshold together, so they make one point, not a staircase.
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      points.push({ fpr: fp / negatives, tpr: tp / positives, threshold: scores[order[k]] });
    }
  }
  return points;
}

/**
 * ROC curve from (0,0) (threshold = highest score + 1) to (1,1) (threshold = lowest score), one
 * point per distinct score, thinned to at most `maxPoints` (≥ 2) evenly spaced points keeping the
 * first and the last. Returns [] when the labels hold only one class (the curve is undefined).
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, maxPoints = 200): RocPoint[] {
  if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  checkBinary(labels, scores);
  const points = fullRoc(labels, scores);
  if (!points) return [];
  const keep = Math.floor(maxPoints);
  if (points.length <= keep) return points;
  // Strictly increasing indices, since the spacing (points - 1) / (keep - 1) exceeds 1.
  return Array.from({ length: keep }, (_, k) => points[Math.round((k * (points.length - 1)) / (keep - 1))]);
}

/**
 * Area under the ROC curve from ranks (Mann–Whitney U): the probability that a random positive
 * scores above a random negative, ties counting 1/2. NaN when the labels hold only one class.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkBinary(labels, scores);
  const positives = countPositives(labels);
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let groupPositives = 0;
    while (end < order.length && scores[order[end]] === scores[order[start]]) groupPositives += labels[order[end++]];
    // Tied rows share the mean of ranks start+1 … end: this is what counts a tie as 1/2.
    positiveRankSum += groupPositives * ((start + 1 + end) / 2);
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Kolmogorov–Smirnov statistic: max |TPR − FPR| over all thresholds. NaN when a class is absent. */
export function ksStatistic(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkBinary(labels, scores);
  const points = fullRoc(labels, scores);
  if (!points) return NaN;
  return points.reduce((best, p) => Math.max(best, Math.abs(p.tpr - p.fpr)), 0);
}

/**
 * Binary metrics; a row is predicted positive when its score is `>= threshold`. Precision is 0
 * when nothing is predicted positive, recall is 0 when there are no positive labels, and F1 is 0
 * when both are 0 (scikit-learn's zero_division=0). `auc` and `ks` are NaN when one class is absent.
 */
export function binaryMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): BinaryMetrics {
  checkBinary(labels, scores);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let lossSum = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (predicted) tp++;
      else fn++;
      lossSum -= Math.log(clip(scores[i]));
    } else {
      if (predicted) fp++;
      // clip(1 − p), not 1 − clip(p): the latter rounds to 1.1e-15 and breaks the symmetry.
      lossSum -= Math.log(clip(1 - scores[i]));
    }
  }
  const n = labels.length;
  const tn = n - tp - fp - fn;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    accuracy: (tp + tn) / n,
    precision,
    recall,
    f1: harmonic(precision, recall),
    auc: rocAuc(labels, scores),
    logLoss: lossSum / n,
    ks: ksStatistic(labels, scores),
  };
}

/** Counts indexed `[actual][predicted]`; both must hold integers in [0, classes). */
export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  checkSameLength(actual, predicted, 'actual and predicted');
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`classes must be a positive integer, got ${classes}`);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) {
    for (const value of [actual[i], predicted[i]]) {
      if (!Number.isInteger(value) || value < 0 || value >= classes) throw new RangeError(`class ${value} at row ${i} is not in [0, ${classes})`);
    }
    matrix[actual[i]][predicted[i]]++;
  }
  return matrix;
}

/**
 * Multiclass metrics from one probability row per label. The prediction is the most probable
 * class (the first on ties). Macro averages run over the classes that occur in the labels or the
 * predictions (scikit-learn's default), so a class never seen and never predicted does not drag
 * them to 0; per class, precision/recall are 0 when their denominator is, and macroF1 is the mean
 * of per-class F1. Log loss uses the clipped probability of the true class, not renormalised.
 */
export function multiclassMetrics(labels: ArrayLike<number>, probabilities: number[][]): MulticlassMetrics {
  checkSameLength(labels, probabilities, 'labels and probabilities');
  const classes = probabilities[0].length;
  const truePositives = new Array<number>(classes).fill(0);
  const predictedCount = new Array<number>(classes).fill(0);
  const actualCount = new Array<number>(classes).fill(0);
  let lossSum = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probabilities[i];
    const label = labels[i];
    if (row.length !== classes) throw new RangeError(`probability row ${i} has ${row.length} values, expected ${classes}`);
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new RangeError(`label ${label} at row ${i} is not in [0, ${classes})`);
    let best = 0;
    for (let k = 0; k < classes; k++) {
      if (Number.isNaN(row[k])) throw new RangeError(`probability at row ${i}, class ${k} is NaN`);
      if (row[k] > row[best]) best = k;
    }
    predictedCount[best]++;
    actualCount[label]++;
    if (best === label) truePositives[label]++;
    lossSum -= Math.log(clip(row[label]));
  }
  let precisionSum = 0;
  let recallSum = 0;
  let f1Sum = 0;
  let counted = 0;
  for (let k = 0; k < classes; k++) {
    if (actualCount[k] === 0 && predictedCount[k] === 0) continue;
    const precision = ratio(truePositives[k], predictedCount[k]);
    const recall = ratio(truePositives[k], actualCount[k]);
    precisionSum += precision;
    recallSum += recall;
    f1Sum += harmonic(precision, recall);
    counted++;
  }
  const correct = truePositives.reduce((a, b) => a + b, 0);
  return {
    accuracy: correct / labels.length,
    macroPrecision: precisionSum / counted,
    macroRecall: recallSum / counted,
    macroF1: f1Sum / counted,
    logLoss: lossSum / labels.length,
  };
}

/**
 * Regression errors. `mape` is in percent and null when any actual value is 0 (it would divide
 * by zero). When the actual values are all equal R² is undefined (0/0): it is then 1 for a
 * perfect fit and 0 otherwise (scikit-learn's force_finite), so it stays a finite number.
 */
export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  checkSameLength(actual, predicted, 'actual and predicted');
  const n = actual.length;
  let sum = 0;
  let constant = true;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(actual[i]) || Number.isNaN(predicted[i])) throw new RangeError(`NaN at row ${i}`);
    sum += actual[i];
    constant &&= actual[i] === actual[0];
  }
  const mean = sum / n;
  let squared = 0;
  let absolute = 0;
  let percentage = 0;
  let hasZero = false;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const error = actual[i] - predicted[i];
    squared += error * error;
    absolute += Math.abs(error);
    if (actual[i] === 0) hasZero = true;
    else percentage += Math.abs(error / actual[i]);
    total += (actual[i] - mean) ** 2;
  }
  return {
    rmse: Math.sqrt(squared / n),
    mae: absolute / n,
    mape: hasZero ? null : (100 * percentage) / n,
    // A rounded mean of equal values can leave `total` a hair above 0, hence the explicit test.
    r2: constant || total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total,
  };
}
