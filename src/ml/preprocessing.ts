/**
 * Turns typed dataset rows into the fixed-width numeric matrix a network takes. The fitted state is
 * plain JSON so it is saved with the model and applied unchanged at prediction time: a prediction
 * must see exactly the scaling and category columns the model was trained with.
 */
import { isBlank, parseBoolean, parseDateMs, parseNumber, type ColumnType } from './value-parsers';

/** An input column of a model and its dataset type. */
export interface FeatureSpec {
  name: string;
  type: ColumnType;
}

/**
 * How one input column becomes output columns.
 * - `numeric`: one standardised column, `(value - mean) / std`; a missing value becomes `mean` (so 0).
 *   BOOLEAN is 0/1 and DATE is days since 1970-01-01 (fractional for date-times) before scaling.
 * - `onehot`: one 0/1 column per category in `categories` order; a missing value counts as `mode`,
 *   a value not in `categories` (unseen in training, or beyond the cap) gives all zeros.
 */
export type FeatureEncoding =
  | ({ name: string; kind: 'numeric'; source: 'NUMBER' | 'BOOLEAN' | 'DATE'; mean: number; std: number } & Partial<NumericProfile>)
  | ({ name: string; kind: 'onehot'; categories: string[]; mode: string } & Partial<CategoryProfile>);

/**
 * What the training rows looked like, kept beside the encoding so serving can validate inputs and
 * drift checks can compare served rows with training without reading the training data again.
 * Optional in the type because artifacts saved before it existed lack it.
 */
export interface NumericProfile {
  /** Smallest and largest value seen (null when the column had no value). */
  min: number | null;
  max: number | null;
  /** The 10 %, 20 % … 90 % quantiles: the edges of 10 equal-frequency bins. */
  deciles: number[];
}
export interface CategoryProfile {
  /** Share of the training rows with each category, aligned with `categories` (rows outside them are the rest). */
  shares: number[];
}

/** The fitted preprocessing of a model's inputs; JSON-serialisable. */
export interface Preprocessor {
  features: FeatureEncoding[];
  /** Number of output columns: one per numeric feature plus one per category. */
  outputSize: number;
}

/** Most categories one feature gets; rarer ones share the all-zeros "other" encoding. */
export const MAX_CATEGORIES = 50;

const MS_PER_DAY = 86_400_000;

/**
 * Fits the encoding of `features` to `rows`. Fit on the training rows only, so nothing about the
 * validation or test rows leaks into the model. Missing values (null, undefined, blank text, and
 * values that do not parse as the column's type) are left out of every statistic.
 *
 * Numeric features use the population standard deviation; a constant column (std 0) or one with no
 * values at all gets std 1 (and mean 0 when empty) so it encodes to zeros instead of NaN.
 * Category features keep the {@link MAX_CATEGORIES} most frequent values (ties: smaller value
 * first), listed in ascending code-unit order; the mode is the most frequent value (ties: smaller
 * value). A category feature without any value has no categories and no output columns.
 * @throws Error for a TEXT feature (free text has no encoding here; callers reject it earlier)
 *   and for a feature name given twice.
 */
export function fitPreprocessor(rows: Record<string, unknown>[], features: FeatureSpec[]): Preprocessor {
  return fitPreprocessorOnColumns((name) => rows.map((row) => row[name]), features);
}

/**
 * {@link fitPreprocessor} on rows held as columns: `column(name)` gives every row's value, and
 * only the rows `keep` (all, in order, when null) are fitted on. The same cells give the same
 * encoding whichever form they come in (a training set of a million rows is never row objects).
 */
export function fitPreprocessorOnColumns(column: (name: string) => ArrayLike<unknown>, features: FeatureSpec[], keep: ArrayLike<number> | null = null): Preprocessor {
  const seen = new Set<string>();
  const encodings = features.map((feature): FeatureEncoding => {
    if (seen.has(feature.name)) throw new Error(`Feature ${JSON.stringify(feature.name)} is listed twice`);
    seen.add(feature.name);
    switch (feature.type) {
      case 'NUMBER':
      case 'BOOLEAN':
      case 'DATE':
        return fitNumeric(picked(column(feature.name), keep), feature.name, feature.type);
      case 'CATEGORY':
        return fitCategory(picked(column(feature.name), keep), feature.name);
      default:
        throw new Error(`Feature ${JSON.stringify(feature.name)} has type ${feature.type}, which cannot be a model input`);
    }
  });
  return { features: encodings, outputSize: encodings.reduce((sum, e) => sum + encodingWidth(e), 0) };
}

/** The values of rows `keep` in that order, read without copying them out. */
interface Picked {
  count: number;
  at(i: number): unknown;
}

function picked(values: ArrayLike<unknown>, keep: ArrayLike<number> | null): Picked {
  return keep ? { count: keep.length, at: (i) => values[keep[i]] } : { count: values.length, at: (i) => values[i] };
}

function fitNumeric(values: Picked, name: string, source: 'NUMBER' | 'BOOLEAN' | 'DATE'): FeatureEncoding {
  // Two passes rather than sum of squares: dates (~20 000 days) and amounts lose precision squared.
  let count = 0;
  let sum = 0;
  for (let i = 0; i < values.count; i++) {
    const v = toNumeric(source, values.at(i));
    if (v !== null) {
      count++;
      sum += v;
    }
  }
  const mean = count === 0 ? 0 : sum / count;
  let squares = 0;
  for (let i = 0; i < values.count; i++) {
    const v = toNumeric(source, values.at(i));
    if (v !== null) squares += (v - mean) ** 2;
  }
  const std = count === 0 ? 0 : Math.sqrt(squares / count);
  return { name, kind: 'numeric', source, mean, std: std > 0 && Number.isFinite(std) ? std : 1, ...numericProfile(values, source, count) };
}

