/**
 * The prediction log's columnar form: a columnar predict's rows cross to the writer thread as
 * the request's columns and typed outputs, and the writer encodes each row's JSON there. Before,
 * the request built a row object per row, the main thread JSON-encoded them all, and the writer
 * parsed that text back and encoded each cell again: three passes, two on the request's thread.
 * The text stored is the same, byte for byte, as JSON.stringify of the row object and the
 * prediction (the unit test checks it).
 */
import type { CheckedColumns } from '../../ml/columns';
import type { ServedPrediction } from '../../engines/serving/loaded-model';

/** What every row of one request shares, as in a WireRow: model, version, environment, latency, request id, time (SQL-ready), route, routing key. */
export type ColumnBatchMeta = [string, string, string, number, string | null, Date | string, string, string | null];

/** One request's served rows, structured-clone friendly (typed arrays copy in one go). */
export interface ColumnBatch {
  meta: ColumnBatchMeta;
  /** The logged rows' ids, one per row. */
  ids: string[];
  /** Column names in the request's order (the order of a logged row's fields). */
  names: string[];
  /** A numeric column without nulls as a Float64Array; any other as its values. */
  columns: (Float64Array | readonly (number | string | null)[])[];
  /** Which request rows were served, in order (null: all of them). */
  rows: Int32Array | null;
  /** Per served row: the prediction's value; the index of its label in `labels` (-1: null). */
  values: Float64Array;
  labelIndex: Int32Array;
  /** The labels of every row's probabilities, in order (the model's classes; none for regression). */
  labels: string[];
  /** Per served row, labels.length probabilities. */
  probabilities: Float64Array;
}

/** A row as stored: inputs and outputs already JSON text. */
export type EncodedRow = [string, string, string, string, string, string, number, string | null, Date | string, string, string | null];

/**
 * The batch for served rows `rows` of `columns` and their predictions; null when a prediction does
 * not fit the typed form (a forecast, explanations, rows whose probabilities name other labels):
 * the caller then logs row objects as before.
 */
export function columnBatch(meta: ColumnBatchMeta, ids: string[], columns: CheckedColumns, rows: readonly number[] | null, predictions: readonly ServedPrediction[]): ColumnBatch | null {
  const count = predictions.length;
  if (count === 0 || count !== ids.length || count !== (rows?.length ?? columns.rows)) return null;
  const labels = predictions[0].probabilities.map((p) => p.label);
  const k = labels.length;
  const values = new Float64Array(count);
  const labelIndex = new Int32Array(count);
  const probabilities = new Float64Array(count * k);
  for (let i = 0; i < count; i++) {
    const p = predictions[i];
    // Anything beyond value, label and probabilities (a forecast, an explanation, a decision) is logged from row objects.
    if (p.forecast !== null || p.contributions !== null || 'decision' in p || typeof p.value !== 'number' || p.probabilities.length !== k) return null;
    values[i] = p.value;
    for (let c = 0; c < k; c++) {
      const { label, probability } = p.probabilities[c];
      if (label !== labels[c] || typeof probability !== 'number') return null;
      probabilities[i * k + c] = probability;
    }
    const index = p.label === null ? -1 : labels.indexOf(p.label);
    if (index < 0 && p.label !== null) return null;
    labelIndex[i] = index;
  }
  const names: string[] = [];
  const out: ColumnBatch['columns'] = [];
  for (const name of inObjectKeyOrder([...columns.byName.keys()])) {
    const { values } = columns.byName.get(name)!;
    names.push(name);
    out.push(values.every((v) => typeof v === 'number') ? Float64Array.from(values as number[]) : values);
  }
  return { meta, ids, names, columns: out, rows: rows ? Int32Array.from(rows) : null, values, labelIndex, labels, probabilities };
}

/**
 * Names in the order an object built field by field lists them (and JSON.stringify writes them):
 * array-index names first, ascending, then the others as inserted.
 */
export function inObjectKeyOrder(names: readonly string[]): string[] {
  const isIndex = (name: string) => /^(0|[1-9][0-9]*)$/.test(name) && Number(name) < 2 ** 32 - 1;
  const indices = names.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...names.filter((name) => !isIndex(name))];
}

/** How many rows a batch logs. */
export function columnBatchRows(batch: ColumnBatch): number {
  return batch.ids.length;
}

/** The batch with only the rows at `positions` (ASYNC sampling and the buffer's cap keep some). */
export function keepRows(batch: ColumnBatch, positions: readonly number[]): ColumnBatch {
  const k = batch.labels.length;
  const probabilities = new Float64Array(positions.length * k);
  positions.forEach((p, i) => probabilities.set(batch.probabilities.subarray(p * k, (p + 1) * k), i * k));
  return {
    ...batch,
    ids: positions.map((p) => batch.ids[p]),
    rows: Int32Array.from(positions, (p) => (batch.rows ? batch.rows[p] : p)),
    values: Float64Array.from(positions, (p) => batch.values[p]),
    labelIndex: Int32Array.from(positions, (p) => batch.labelIndex[p]),
    probabilities,
  };
}

/** A number as JSON.stringify writes it (non-finite: null). */
const jsonNumber = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');

/** In the writer thread: each served row as stored, its inputs and outputs JSON-encoded. */
export function encodeColumnBatch(batch: ColumnBatch): EncodedRow[] {
  const [modelId, versionId, environment, latencyMs, requestId, createdAt, route, routingKey] = batch.meta;
  const keys = batch.names.map((name, j) => `${j ? ',' : '{'}${JSON.stringify(name)}:`);
  const cells = batch.columns.map((column) => (column instanceof Float64Array
    ? (r: number) => jsonNumber(column[r])
    : (r: number) => (column[r] === undefined ? 'null' : JSON.stringify(column[r]))));
  const k = batch.labels.length;
  const labelTexts = batch.labels.map((label) => JSON.stringify(label));
  const probabilityKeys = labelTexts.map((label, c) => `${c ? ',' : ''}{"label":${label},"probability":`);
  const out: EncodedRow[] = new Array(batch.ids.length);
  for (let i = 0; i < batch.ids.length; i++) {
    const r = batch.rows ? batch.rows[i] : i;
    let inputs = keys.length ? '' : '{';
    for (let j = 0; j < keys.length; j++) inputs += keys[j] + cells[j](r);
    inputs += '}';
    const label = batch.labelIndex[i];
    let outputs = `{"value":${jsonNumber(batch.values[i])},"label":${label < 0 ? 'null' : labelTexts[label]},"probabilities":[`;
    for (let c = 0; c < k; c++) outputs += `${probabilityKeys[c]}${jsonNumber(batch.probabilities[i * k + c])}}`;
    outputs += '],"forecast":null,"contributions":null}';
    out[i] = [batch.ids[i], modelId, versionId, environment, inputs, outputs, latencyMs, requestId, createdAt, route, routingKey];
  }
  return out;
}
