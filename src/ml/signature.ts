/**
 * The input signature of a model version (which features it takes, of which type, with which
 * training categories and ranges) and the validation of prediction rows against it. Validation runs
 * before encoding because the preprocessor silently imputes anything it cannot read: a typo such as
 * `"1O0"` would otherwise become the training mean and give a confident but meaningless prediction.
 */
import type { Preprocessor } from './preprocessing';
import { isBlank, parseBoolean, parseDateMs, parseNumber } from './value-parsers';

/** The type of a model input as clients see it. */
export type SignatureType = 'NUMBER' | 'BOOLEAN' | 'DATE' | 'CATEGORY';

/** One input feature of a model. */
export interface SignatureFeature {
  name: string;
  type: SignatureType;
  /** Categories seen in training (CATEGORY only, else null). */
  categories: string[] | null;
  /** Range seen in training (numeric types; null when unknown, e.g. old artifacts). For DATE: days since epoch. */
  min: number | null;
  max: number | null;
  /** Training mean (numeric) — the value a missing input is imputed with. */
  mean: number | null;
}

/** The inputs of a model, in the order the preprocessor encodes them. */
export interface Signature {
  features: SignatureFeature[];
}

/**
 * The input signature of a model version, from its saved preprocessor. `extraRequired` names
 * columns that are required inputs but are not in the preprocessor (a forecast model's target
 * history); they are NUMBER with null stats and come after the preprocessor's features.
 */
export function signatureOf(preprocessor: Preprocessor | null, extraRequired: string[] = []): Signature {
  const features: SignatureFeature[] = (preprocessor?.features ?? []).map((e) =>
    e.kind === 'numeric'
      ? { name: e.name, type: e.source, categories: null, min: e.min ?? null, max: e.max ?? null, mean: e.mean }
      : { name: e.name, type: 'CATEGORY', categories: [...e.categories], min: null, max: null, mean: null },
  );
  const names = new Set(features.map((f) => f.name));
  for (const name of extraRequired) {
    if (names.has(name)) continue;
    names.add(name);
    features.push({ name, type: 'NUMBER', categories: null, min: null, max: null, mean: null });
  }
  return { features };
}

const NONE: ReadonlySet<string> = new Set();

/** Most names `ignoredFields` lists. */
export const MAX_IGNORED_LISTED = 50;

/**
 * The row keys the signature does not use, in first-seen order (at most MAX_IGNORED_LISTED): the
 * features a version's feature selection dropped, or unknown keys under the IGNORE policy.
 */
export function ignoredFields(signature: Signature, rows: Record<string, unknown>[]): string[] {
  const known = new Set(signature.features.map((f) => f.name));
  const ignored = new Set<string>();
  for (const row of rows) {
    for (const key in row) {
      if (Object.hasOwn(row, key) && !known.has(key)) ignored.add(key);
      if (ignored.size >= MAX_IGNORED_LISTED) return [...ignored];
    }
  }
  return [...ignored];
}

/** What to do with a row key that is not a feature of the model. */
export type UnknownFieldPolicy = 'IGNORE' | 'REJECT';

/** One problem with one input row; `row` is the index in the request, `field` the feature (or unknown key). */
export class RowValidationError extends Error {
  constructor(
    readonly row: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RowValidationError';
  }
}

/** Returns null when the value is acceptable, else the reason (without the `rows[i].field: ` prefix). */
export type Checker = (value: unknown) => string | null;

/** Categories listed in an "unknown category" message before it is cut off. */
const LISTED_CATEGORIES = 10;

/**
 * Checks prediction rows against the signature, before encoding. Every feature's key must be
 * present; `null` (and blank text, which ingestion treats the same way) means a missing value,
 * which the preprocessor imputes with the training mean or mode. Ranges are not enforced: values
 * outside the training range are legitimate, just less certain.
 * @throws RowValidationError for the first problem found, rows in order and within a row the
 *   features in signature order, then unknown keys (only with `REJECT`; keys in `accepted`, the
 *   features a version's feature selection dropped, are never unknown).
 */
export function validateRows(signature: Signature, rows: Record<string, unknown>[], unknownFields: UnknownFieldPolicy, accepted: ReadonlySet<string> = NONE): void {
  const [first] = invalidRows(signature, rows, unknownFields, accepted, 1);
  if (first) throw first;
}

