import { fitPreprocessor, fitPreprocessorOnColumns, transformRows, encodedRanges, type Preprocessor } from '../../ml/preprocessing';
import { transformColumns, type CheckedColumns } from '../../ml/columns';
import { splitIndices } from '../../ml/split';
import { classWeights, encodeTargets, fitTargetEncoder, type TargetEncoder } from '../../ml/target-encoding';
import { forecastWindows, levelsOf, stepSeries, type ForecastTargetName } from '../../ml/forecast-target';
import type { ModelArtifact } from '../../ml/model-artifact';
import type { TrainingSet } from '../../ml/algorithms/algorithm';
import { fromColumns, toColumns, type RowColumns, type TrainJob } from './protocol';

export interface Part {
  x: Float32Array;
  y: Float32Array;
  count: number;
  /** Forecasts: per window, the last level it saw (its targets are changes from it, or levels). */
  last?: Float64Array;
}

/** A job's rows turned into tensors' worth of numbers, split, with the fitted encoders. */
export interface PreparedData {
  inputSize: number;
  outputSize: number;
  xShape(count: number): number[];
  yShape(count: number): number[];
  train: Part;
  validation: Part;
  test: Part;
  preprocessor: Preprocessor | null;
  targetEncoder: TargetEncoder;
  classWeight: Record<number, number> | null;
  /** Which input columns belong to each feature (tabular models), for permutation importance. */
  ranges: { feature: string; start: number; end: number }[];
  /** Forecasts: the window's shape (the target is the first value of each step) and what the model learns. */
  forecast?: { windowSize: number; stepFeatures: number; horizon: number; target: ForecastTargetName };
}

/** A job whose rows may come as columns (as the training child receives them). */
export type PrepareJob = Omit<TrainJob, 'rows'> & { rows: Record<string, unknown>[] | RowColumns };

/** Encoders are fitted on the training split only, so nothing leaks from validation or test. */
export function prepareData(job: PrepareJob): PreparedData {
  if (job.task === 'TIME_SERIES_FORECAST') return prepareForecast(job, fromColumns(job.rows).filter((row) => row[job.target.name] != null));
  // Tabular rows stay columns: a million rows as objects would cost the child gigabytes.
  return prepareTabular(job, Array.isArray(job.rows) ? toColumns(job.rows, [...job.features.map((f) => f.name), job.target.name]) : job.rows);
}

function prepareTabular(job: PrepareJob, table: RowColumns): PreparedData {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const target = byName.get(job.target.name)?.values ?? [];
  // Rows without a target are left out; `kept` maps the split's row numbers to the table's.
  const kept: number[] = [];
  const targets: unknown[] = [];
  for (let r = 0; r < table.count; r++) {
    const value = target[r];
    if (value === null || value === undefined || (target instanceof Float64Array && Number.isNaN(value))) continue;
    kept.push(r);
    targets.push(value);
  }
  const classification = job.task !== 'REGRESSION';
  // A first encoder only to stratify the split; the stored one is refitted on training rows.
  const labels = encodeTargets(fitTargetEncoder(targets, job.task), targets);
  const split = splitIndices(kept.length, { ...job.split, seed: job.seed, stratify: classification ? labels : undefined });
  const pick = <T>(items: T[], indices: number[]) => indices.map((i) => items[i]);
  const rowsOf = (indices: number[]) => Int32Array.from(indices, (i) => kept[i]);
  const column = (name: string) => byName.get(name)?.values ?? new Array<null>(table.count).fill(null);
  const targetEncoder = fitTargetEncoder(pick(targets, split.train), job.task);
  const preprocessor = fitPreprocessorOnColumns(column, job.features, rowsOf(split.train));
  const width = preprocessor.outputSize;
  const classes = targetEncoder.kind === 'multiclass' ? targetEncoder.classes.length : 1;
  // transformColumns only indexes the values (a Float64Array does), and reads NaN as missing only through toNumeric: numbers false.
  const checked: CheckedColumns = { rows: table.count, byName: new Map(job.features.map((f, index) => [f.name, { values: column(f.name) as unknown as readonly (number | string | null)[], index, numbers: false }])) };

  const part = (indices: number[]): Part => {
    const x = transformColumns(preprocessor, checked, rowsOf(indices));
    const encoded = encodeTargets(targetEncoder, pick(targets, indices));
    let y: Float32Array = encoded;
    if (targetEncoder.kind === 'multiclass') {
      y = new Float32Array(indices.length * classes);
      encoded.forEach((cls, i) => { y[i * classes + cls] = 1; });
    }
    return { x, y, count: indices.length };
  };
  const train = part(split.train);
  const balanced = classification && job.hyperparameters.classWeighting === 'BALANCED';
  const trainClasses = targetEncoder.kind === 'multiclass' ? encodeTargets(targetEncoder, pick(targets, split.train)) : train.y;
  return {
    inputSize: width,
    outputSize: classes,
    xShape: (count) => [count, width],
    yShape: (count) => [count, classes],
    train,
    validation: part(split.validation),
    test: part(split.test),
    preprocessor,
    targetEncoder,
    classWeight: balanced ? classWeights(trainClasses, Math.max(2, classes)) : null,
    ranges: encodedRanges(preprocessor),
  };
}

/**
 * Sliding windows over the rows in dataset order: past `windowSize` steps → next `horizon` values,
 * as levels or as changes from the last level seen (hyper-parameter forecastTarget).
 */
