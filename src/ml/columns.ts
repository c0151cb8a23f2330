/**
 * Prediction input sent column by column (PredictInput.columns): one array of values per feature
 * instead of one object per row. Checked against the version's signature and encoded straight into
 * the row-major Float32Array the model takes, a column at a time, without a row object in between.
 * Each cell is checked and encoded exactly as the same value in a row would be (signature.ts's
 * checkers, preprocessing.ts's conversions), so both inputs give the same answers.
 */
import { toCategory, toNumeric, type Preprocessor } from './preprocessing';
import { checkerFor, RowValidationError, type Signature, type UnknownFieldPolicy } from './signature';

/** One input column: `numbers` or `strings` (exactly one), a value per row; null is a missing value (imputed). */
export interface InputColumn {
  name: string;
  numbers?: readonly (number | null)[] | null;
  strings?: readonly (string | null)[] | null;
}

/** A problem with the shape of the columns (not with one cell): the whole request is refused. */
export class ColumnShapeError extends Error {
  constructor(readonly field: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ColumnShapeError';
  }
}

/** Columns whose shape has been checked: every column one array of `rows` values, names unique. */
export interface CheckedColumns {
  rows: number;
  /** Each column's values and its index in the request, by name. */
  byName: Map<string, { values: readonly (number | string | null)[]; index: number; numbers: boolean }>;
}

/**
 * Shape only, before any model is loaded: at least one column, each with exactly one of
 * numbers/strings, all of one length (at least 1 and at most `maxRows`), names unique.
 */
export function checkColumnShape(columns: readonly InputColumn[], maxRows: number): CheckedColumns {
  if (columns.length === 0) throw new ColumnShapeError('input.columns', 'columns must hold at least one column');
  const byName: CheckedColumns['byName'] = new Map();
  let rows = -1;
  columns.forEach((column, index) => {
    const hasNumbers = column.numbers != null;
    const hasStrings = column.strings != null;
    if (hasNumbers === hasStrings) throw new ColumnShapeError(`input.columns[${index}]`, `columns[${index}] (${JSON.stringify(column.name.slice(0, 80))}) must give exactly one of numbers or strings`);
    if (byName.has(column.name)) throw new ColumnShapeError(`input.columns[${index}].name`, `columns[${index}]: ${JSON.stringify(column.name.slice(0, 80))} is sent twice (also columns[${byName.get(column.name)!.index}])`);
    const values = (hasNumbers ? column.numbers : column.strings)!;
    const field = `input.columns[${index}].${hasNumbers ? 'numbers' : 'strings'}`;
    if (rows === -1) {
      rows = values.length;
      if (rows === 0) throw new ColumnShapeError(field, 'columns must hold at least one row');
      if (rows > maxRows) throw new ColumnShapeError(field, `${rows} rows is over the limit of ${maxRows} per request (MAX_PREDICT_ROWS); use startBatchPrediction for more`, { limit: maxRows });
    } else if (values.length !== rows) {
      throw new ColumnShapeError(field, `columns[${index}] (${JSON.stringify(column.name.slice(0, 80))}) has ${values.length} values; columns[0] has ${rows}: every column needs one value per row`, { expected: rows, got: values.length });
    }
    byName.set(column.name, { values, index, numbers: hasNumbers });
  });
  return { rows, byName };
}

/**
 * Against the version's signature: every feature must have its column (ColumnShapeError otherwise),
 * and under REJECT no column may be unknown (features in `accepted`, dropped by feature selection,
 * never are). Returns the names of the columns the version does not use, in request order.
 */