function numericProfile(values: Picked, source: 'NUMBER' | 'BOOLEAN' | 'DATE', count: number): NumericProfile {
  if (count === 0) return { min: null, max: null, deciles: [] };
  const sorted = new Float64Array(count);
  let n = 0;
  for (let i = 0; i < values.count; i++) {
    const v = toNumeric(source, values.at(i));
    if (v !== null) sorted[n++] = v;
  }
  sorted.sort();
  // Nearest-rank quantiles: always values that occurred, so a 0/1 column gets edges 0 and 1 only.
  const deciles = Array.from({ length: 9 }, (_, i) => sorted[Math.min(sorted.length - 1, Math.ceil(((i + 1) / 10) * sorted.length) - 1)]);
  return { min: sorted[0], max: sorted[sorted.length - 1], deciles };
}

function fitCategory(values: Picked, name: string): FeatureEncoding {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.count; i++) {
    const key = toCategory(values.at(i));
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const byFrequency = [...counts].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  const categories = byFrequency.slice(0, MAX_CATEGORIES).map(([value]) => value).sort(compareText);
  const total = values.count || 1;
  const shares = categories.map((c) => counts.get(c)! / total);
  return { name, kind: 'onehot', categories, mode: byFrequency.length > 0 ? byFrequency[0][0] : '', shares };
}

/** Code-unit order, so the column order does not depend on the server's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodingWidth(e: FeatureEncoding): number {
  return e.kind === 'numeric' ? 1 : e.categories.length;
}

/**
 * The number a numeric feature's value stands for, or null when missing or not of that type.
 * Numeric text is accepted too, because prediction inputs often arrive as strings.
 */
export function toNumeric(source: 'NUMBER' | 'BOOLEAN' | 'DATE', value: unknown): number | null {
  if (value === null || value === undefined) return null;
  switch (source) {
    case 'NUMBER':
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      return typeof value === 'string' ? parseNumber(value) : null;
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value ? 1 : 0;
      // 0/1 are not BOOLEAN to type inference, but for a column already known to be BOOLEAN they are unambiguous.
      if (value === 0 || value === 1) return value;
      if (typeof value !== 'string') return null;
      if (value.trim() === '0' || value.trim() === '1') return +value;
      return isBlank(value) ? null : toFlag(parseBoolean(value));
    case 'DATE': {
      if (value instanceof Date) return dateDays(value.getTime());
      return typeof value === 'string' ? dateDays(parseDateMs(value)) : null;
    }
  }
}

function toFlag(flag: boolean | null): number | null {
  return flag === null ? null : flag ? 1 : 0;
}

function dateDays(ms: number | null): number | null {
  return ms === null || !Number.isFinite(ms) ? null : ms / MS_PER_DAY;
}

/** A category value's text (4 → '4', true → 'true'), or null when missing. */
export function toCategory(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return isBlank(value) ? null : value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Encodes `rows` with a fitted preprocessor.
 * @returns A row-major matrix of `rows.length × p.outputSize` values, columns in the order of
 *   {@link encodedFeatureNames}.
 */
export function transformRows(p: Preprocessor, rows: Record<string, unknown>[]): Float32Array {
  const width = p.outputSize;
  const out = new Float32Array(rows.length * width);
  let offset = 0;
  for (const e of p.features) {
    if (e.kind === 'numeric') {
      for (let r = 0; r < rows.length; r++) {
        const v = toNumeric(e.source, rows[r][e.name]);
        // Missing → mean, which standardises to exactly 0.
        out[r * width + offset] = v === null ? 0 : (v - e.mean) / e.std;
      }
      offset += 1;
    } else {
      // The fitted state is plain JSON, so the lookup is rebuilt per call rather than stored.
      const index = new Map(e.categories.map((c, i) => [c, i]));
      const modeIndex = index.get(e.mode);
      for (let r = 0; r < rows.length; r++) {
        const key = toCategory(rows[r][e.name]);
        const i = key === null ? modeIndex : index.get(key);
        if (i !== undefined) out[r * width + offset + i] = 1;
      }
      offset += e.categories.length;
    }
  }
  return out;
}

/**
 * The name of every output column: the feature name for numeric features, `name=category` for
 * each category of a one-hot feature, e.g. `['age', 'housing=own', 'housing=rent']`.
 */
export function encodedFeatureNames(p: Preprocessor): string[] {
  return p.features.flatMap((e) => (e.kind === 'numeric' ? [e.name] : e.categories.map((c) => `${e.name}=${c}`)));
}

/**
 * Which output columns belong to each input feature: columns `start` (inclusive) to `end`
 * (exclusive), in feature order. Used to permute or explain a whole feature at once.
 * A category feature with no categories has `start === end`.
 */
export function encodedRanges(p: Preprocessor): { feature: string; start: number; end: number }[] {
  let start = 0;
  return p.features.map((e) => {
    const range = { feature: e.name, start, end: start + encodingWidth(e) };
    start = range.end;
    return range;
  });
}