function prepareForecast(job: PrepareJob, rows: Record<string, unknown>[]): PreparedData {
  const { windowSize, horizon, forecastTarget: kind } = job.hyperparameters;
  const levels = levelsOf(rows.map((row) => row[job.target.name]), kind);
  const trainRows = Math.max(1, Math.round(rows.length * (1 - job.split.validation - job.split.test)));
  // Fitted on the training rows' step values only (levels, or their changes).
  const targetEncoder = fitTargetEncoder(Array.from(stepSeries(levels.subarray(0, trainRows), kind)), job.task) as Extract<TargetEncoder, { kind: 'regression' }>;
  let preprocessor: Preprocessor | null = null;
  let covariates: Float32Array | null = null;
  if (job.features.length) {
    preprocessor = fitPreprocessor(rows.slice(0, trainRows), job.features);
    covariates = transformRows(preprocessor, rows);
  }
  const k = preprocessor?.outputSize ?? 0;
  const windows = forecastWindows(levels, covariates, k, kind, (v) => (v - targetEncoder.mean) / targetEncoder.std, windowSize, horizon);
  const split = splitIndices(windows.count, { ...job.split, strategy: 'TIME_ORDERED', seed: job.seed });
  const stepWidth = windowSize * windows.stepFeatures;
  const part = (indices: number[]): Part => {
    const x = new Float32Array(indices.length * stepWidth);
    const y = new Float32Array(indices.length * horizon);
    const last = new Float64Array(indices.length);
    indices.forEach((sample, i) => {
      x.set(windows.x.subarray(sample * stepWidth, (sample + 1) * stepWidth), i * stepWidth);
      y.set(windows.y.subarray(sample * horizon, (sample + 1) * horizon), i * horizon);
      last[i] = windows.last[sample];
    });
    return { x, y, count: indices.length, last };
  };
  return {
    inputSize: windows.stepFeatures,
    outputSize: horizon,
    xShape: (count) => [count, windowSize, windows.stepFeatures],
    yShape: (count) => [count, horizon],
    train: part(split.train),
    validation: part(split.validation),
    test: part(split.test),
    preprocessor,
    targetEncoder,
    classWeight: null,
    ranges: [],
    forecast: { windowSize, stepFeatures: windows.stepFeatures, horizon, target: kind },
  };
}

/** Every row of another dataset version, prepared with a trained model's saved encoders, as one test part. */
export function prepareForEvaluation(artifact: ModelArtifact, rows: Record<string, unknown>[], targetName: string): PreparedData {
  const kept = rows.filter((row) => row[targetName] != null);
  const targetEncoder = artifact.targetEncoder as TargetEncoder;
  const preprocessor = artifact.preprocessor as Preprocessor | null;
  const targets = kept.map((row) => row[targetName]);
  const empty: Part = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
  if (artifact.task === 'TIME_SERIES_FORECAST') {
    const k = preprocessor?.outputSize ?? 0;
    const kind = artifact.forecastTarget ?? 'LEVEL';
    const scale = targetEncoder as Extract<TargetEncoder, { kind: 'regression' }>;
    const windows = forecastWindows(levelsOf(targets, kind), preprocessor ? transformRows(preprocessor, kept) : null, k, kind, (v) => (v - scale.mean) / scale.std, artifact.windowSize, artifact.horizon);
    return {
      inputSize: windows.stepFeatures, outputSize: artifact.horizon,
      xShape: (count) => [count, artifact.windowSize, windows.stepFeatures], yShape: (count) => [count, artifact.horizon],
      train: empty, validation: empty, test: { x: windows.x, y: windows.y, count: windows.count, last: windows.last },
      preprocessor, targetEncoder, classWeight: null, ranges: [],
      forecast: { windowSize: artifact.windowSize, stepFeatures: windows.stepFeatures, horizon: artifact.horizon, target: kind },
    };
  }
  const width = preprocessor!.outputSize;
  const classes = targetEncoder.kind === 'multiclass' ? targetEncoder.classes.length : 1;
  const encoded = encodeTargets(targetEncoder, targets);
  let y: Float32Array = encoded;
  if (targetEncoder.kind === 'multiclass') {
    y = new Float32Array(kept.length * classes);
    encoded.forEach((cls, i) => { y[i * classes + cls] = 1; });
  }
  return {
    inputSize: width, outputSize: classes, xShape: (count) => [count, width], yShape: (count) => [count, classes],
    train: empty, validation: empty, test: { x: transformRows(preprocessor!, kept), y, count: kept.length },
    preprocessor, targetEncoder, classWeight: null, ranges: encodedRanges(preprocessor!),
  };
}

/** What an algorithm trains on (ml/algorithms/algorithm.ts), from a job's prepared data. */
export function toTrainingSet(data: PreparedData, job: Pick<TrainJob, 'task' | 'split'>): TrainingSet {
  const inputShape = data.xShape(1).slice(1);
  return {
    task: job.task,
    inputWidth: inputShape.reduce((a, b) => a * b, 1),
    outputWidth: data.outputSize,
    inputShape,
    train: data.train,
    validation: data.validation,
    classWeight: data.classWeight,
    categorical: job.task === 'TIME_SERIES_FORECAST' || !data.preprocessor
      ? new Array<boolean>(inputShape.reduce((a, b) => a * b, 1)).fill(false)
      : data.preprocessor.features.flatMap((f) => (f.kind === 'onehot' ? f.categories.map(() => true) : [false])),
    ordered: job.task === 'TIME_SERIES_FORECAST' || job.split.strategy !== 'RANDOM',
  };
}
