/**
 * The messages between the API process (supervisor) and a training child, over Node's IPC
 * channel with `serialization: 'advanced'` (structured clone, so typed arrays and Buffers pass as
 * they are). The child gets everything in one `start` message and never touches the database.
 */
import type { ArchitectureName, FeatureSelectionSpec, HyperparameterValues, SplitStrategyName, TaskName } from '../../ml/model-spec';
import type { ModelArtifact } from '../../ml/model-artifact';
import type { ColumnType } from '../../ml/value-parsers';

export interface TrainJob {
  runId: string;
  task: TaskName;
  architecture: ArchitectureName;
  features: { name: string; type: ColumnType }[];
  target: { name: string; type: ColumnType };
  /** Typed rows holding only the feature and target columns, in dataset order. */
  rows: Record<string, unknown>[];
  hyperparameters: HyperparameterValues;
  split: { validation: number; test: number; strategy: SplitStrategyName };
  seed: number;
  /** TFJS_BACKEND, when the operator forces one. */
  backend: 'tensorflow' | 'wasm' | 'cpu' | null;
  /** Send a loss point after every batch, not only every epoch. */
  batchMetrics: boolean;
  /** Train on the best features only, chosen on the training split (tabular tasks). */
  featureSelection?: FeatureSelectionSpec | null;
}

export interface MetricPointMessage {
  name: string;
  step: number;
  epoch: number;
  value: number;
  /** Milliseconds since the epoch, taken in the child when the value was computed. */
  timestamp: number;
}

/** Scoring a stored model on other rows (evaluateModelVersion). */
export interface EvaluateJob {
  artifact: ModelArtifact;
  /** Typed rows with the model's feature and target columns, in dataset order. */
  rows: Record<string, unknown>[];
  targetName: string;
  seed: number;
  backend: TrainJob['backend'];
}

export interface EvaluationResult {
  split: 'TEST' | 'FULL';
  rowCount: number;
  threshold: number | null;
  metrics: Record<string, number | null>;
  rocCurve: { fpr: number; tpr: number; threshold: number }[] | null;
  confusionMatrix: number[][] | null;
  /** Permutation importance on the evaluated rows (any algorithm). */
  featureImportance: { feature: string; importance: number }[] | null;
  /** The algorithm's own importance (total split gain of trees, |coefficient| of linear models), summed per feature; null when it has none. */
  nativeImportance?: { feature: string; importance: number }[] | null;
  /** Binary models: see ModelArtifact.scoreShares. */
  scoreShares?: number[] | null;
  /** Binary models: see ModelArtifact.calibration. */
  calibration?: { a: number; b: number } | null;
}

/**
 * Rows as columns, the way they cross the IPC channel: a column whose values are all numbers (or
 * null) travels as a Float64Array with NaN for null (a dataset's numbers are never NaN), any other
 * as a plain array. Structured clone copies a typed array as one block; an array of row objects
 * costs a property write per cell on each side (measured: about 20 ms against 400 ms for 20,000
 * rows of 21 columns).
 */
export interface RowColumns {
  count: number;
  columns: { name: string; values: Float64Array | unknown[] }[];
}

/**
 * Rows that follow the job message in `rows` messages of a few thousand rows each, then a
 * `rowsEnd` with the total: the API process never holds a whole dataset, and the child assembles
 * the columns. `expected` (the dataset version's row count) lets the child allocate them once.
 */
export interface StreamedRows {
  streamed: true;
  expected: number;
  /** The columns every chunk holds, in order. */
  names: string[];
}

/** Rows read chunk by chunk while they are sent (the API side of StreamedRows). */
export interface RowStream {
  expected: number;
  names: string[];
  /** Reads the rows from the start (again for a fresh child that takes over the job). */
  chunks(): AsyncIterable<RowColumns>;
}

/** Most rows `StreamedRows.expected` may announce (the child allocates that many per numeric column). */
export const MAX_STREAMED_ROWS = 100_000_000;

/** A job as it is sent: its rows as columns, or streamed after it. */
export type Wire<J extends { rows: Record<string, unknown>[] }> = Omit<J, 'rows'> & { rows: Record<string, unknown>[] | RowColumns | StreamedRows };

/**
 * 'warm' starts a pooled child: it loads TensorFlow.js and `backend`, answers 'ready', and waits
 * for the one job it will run.
 */
export type ParentMessage =
  | { type: 'start'; job: Wire<TrainJob> }
  | { type: 'evaluate'; job: Wire<EvaluateJob> }
  | { type: 'warm'; backend: TrainJob['backend'] }
  | { type: 'rows'; chunk: RowColumns }
  | { type: 'rowsEnd'; count: number };

