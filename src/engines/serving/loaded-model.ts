/**
 * A model version ready to serve: its algorithm's predictor (ml/algorithms), its saved encoders
 * and a micro-batcher in front of it. Turns client rows into the encoded input every algorithm
 * takes and its output back into predictions; it never asks which algorithm it holds.
 */
import { baselineRow, occlusionContributions } from '../../ml/explain';
import { encodedRanges, transformRows, type Preprocessor } from '../../ml/preprocessing';
import { transformColumns, type CheckedColumns } from '../../ml/columns';
import { signatureOf, type Signature } from '../../ml/signature';
import { decodePrediction, type TargetEncoder } from '../../ml/target-encoding';
import { changeFrom, historyOffset, levelsOf, toLevel, type ForecastTargetName } from '../../ml/forecast-target';
import type { Predictor } from '../../ml/algorithms/algorithm';
import { encodeModelArtifact, loadArtifactModel, type ModelArtifact } from '../../ml/model-artifact';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';

/** One forward pass of encoded rows: the predictor, the micro-batcher in front of it, or a pool worker. */
export type Forward = (x: Float32Array, rows: number) => Promise<Float32Array>;

/** A decoded prediction as the API returns it. */
export interface ServedPrediction {
  value: number;
  label: string | null;
  probabilities: { label: string; probability: number }[];
  forecast: number[] | null;
  contributions: { feature: string; contribution: number }[] | null;
}

/** The version was dropped from the cache between look-up and use; the caller loads it again. */
export class ModelUnloadedError extends Error {
  constructor(versionId: string) {
    super(`model version ${versionId} was unloaded`);
    this.name = 'ModelUnloadedError';
  }
}

/**
 * `V` is the caller's record of the version (the models module's entity): kept as loaded so
 * serving can answer which version served without a query.
 */
export class LoadedModel<V extends { id: string } = { id: string }> {
  /** The version row as loaded (immutable), so serving answers `modelVersion` without a query. */
  readonly signature: Signature;
  readonly batcher: MicroBatcher;
  /** Values per unit: one row for tabular models, a whole window for forecasts. */
  readonly inputWidth: number;
  readonly outputWidth: number;
  /** Stored model bytes, what the cache's size bound counts. */
  readonly bytes: number;
  /** Features the version's feature selection dropped: accepted in rows and ignored, never refused as unknown. */
  readonly droppedFeatures: ReadonlySet<string>;
  private readonly preprocessor: Preprocessor | null;
  private readonly encoder: TargetEncoder;
  private readonly forecast: boolean;
  /** Forecasts: what the model learnt (levels, or changes from the last level seen). */
  private readonly forecastTarget: ForecastTargetName;
  private inFlight = 0;
  private retired = false;

  constructor(readonly version: V, private readonly predictor: Predictor, private readonly artifact: ModelArtifact, readonly targetColumn: string, batching: MicroBatcherOptions) {
    this.preprocessor = artifact.preprocessor as Preprocessor | null;
    this.encoder = artifact.targetEncoder as TargetEncoder;
    this.forecast = artifact.task === 'TIME_SERIES_FORECAST';
    this.forecastTarget = artifact.forecastTarget ?? 'LEVEL';
    this.signature = signatureOf(this.preprocessor, this.forecast ? [targetColumn] : []);
    const selection = artifact.featureSelection;
    this.droppedFeatures = new Set(selection ? selection.scores.map((s) => s.feature).filter((name) => !selection.kept.includes(name)) : []);
    const covariates = this.preprocessor?.outputSize ?? 0;
    this.inputWidth = this.forecast ? artifact.windowSize * (1 + covariates) : covariates;
    this.outputWidth = this.forecast ? artifact.horizon : this.encoder.kind === 'multiclass' ? this.encoder.classes.length : 1;
    // Weights, plus a model stored as JSON (trees' shape, an SVM's support vectors as text).
    this.bytes = Math.max(artifact.weightData.byteLength + JSON.stringify(artifact.model ?? null).length, 1);
    this.batcher = new MicroBatcher((x, rows) => this.run(x, rows), this.inputWidth, this.outputWidth, batching);
  }

