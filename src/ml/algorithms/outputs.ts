/**
 * Helpers the non-network algorithms share: the kind of output a task gives, the loss they
 * stream per step, and the range checks of their hyper-parameters.
 */
import type { HyperparameterName, HyperparameterValues, TaskName } from '../model-spec';
import type { HyperparameterProblem } from './algorithm';

/** What an algorithm's outputs are, from its task. */
export type OutputKind = 'binary' | 'multiclass' | 'regression';

export function taskKind(task: TaskName): OutputKind {
  if (task === 'BINARY_CLASSIFICATION') return 'binary';
  if (task === 'MULTICLASS_CLASSIFICATION') return 'multiclass';
  if (task === 'REGRESSION') return 'regression';
  throw new RangeError(`this algorithm cannot learn ${task}`);
}

const EPSILON = 1e-7;
const clip = (p: number) => (p < EPSILON ? EPSILON : p > 1 - EPSILON ? 1 - EPSILON : p);

/**
 * The loss of outputs (`scale` × `sums`, rows × k) against encoded targets `y`: log loss with
 * probabilities clipped to [1e-7, 1 − 1e-7] for classification, the mean squared error otherwise.
 * `sigmoid` applies the logistic function first (a booster's raw score). Unweighted.
 */
export function outputLoss(kind: OutputKind, y: Float32Array, sums: Float64Array, rows: number, k: number, scale = 1, sigmoid = false): number {
  if (rows === 0) return NaN;
  let total = 0;
  if (kind === 'binary') {
    for (let r = 0; r < rows; r++) {
      let p = sums[r] * scale;
      if (sigmoid) p = 1 / (1 + Math.exp(-p));
      total -= y[r] >= 0.5 ? Math.log(clip(p)) : Math.log(clip(1 - p));
    }
  } else if (kind === 'multiclass') {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) if (y[r * k + j] > 0) total -= y[r * k + j] * Math.log(clip(sums[r * k + j] * scale));
    }
  } else {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) {
        const d = sums[r * k + j] * scale - y[r * k + j];
        total += d * d;
      }
    }
    total /= k;
  }
  return total / rows;
}

/** A problem when `hp[field]` is set and is not an integer in [min, max]. */
export function integerProblem(hp: Partial<HyperparameterValues>, field: HyperparameterName, min: number, max: number): HyperparameterProblem[] {
  const value = hp[field] as unknown;
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return [{ field, message: `${field} must be an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${String(value)}` }];
  }
  return [];
}

/** A problem when `hp[field]` is set and is not a number in (min, max] (or [min, max] when `inclusive`). */
export function numberProblem(hp: Partial<HyperparameterValues>, field: HyperparameterName, min: number, max: number, inclusive = false): HyperparameterProblem[] {
  const value = hp[field] as unknown;
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isFinite(value) || (inclusive ? value < min : value <= min) || value > max) {
    return [{ field, message: `${field} must be a number in ${inclusive ? '[' : '('}${min}, ${max}], got ${String(value)}` }];
  }
  return [];
}