/** Rows as columns (the names are the first row's keys, or `names` when given). */
export function toColumns(rows: Record<string, unknown>[], names: string[] = rows.length ? Object.keys(rows[0]) : []): RowColumns {
  return {
    count: rows.length,
    columns: names.map((name) => {
      let numeric = true;
      for (const row of rows) {
        const value = row[name];
        if (value !== null && value !== undefined && typeof value !== 'number') { numeric = false; break; }
      }
      if (!numeric) return { name, values: rows.map((row) => row[name] ?? null) };
      const values = new Float64Array(rows.length);
      rows.forEach((row, i) => { values[i] = (row[name] as number | null | undefined) ?? NaN; });
      return { name, values };
    }),
  };
}

/** Columns back to row objects, with the keys in column order (a column may be called `__proto__`). */
export function fromColumns(data: Record<string, unknown>[] | RowColumns): Record<string, unknown>[] {
  if (Array.isArray(data)) return data;
  const rows: Record<string, unknown>[] = new Array(data.count);
  for (let i = 0; i < data.count; i++) rows[i] = {};
  for (const { name, values } of data.columns) {
    const typed = values instanceof Float64Array;
    const plain = name !== '__proto__';
    for (let i = 0; i < data.count; i++) {
      const raw = values[i];
      const value = typed ? (Number.isNaN(raw) ? null : raw) : raw;
      if (plain) rows[i][name] = value;
      else Object.defineProperty(rows[i], name, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return rows;
}

export type ChildMessage =
  | { type: 'started'; backend: string; libraryVersions: Record<string, string> }
  | { type: 'metrics'; points: MetricPointMessage[] }
  | { type: 'progress'; epochsCompleted: number; progress: number }
  /** The model and its test figures, featureImportance null: the run succeeds here; 'importance' (or 'error') follows. */
  | { type: 'done'; artifact: ModelArtifact; evaluation: EvaluationResult; summary: Record<string, number> }
  /** Permutation importance of the trained model, after 'done' (null: nothing to measure). */
  | { type: 'importance'; featureImportance: { feature: string; importance: number }[] | null }
  | { type: 'evaluated'; evaluation: EvaluationResult }
  | { type: 'error'; message: string }
  | { type: 'ready' };

/** Bounds what an 'importance' message may hold (a model has at most a few thousand features). */
const MAX_IMPORTANCE_FEATURES = 100_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function isMetricPoint(value: unknown): value is MetricPointMessage {
  return isObject(value) && typeof value.name === 'string' && Number.isInteger(value.step) && Number.isInteger(value.epoch)
    && typeof value.value === 'number' && isFiniteNumber(value.timestamp);
}

/** Checks a message from a child before the supervisor trusts it; anything else is a protocol error. */
export function isChildMessage(value: unknown): value is ChildMessage {
  if (!isObject(value) || typeof value.type !== 'string') return false;
  switch (value.type) {
    case 'started': return typeof value.backend === 'string' && isObject(value.libraryVersions);
    case 'metrics': return Array.isArray(value.points) && value.points.every(isMetricPoint);
    case 'progress': return Number.isInteger(value.epochsCompleted) && isFiniteNumber(value.progress) && value.progress >= 0 && value.progress <= 1;
    case 'done': return isObject(value.artifact) && value.artifact.weightData instanceof ArrayBuffer && isObject(value.evaluation) && isObject(value.summary);
    case 'evaluated': return isObject(value.evaluation) && isObject(value.evaluation.metrics);
    case 'importance': return value.featureImportance === null || (Array.isArray(value.featureImportance) && value.featureImportance.length <= MAX_IMPORTANCE_FEATURES
      && value.featureImportance.every((f) => isObject(f) && typeof f.feature === 'string' && isFiniteNumber(f.importance)));
    case 'error': return typeof value.message === 'string';
    case 'ready': return true;
    default: return false;
  }
}

const isRowColumns = (value: unknown): value is RowColumns => isObject(value) && Number.isInteger(value.count) && Array.isArray(value.columns)
  && value.columns.every((c) => isObject(c) && typeof c.name === 'string' && (c.values instanceof Float64Array || Array.isArray(c.values)) && (c.values as unknown[]).length === value.count);

const isStreamedRows = (value: unknown): value is StreamedRows => isObject(value) && value.streamed === true
  && Number.isInteger(value.expected) && (value.expected as number) >= 0 && (value.expected as number) <= MAX_STREAMED_ROWS
  && Array.isArray(value.names) && value.names.every((name) => typeof name === 'string');

export function isParentMessage(value: unknown): value is ParentMessage {
  if (isObject(value) && value.type === 'warm') return value.backend === null || typeof value.backend === 'string';
  if (isObject(value) && value.type === 'rows') return isRowColumns(value.chunk);
  if (isObject(value) && value.type === 'rowsEnd') return Number.isInteger(value.count) && (value.count as number) >= 0;
  if (!isObject(value) || !isObject(value.job) || !(Array.isArray(value.job.rows) || isRowColumns(value.job.rows) || isStreamedRows(value.job.rows))) return false;
  if (value.type === 'start') return typeof value.job.runId === 'string';
  return value.type === 'evaluate' && isObject(value.job.artifact) && value.job.artifact.weightData instanceof ArrayBuffer;
}