  /** Builds one from a stored artifact, loaded by its algorithm (a network's weights go onto the process's tfjs backend). */
  static async fromArtifact<V extends { id: string }>(version: V, artifact: ModelArtifact, targetColumn: string, batching: MicroBatcherOptions): Promise<LoadedModel<V>> {
    const loaded = new LoadedModel(version, await loadArtifactModel(artifact), artifact, targetColumn, batching);
    await loaded.warmUp();
    return loaded;
  }

  /**
   * A few passes on zeros before the first request: tfjs allocates its buffers and V8 compiles the
   * hot kernels on first use, which would otherwise land on the first requests after a deploy.
   */
  private async warmUp(passes = 3): Promise<void> {
    const rows = 256;
    for (let i = 0; i < passes; i++) await this.run(new Float32Array(rows * this.inputWidth), rows);
  }

  /** True for binary and multiclass models (they answer a label and a score). */
  get classifier(): boolean {
    return this.encoder.kind !== 'regression';
  }

  /** Binary models: the Platt calibrator fitted at training (null for older artifacts and other tasks). */
  get calibration(): { a: number; b: number } | null {
    return this.artifact.calibration ?? null;
  }

  /** How many rows a forecast needs: its window, and one more for a change model. Tabular models take any number. */
  get historyRows(): number | null {
    return this.forecast ? this.artifact.windowSize + historyOffset(this.forecastTarget) : null;
  }

  /**
   * Encodes validated rows: one unit per row, or for a forecast one unit from the last
   * `historyRows` rows (the caller has checked there are enough), with the level its forecasts start from.
   */
  encode(rows: Record<string, unknown>[]): { x: Float32Array; units: number; last: number[] | null } {
    if (!this.forecast) return { x: transformRows(this.preprocessor!, rows), units: 1 * rows.length, last: null };
    const history = rows.slice(-this.historyRows!);
    const series = this.series(history);
    const x = new Float32Array(this.inputWidth);
    return { x, units: 1, last: [this.encodeWindow(series, history.length, x, 0)] };
  }

  /** A forecast's rows as levels and encoded covariates. */
  private series(rows: Record<string, unknown>[]): { levels: Float64Array; covariates: Float32Array | null } {
    return {
      levels: levelsOf(rows.map((row) => row[this.targetColumn]), this.forecastTarget),
      covariates: this.preprocessor ? transformRows(this.preprocessor, rows) : null,
    };
  }

  /**
   * Writes the window of steps end − windowSize … end − 1 into `x` at `at`, each step its encoded
   * value (level, or change from the row before) then its covariates; returns the last level seen.
   */
  private encodeWindow({ levels, covariates }: { levels: Float64Array; covariates: Float32Array | null }, end: number, x: Float32Array, at: number): number {
    const { mean, std } = this.encoder as Extract<TargetEncoder, { kind: 'regression' }>;
    const k = this.preprocessor?.outputSize ?? 0;
    const window = this.artifact.windowSize;
    for (let s = 0; s < window; s++) {
      const t = end - window + s;
      const step = at + s * (1 + k);
      x[step] = (changeFrom(this.forecastTarget, levels[t], t > 0 ? levels[t - 1] : 0) - mean) / std;
      if (covariates) x.set(covariates.subarray(t * k, (t + 1) * k), step + 1);
    }
    return levels[end - 1];
  }

  /**
   * Walk-forward forecasts of a whole series, batched: result[t] is the first forecast step made
   * from rows before t only (null for the first historyRows rows), so nothing at or after t is
   * used for t. The encoders are the ones fitted at training. Forecast models only.
   */
  async forecastEach(rows: Record<string, unknown>[], chunk = 1024, forward: Forward = this.ownNetwork): Promise<(number | null)[]> {
    if (!this.forecast) throw new Error('forecastEach is for forecast models');
    const series = this.series(rows);
    const out = new Array<number | null>(rows.length).fill(null);
    for (let start = this.historyRows!; start < rows.length; start += chunk) {
      const units = Math.min(chunk, rows.length - start);
      const x = new Float32Array(units * this.inputWidth);
      const last = Array.from({ length: units }, (_, u) => this.encodeWindow(series, start + u, x, u * this.inputWidth));
      this.decode(await forward(x, units), units, last).forEach((prediction, u) => { out[start + u] = prediction.value; });
    }
    return out;
  }

