/**
 * Encodes a model's target column for training and decodes the network's output back into the
 * client's labels or units. The fitted state is plain JSON, saved with the model.
 */
import type { TaskName } from './model-spec';
import { parseNumber } from './value-parsers';

/**
 * The fitted target encoding. Class labels are the values' text (`1` → `'1'`, `true` → `'true'`).
 * Binary `classes[1]` is the positive class, the one the network's single output is the probability of.
 * Regression and forecasts are standardised with `mean` and `std`.
 */
export type TargetEncoder =
  | { kind: 'binary'; classes: [string, string] }
  | { kind: 'multiclass'; classes: string[] }
  | { kind: 'regression'; mean: number; std: number };

/** A target that cannot be used for the task; the message is meant for the client. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/** Most classes a multiclass target may have; more is almost always an ID or free-text column. */
export const MAX_CLASSES = 100;

/**
 * Fits the target encoding for `task`. null and undefined values are ignored (callers drop those rows).
 * - BINARY_CLASSIFICATION needs exactly 2 distinct values. Classes are ordered so the positive one
 *   is second: numerically when both labels are numbers (`0`/`1` → `['0', '1']`), otherwise by
 *   code unit (`false`/`true` → `['false', 'true']`, `bad`/`good` → `['bad', 'good']`).
 * - MULTICLASS_CLASSIFICATION needs 3 to {@link MAX_CLASSES} distinct values, ordered the same way.
 * - REGRESSION and TIME_SERIES_FORECAST need numbers (numeric text such as `'12'` is accepted);
 *   population mean and std, std 1 when the target is constant.
 * @throws TargetError when the values do not suit the task.
 */
export function fitTargetEncoder(values: unknown[], task: TaskName): TargetEncoder {
  if (task === 'REGRESSION' || task === 'TIME_SERIES_FORECAST') {
    const numbers: number[] = [];
    for (const value of values) {
      if (value === null || value === undefined) continue;
      const n = toNumber(value);
      if (n === null) throw new TargetError(`target value ${describe(value)} is not a number; ${task} needs a numeric target`);
      numbers.push(n);
    }
    if (numbers.length === 0) throw new TargetError('target has no values');
    const mean = numbers.reduce((sum, n) => sum + n, 0) / numbers.length;
    const std = Math.sqrt(numbers.reduce((sum, n) => sum + (n - mean) ** 2, 0) / numbers.length);
    return { kind: 'regression', mean, std: std > 0 && Number.isFinite(std) ? std : 1 };
  }

  const distinct = new Set<string>();
  for (const value of values) {
    const label = toLabel(value);
    if (label !== null) distinct.add(label);
  }
  const classes = sortLabels([...distinct]);
  const count = `target has ${classes.length} ${classes.length === 1 ? 'class' : 'classes'}`;
  if (task === 'BINARY_CLASSIFICATION') {
    if (classes.length !== 2) throw new TargetError(`${count}, BINARY_CLASSIFICATION needs 2`);
    return { kind: 'binary', classes: [classes[0], classes[1]] };
  }
  if (classes.length < 3) {
    throw new TargetError(`${count}, MULTICLASS_CLASSIFICATION needs at least 3${classes.length === 2 ? ' (use BINARY_CLASSIFICATION)' : ''}`);
  }
  if (classes.length > MAX_CLASSES) throw new TargetError(`${count}, MULTICLASS_CLASSIFICATION supports at most ${MAX_CLASSES}`);
  return { kind: 'multiclass', classes };
}

/**
 * Encodes target values for training: binary → 0/1 (1 = `classes[1]`), multiclass → class index
 * (the caller one-hots it), regression → `(value - mean) / std`.
 * @throws TargetError for a missing value, a class the encoder was not fitted with, or a
 *   non-numeric regression value.
 */