/**
 * Every invalid row's first problem (as validateRows describes them), rows in order, at most
 * `max` of them: for answers that list them all, or skip them.
 */
export function invalidRows(signature: Signature, rows: Record<string, unknown>[], unknownFields: UnknownFieldPolicy, accepted: ReadonlySet<string> = NONE, max = Infinity): RowValidationError[] {
  // Built once per call: the loop below runs for every cell of up to 10 000 × 20.
  const features = signature.features;
  const checkers = features.map(checkerFor);
  const known = new Set(features.map((f) => f.name));
  const problems: RowValidationError[] = [];
  const problemOf = (row: Record<string, unknown>, r: number): RowValidationError | null => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return new RowValidationError(r, '', `rows[${r}]: ${describe(row)} is not an object`);
    for (let f = 0; f < features.length; f++) {
      const name = features[f].name;
      const value = row[name];
      // hasOwn, so a feature named e.g. "constructor" is not found on Object.prototype.
      if (value === undefined || !Object.hasOwn(row, name)) return new RowValidationError(r, name, `rows[${r}]: missing feature ${JSON.stringify(name)}`);
      if (value === null) continue;
      const problem = checkers[f](value);
      if (problem !== null) return new RowValidationError(r, name, `rows[${r}].${name}: ${problem}`);
    }
    if (unknownFields === 'REJECT') {
      for (const key in row) {
        if (Object.hasOwn(row, key) && !known.has(key) && !accepted.has(key)) return new RowValidationError(r, key, `rows[${r}]: unknown field ${JSON.stringify(key)}`);
      }
    }
    return null;
  };
  for (let r = 0; r < rows.length && problems.length < max; r++) {
    const problem = problemOf(rows[r], r);
    if (problem) problems.push(problem);
  }
  return problems;
}

export function checkerFor(feature: SignatureFeature): Checker {
  switch (feature.type) {
    case 'NUMBER':
      return checkNumber;
    case 'BOOLEAN':
      return checkBoolean;
    case 'DATE':
      return checkDate;
    case 'CATEGORY':
      return categoryChecker(feature.categories ?? []);
  }
}

function checkNumber(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${describe(value)} is not a finite number`;
  if (typeof value !== 'string') return `${describe(value)} is not a number`;
  if (parseNumber(value) !== null || isBlank(value)) return null;
  // Only on the error path: tell "NaN" / "Infinity" / "1e999" apart from text that is no number at all.
  const n = Number(value);
  const notFinite = Number.isNaN(n) ? /^\s*[+-]?NaN\s*$/.test(value) : !Number.isFinite(n);
  return `${describe(value)} is not a ${notFinite ? 'finite number' : 'number'}`;
}

function checkBoolean(value: unknown): string | null {
  if (typeof value === 'boolean' || value === 0 || value === 1) return null;
  if (typeof value === 'string') {
    // 0/1 text is unambiguous for a column already known to be BOOLEAN, as in the preprocessor.
    if (isBlank(value) || parseBoolean(value) !== null) return null;
    const trimmed = value.trim();
    if (trimmed === '0' || trimmed === '1') return null;
  }
  return `${describe(value)} is not a boolean (expected true/false, yes/no or 0/1)`;
}

function checkDate(value: unknown): string | null {
  if (typeof value === 'string' && (isBlank(value) || parseDateMs(value) !== null)) return null;
  if (value instanceof Date && Number.isFinite(value.getTime())) return null;
  return `${describe(value)} is not a date (expected e.g. 2024-01-31 or 2024-01-31T10:00:00Z)`;
}

function categoryChecker(categories: string[]): Checker {
  const allowed = new Set(categories);
  // A feature that had no value in training has no columns: whatever is sent encodes to nothing.
  const any = categories.length === 0;
  const listed = categories.slice(0, LISTED_CATEGORIES).join(', ') + (categories.length > LISTED_CATEGORIES ? ', …' : '');
  return (value) => {
    let text: string;
    if (typeof value === 'string') {
      if (isBlank(value)) return null;
      text = value;
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      text = String(value);
    } else {
      return `${describe(value)} is not a category value (expected a string)`;
    }
    if (any || allowed.has(text)) return null;
    return `unknown category ${JSON.stringify(text)} (expected one of: ${listed})`;
  };
}

/** A value as it appears in a message: strings quoted and cut to 60 characters. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