  /** Output values of `units` units → predictions; a forecast's from the last level each unit saw. */
  decode(output: Float32Array, units: number, last: ArrayLike<number> | null = null): ServedPrediction[] {
    const out: ServedPrediction[] = [];
    for (let u = 0; u < units; u++) {
      const row = Array.from(output.subarray(u * this.outputWidth, (u + 1) * this.outputWidth));
      if (this.forecast) {
        const steps = row.map((v) => toLevel(this.forecastTarget, decodePrediction(this.encoder, [v]).value as number, last![u]));
        out.push({ value: steps[0], label: null, probabilities: [], forecast: steps, contributions: null });
        continue;
      }
      const decoded = decodePrediction(this.encoder, row);
      const value = this.encoder.kind === 'multiclass' ? Math.max(...row) : (decoded.value as number);
      out.push({ value, label: decoded.label, probabilities: decoded.probabilities, forecast: null, contributions: null });
    }
    return out;
  }

  /**
   * Validated rows → predictions: encode, one forward pass through `forward` (the micro-batcher
   * or a pool worker), decode, and the explanations when asked, their occluded copies through
   * `network` (this thread's predictor, or a pool worker). Throws TargetError for a forecast
   * history with a bad target value.
   */
  async score(rows: Record<string, unknown>[], explain: boolean, forward: Forward = this.ownNetwork, network: Forward = this.ownNetwork): Promise<ServedPrediction[]> {
    const { x, units, last } = this.encode(rows);
    return this.scoreEncoded(x, units, last, explain, forward, network);
  }

  /**
   * Validated columns (PredictInput.columns; the rows `keep`, all when null) encoded column by
   * column into one typed array, a unit per row. Tabular models only: a forecast reads rows as one history.
   */
  encodeColumns(columns: CheckedColumns, keep: readonly number[] | null = null): { x: Float32Array; units: number } {
    if (this.forecast) throw new Error('columns are for tabular models');
    const x = transformColumns(this.preprocessor!, columns, keep);
    return { x, units: keep ? keep.length : columns.rows };
  }

  /** Encoded units → predictions (see score). */
  async scoreEncoded(x: Float32Array, units: number, last: number[] | null, explain: boolean, forward: Forward = this.ownNetwork, network: Forward = this.ownNetwork): Promise<ServedPrediction[]> {
    const predictions = this.decode(await forward(x, units), units, last);
    if (explain) {
      const contributions = await this.explain(x, units, network);
      contributions?.forEach((row, i) => { predictions[i].contributions = row; });
    }
    return predictions;
  }

  private shared: SharedArrayBuffer | null = null;

  /** The encoded artifact in shared memory, made once: pool workers load it without a copy per task. */
  sharedArtifact(): SharedArrayBuffer {
    if (!this.shared) {
      const bytes = encodeModelArtifact(this.artifact);
      this.shared = new SharedArrayBuffer(bytes.length);
      new Uint8Array(this.shared).set(bytes);
    }
    return this.shared;
  }

  /** Occlusion contributions for tabular rows (see FeatureContribution in the schema); null for forecasts. */
  async explain(x: Float32Array, units: number, network: Forward = this.ownNetwork): Promise<{ feature: string; contribution: number }[][] | null> {
    if (this.forecast || !this.preprocessor) return null;
    const scoreOf = (output: Float32Array): number => {
      if (this.encoder.kind === 'regression') return decodePrediction(this.encoder, [output[0]]).value as number;
      return this.encoder.kind === 'multiclass' ? Math.max(...output) : output[0];
    };
    // Straight to the network: the occluded copies make a batch of their own.
    return occlusionContributions(network, x, units, this.inputWidth, this.outputWidth, encodedRanges(this.preprocessor), baselineRow(this.preprocessor), scoreOf);
  }

  /** `run`, bound: the default way to the predictor. */
  private readonly ownNetwork: Forward = (x, rows) => this.run(x, rows);

  /** One forward pass. Counted, so a model dropped from the cache is disposed only when idle. */
  async run(x: Float32Array, rows: number): Promise<Float32Array> {
    if (this.disposed) throw new ModelUnloadedError(this.version.id);
    this.inFlight++;
    try {
      return await this.predictor.predict(x, rows);
    } finally {
      this.inFlight--;
      if (this.retired && this.inFlight === 0) this.disposeNow();
    }
  }

  /** Frees the weights now, or after the last forward pass in flight. */
  retire(): void {
    this.retired = true;
    if (this.inFlight === 0) this.disposeNow();
  }

  private disposed = false;
  private disposeNow(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.predictor.dispose();
  }
}