export function matchColumns(signature: Signature, columns: CheckedColumns, unknownFields: UnknownFieldPolicy, accepted: ReadonlySet<string>): string[] {
  const missing = signature.features.filter((f) => !columns.byName.has(f.name)).map((f) => f.name);
  if (missing.length) {
    const listed = missing.slice(0, 10).map((name) => JSON.stringify(name)).join(', ') + (missing.length > 10 ? ', …' : '');
    throw new ColumnShapeError('input.columns', `missing feature${missing.length > 1 ? 's' : ''} ${listed}: columns must give every input of the model`, { missing: missing.slice(0, 100) });
  }
  const known = new Set(signature.features.map((f) => f.name));
  const ignored: string[] = [];
  for (const [name, { index }] of columns.byName) {
    if (known.has(name)) continue;
    if (unknownFields === 'REJECT' && !accepted.has(name)) throw new ColumnShapeError(`input.columns[${index}].name`, `columns[${index}]: unknown field ${JSON.stringify(name.slice(0, 80))}`);
    ignored.push(name);
  }
  return ignored;
}

/**
 * Every invalid row's first problem, as the rows path reports it (the first bad feature in
 * signature order), rows in order, at most `max`; checked a column at a time. The error's `field`
 * is the feature; the message names the row and the column.
 */
export function invalidColumnRows(signature: Signature, columns: CheckedColumns, max = Infinity): RowValidationError[] {
  const bad = new Map<number, RowValidationError>();
  for (const feature of signature.features) {
    const { values, index, numbers } = columns.byName.get(feature.name)!;
    const where = (r: number) => `columns[${index}] (${JSON.stringify(feature.name)}) row ${r}`;
    if (numbers && feature.type === 'NUMBER') {
      // The common case, in a tight loop: a number is valid when finite.
      for (let r = 0; r < values.length; r++) {
        const v = values[r] as number | null;
        if (v === null || Number.isFinite(v) || bad.has(r)) continue;
        bad.set(r, new RowValidationError(r, feature.name, `${where(r)}: ${String(v)} is not a finite number`));
      }
      continue;
    }
    const check = checkerFor(feature);
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (v === null || bad.has(r)) continue;
      const problem = check(v);
      if (problem !== null) bad.set(r, new RowValidationError(r, feature.name, `${where(r)}: ${problem}`));
    }
  }
  return [...bad.values()].sort((a, b) => a.row - b.row).slice(0, max);
}

/**
 * Encodes the rows `keep` (all, in order, when null) with a fitted preprocessor, column by column:
 * the same values transformRows gives for the same cells sent as rows.
 */
export function transformColumns(p: Preprocessor, columns: CheckedColumns, keep: ArrayLike<number> | null = null): Float32Array {
  const width = p.outputSize;
  const n = keep ? keep.length : columns.rows;
  const out = new Float32Array(n * width);
  let offset = 0;
  for (const e of p.features) {
    const { values, numbers } = columns.byName.get(e.name)!;
    if (e.kind === 'numeric') {
      const { mean, std } = e;
      const direct = numbers && e.source === 'NUMBER';
      for (let i = 0; i < n; i++) {
        const cell = values[keep ? keep[i] : i];
        const v = direct ? (cell as number | null) : toNumeric(e.source, cell);
        // Missing → mean, which standardises to exactly 0.
        out[i * width + offset] = v === null ? 0 : (v - mean) / std;
      }
      offset += 1;
    } else {
      const index = new Map(e.categories.map((c, i) => [c, i]));
      const modeIndex = index.get(e.mode);
      for (let i = 0; i < n; i++) {
        const key = toCategory(values[keep ? keep[i] : i]);
        const c = key === null ? modeIndex : index.get(key);
        if (c !== undefined) out[i * width + offset + c] = 1;
      }
      offset += e.categories.length;
    }
  }
  return out;
}

/** Rows `keep` as objects keyed by column name (every column sent): what the prediction log stores, as for rows. */
export function columnRows(columns: CheckedColumns, keep: readonly number[]): Record<string, unknown>[] {
  const entries = [...columns.byName].map(([name, { values }]) => [name, values] as const);
  return keep.map((r) => {
    const row: Record<string, unknown> = {};
    // defineProperty: a feature named __proto__ must stay a field (as it does in JSON rows), not set the prototype.
    for (const [name, values] of entries) Object.defineProperty(row, name, { value: values[r], enumerable: true, writable: true, configurable: true });
    return row;
  });
}