export function encodeTargets(e: TargetEncoder, values: unknown[]): Float32Array {
  const out = new Float32Array(values.length);
  if (e.kind === 'regression') {
    values.forEach((value, i) => {
      const n = value === null || value === undefined ? null : toNumber(value);
      if (n === null) throw new TargetError(`target value ${describe(value)} is not a number`);
      out[i] = (n - e.mean) / e.std;
    });
    return out;
  }
  const index = new Map(e.classes.map((c, i) => [c, i]));
  values.forEach((value, i) => {
    const label = toLabel(value);
    const cls = label === null ? undefined : index.get(label);
    if (cls === undefined) {
      const known = e.classes.length <= 10 ? `: ${e.classes.join(', ')}` : '';
      throw new TargetError(`target value ${describe(value)} is not one of the ${e.classes.length} classes the model was fitted with${known}`);
    }
    out[i] = cls;
  });
  return out;
}

/** A decoded prediction: see {@link decodePrediction}. */
export interface DecodedPrediction {
  value: number | string;
  label: string | null;
  probabilities: { label: string; probability: number }[];
}

/**
 * Turns one row of network output into a prediction.
 * - binary: `output = [p]`, p the probability of `classes[1]`; `value` is p, `label` is
 *   `classes[1]` when p ≥ 0.5 else `classes[0]`, probabilities `[1 - p, p]` in class order.
 * - multiclass: `output` is the softmax vector in class order; `label` and `value` are the most
 *   probable class (the first on ties), probabilities as given.
 * - regression: `value` is `output[0]` in the target's units, `label` null, no probabilities.
 *   For a multi-step forecast, unscale each step the same way (`v * std + mean`).
 * @throws Error when `output` is empty or, for multiclass, not one value per class.
 */
export function decodePrediction(e: TargetEncoder, output: number[]): DecodedPrediction {
  if (output.length === 0) throw new Error('The model produced no output');
  switch (e.kind) {
    case 'binary': {
      const p = output[0];
      return {
        value: p,
        label: p >= 0.5 ? e.classes[1] : e.classes[0],
        probabilities: [
          { label: e.classes[0], probability: 1 - p },
          { label: e.classes[1], probability: p },
        ],
      };
    }
    case 'multiclass': {
      if (output.length !== e.classes.length) {
        throw new Error(`The model produced ${output.length} outputs for ${e.classes.length} classes`);
      }
      let best = 0;
      for (let i = 1; i < output.length; i++) if (output[i] > output[best]) best = i;
      return {
        value: e.classes[best],
        label: e.classes[best],
        probabilities: e.classes.map((label, i) => ({ label, probability: output[i] })),
      };
    }
    case 'regression':
      return { value: output[0] * e.std + e.mean, label: null, probabilities: [] };
  }
}

/**
 * BALANCED class weights for Keras-style `classWeight`: `n / (classes × count_c)`, so every class
 * contributes the same total weight to the loss. A class without rows gets weight 1 (it never
 * occurs, and Infinity would not survive JSON).
 * @param encoded Class indexes 0 … classes - 1, as from {@link encodeTargets} (binary: 0/1).
 * @throws RangeError for a value that is not such an index.
 */
export function classWeights(encoded: Float32Array, classes: number): Record<number, number> {
  const counts = new Array<number>(classes).fill(0);
  for (const cls of encoded) {
    if (!Number.isInteger(cls) || cls < 0 || cls >= classes) throw new RangeError(`${cls} is not a class index below ${classes}`);
    counts[cls]++;
  }
  const weights: Record<number, number> = {};
  counts.forEach((count, cls) => {
    weights[cls] = count === 0 ? 1 : encoded.length / (classes * count);
  });
  return weights;
}

/** The class label of a value, or null when missing. */
function toLabel(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return typeof value === 'string' ? parseNumber(value) : null;
}

/** Numeric labels in numeric order (so '2' < '10'), anything else by code unit (locale-independent). */
function sortLabels(labels: string[]): string[] {
  const numbers = labels.map((label) => parseNumber(label));
  if (numbers.every((n) => n !== null)) {
    return labels.map((label, i) => ({ label, n: numbers[i] as number })).sort((a, b) => a.n - b.n || (a.label < b.label ? -1 : 1)).map((x) => x.label);
  }
  return labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
