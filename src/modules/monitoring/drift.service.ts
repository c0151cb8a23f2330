/**
 * Drift reports: the rows a live version served (from the prediction log) against the training
 * summary saved in its preprocessor. The statistics themselves are in src/ml/drift.ts.
 */
import { LRUCache } from 'lru-cache';
import type { ArtifactStore } from '../../engines/db/artifact-store';
import { badInput } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { categoryDrift, driftStatus, ksAgainstDeciles, numericDrift, psi, scoreShares, servedCategory, servedNumber } from '../../ml/drift';
import type { FeatureEncoding, Preprocessor } from '../../ml/preprocessing';
import type { TargetEncoder } from '../../ml/target-encoding';
import { parseBoolean, parseDateMs } from '../../ml/value-parsers';
import type { DeploymentService } from '../deployments/deployment.service';
import { Environment } from '../deployments/environment';
import { loadModelArtifact } from '../../engines/db/model-artifacts';
import { FeatureType } from '../models/model-signature.type';
import type { ModelService } from '../models/model.service';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelVersionService } from '../models/model-version.service';
import type { PredictionService, ServedRow } from '../predictions/prediction.service';
import { DriftStatus, type DriftBin, type DriftReport, type FeatureDrift } from './drift.types';

/** Most served rows one report reads (the newest of the window): bounds its memory and time. */
export const DRIFT_MAX_ROWS = 10_000;
/** The window when none is given: the last 24 hours. */
export const DEFAULT_DRIFT_WINDOW_SECONDS = 86_400;

/** What a report needs from a version's artifact; versions never change, so it is cached. */
interface TrainingSummary {
  features: FeatureEncoding[];
  binary: boolean;
  forecast: boolean;
  /** The test split's score shares at training time (see ModelArtifact.scoreShares); null for older artifacts. */
  scoreShares: number[] | null;
}

/** Compares served rows with training, per live version; also checks every live model for alerting. */
export class DriftService {
  // Reading an artifact pulls its weights too; the summary is small, so keep it rather than reread.
  private readonly summaries = new LRUCache<string, TrainingSummary>({ max: 500 });

  constructor(private readonly deps: {
    artifacts: ArtifactStore; log: Logger; models: Pick<ModelService, 'byRef'>;
    /** DRIFT_MIN_ROWS: below it, a report gives PSIs but status INSUFFICIENT_DATA. */
    minRows: number; modelVersions: Pick<ModelVersionService, 'get'>;
    deployments: Pick<DeploymentService, 'live' | 'liveIn'>; predictions: Pick<PredictionService, 'served'>;
  }) {}

  /**
   * The drift report of the version live in `environment`, over [from, to) (default: the 24 h up
   * to now). Nothing deployed, or nothing served, is an answer with a message and no status.
   * @throws NOT_FOUND for an unknown model; BAD_USER_INPUT when from is not before to.
   */
  async report(modelRef: string, environment: Environment = Environment.PRODUCTION, from?: Date | null, to?: Date | null): Promise<DriftReport> {
    const end = to ?? new Date();
    const start = from ?? new Date(end.getTime() - DEFAULT_DRIFT_WINDOW_SECONDS * 1000);
    if (start.getTime() >= end.getTime()) throw badInput(`from (${start.toISOString()}) must be before to (${end.toISOString()})`, { field: 'from' });
    const model = await this.deps.models.byRef(modelRef);
    const report: DriftReport = {
      model, environment, modelVersion: null, from: start, to: end, rowCount: 0, sampled: false,
      status: null, maxPsi: null, message: null, features: [], scorePsi: null, scoreBins: null,
    };
    const live = await this.deps.deployments.live(model.id, environment);
    if (!live) return { ...report, message: `model ${JSON.stringify(model.name)} has no version deployed to ${environment}` };
    const version = await this.deps.modelVersions.get(live.modelVersionId);
    report.modelVersion = version;
    // One more than the cap, so the report can tell whether it applied.
    const rows = await this.deps.predictions.served(model.id, version.id, environment, start, end, DRIFT_MAX_ROWS + 1);
    if (rows.length === 0) return { ...report, message: `no predictions served between ${start.toISOString()} and ${end.toISOString()}` };
    report.sampled = rows.length > DRIFT_MAX_ROWS;
    if (report.sampled) rows.length = DRIFT_MAX_ROWS;
    report.rowCount = rows.length;

    const summary = await this.summary(version);
    // A forecast is logged as one entry holding its history: its newest row is the one it adds.
    const inputs = rows.map((r) => (summary.forecast && Array.isArray(r.inputs?.history) ? r.inputs.history.at(-1) ?? {} : r.inputs ?? {}));
    report.features = summary.features.flatMap((e) => featureDrift(e, inputs));
    const enough = rows.length >= this.deps.minRows;
    if (!enough) {
      for (const feature of report.features) feature.status = DriftStatus.INSUFFICIENT_DATA;
      report.message = `${rows.length} served rows is fewer than DRIFT_MIN_ROWS (${this.deps.minRows}): PSI figures are shown, but too few rows for a status`;
    }
    if (report.features.length > 0) {
      report.maxPsi = report.features.reduce((max, f) => Math.max(max, f.psi), -Infinity);
      // driftStatus only grows with PSI, so the largest PSI gives the worst status.
      report.status = enough ? (driftStatus(report.maxPsi) as DriftStatus) : DriftStatus.INSUFFICIENT_DATA;
    } else {
      report.message = 'this version has no saved training profile of its features to compare with';
    }
    if (summary.binary) {
      // Rows are newest first: once cut to the newest, the window really starts at the oldest kept.
      const shift = summary.scoreShares
        ? scoreDrift(summary.scoreShares, rows)
        : scoreShift(rows, report.sampled ? rows[rows.length - 1].createdAt : start, end);
      report.scorePsi = shift?.psi ?? null;
      report.scoreBins = shift?.bins ?? null;
    }
    return report;
  }

  /**
   * Max PSI and status of every model live in `environment` over the last `windowSeconds`, for
   * alerting. A model whose report fails is logged and given nulls, so one bad artifact does not
   * hide the others.
   */
  async checkAll(environment: Environment = Environment.PRODUCTION, windowSeconds = DEFAULT_DRIFT_WINDOW_SECONDS): Promise<{ modelId: string; maxPsi: number | null; status: DriftStatus | null }[]> {
    const to = new Date();
    const from = new Date(to.getTime() - windowSeconds * 1000);
    const live = await this.deps.deployments.liveIn(environment);
    const results: { modelId: string; maxPsi: number | null; status: DriftStatus | null }[] = [];
    // One at a time: each report reads up to DRIFT_MAX_ROWS rows, and this runs in the background.
    for (const { modelId } of live) {
      try {
        const { maxPsi, status } = await this.report(modelId, environment, from, to);
        // Too few rows is no data for the alert rules: no alert fires on it.
        results.push({ modelId, maxPsi: status === DriftStatus.INSUFFICIENT_DATA ? null : maxPsi, status });
      } catch (error) {
        this.deps.log.warn({ err: error, modelId, environment }, 'drift check failed');
        results.push({ modelId, maxPsi: null, status: null });
      }
    }
    return results;
  }

  private async summary(version: ModelVersion): Promise<TrainingSummary> {
    const cached = this.summaries.get(version.id);
    if (cached) return cached;
    let summary: TrainingSummary = { features: [], binary: false, forecast: false, scoreShares: null };
    if (version.artifactId) {
      const artifact = await loadModelArtifact(this.deps.artifacts, version.artifactId);
      summary = {
        features: (artifact.preprocessor as Preprocessor | null)?.features ?? [],
        binary: (artifact.targetEncoder as TargetEncoder).kind === 'binary',
        forecast: artifact.task === 'TIME_SERIES_FORECAST',
        scoreShares: artifact.scoreShares ?? null,
      };
    }
    this.summaries.set(version.id, summary);
    return summary;
  }
}

/** One feature's drift, or nothing when its training profile is missing or no value was served. */
function featureDrift(e: FeatureEncoding, inputs: Record<string, unknown>[]): FeatureDrift[] {
  if (e.kind === 'onehot') {
    if (!e.shares) return [];
    const result = categoryDrift(e.categories, e.shares, inputs.map((row) => servedCategory(row[e.name])));
    return result ? [{ feature: e.name, type: FeatureType.CATEGORY, ks: null, status: driftStatus(result.psi) as DriftStatus, ...result }] : [];
  }
  if (!e.deciles) return [];
  const values = inputs.map((row) => servedValue(e.source, row[e.name]));
  const result = numericDrift(e.deciles, values, e.max);
  if (!result) return [];
  const ks = ksAgainstDeciles(e.deciles, values.filter((v): v is number => v !== null), e.max);
  return [{ feature: e.name, type: FeatureType[e.source], ks, status: driftStatus(result.psi) as DriftStatus, ...result }];
}

/** A served value on the scale training profiled it: dates as days since 1970, flags also as yes/no text. */
function servedValue(source: 'NUMBER' | 'BOOLEAN' | 'DATE', value: unknown): number | null {
  if (source === 'DATE' && typeof value === 'string') {
    const ms = parseDateMs(value);
    return ms === null ? null : ms / 86_400_000;
  }
  if (source === 'BOOLEAN' && typeof value === 'string' && servedNumber(value) === null) {
    const flag = parseBoolean(value);
    return flag === null ? null : flag ? 1 : 0;
  }
  return servedNumber(value);
}

/** Served scores against the test split's at training time. */
function scoreDrift(expected: number[], rows: ServedRow[]): { psi: number; bins: DriftBin[] } | null {
  const scores = rows.map((row) => row.outputs?.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return scores.length ? scoreBins(expected, scoreShares(scores)) : null;
}

function scoreBins(expected: number[], actual: number[]): { psi: number; bins: DriftBin[] } {
  const bins = expected.map((share, i) => ({ label: `${(i / 10).toFixed(1)} to ${((i + 1) / 10).toFixed(1)}`, expected: share, actual: actual[i] }));
  return { psi: psi(expected, actual), bins };
}

/** Older artifacts without a training baseline: the window's first half (expected) against its second half (actual); null when a half is empty. */
function scoreShift(rows: ServedRow[], from: Date, to: Date): { psi: number; bins: DriftBin[] } | null {
  const middle = (from.getTime() + to.getTime()) / 2;
  const early: number[] = [];
  const late: number[] = [];
  for (const row of rows) {
    const score = row.outputs?.value;
    if (typeof score === 'number' && Number.isFinite(score)) (row.createdAt.getTime() < middle ? early : late).push(score);
  }
  if (early.length === 0 || late.length === 0) return null;
  return scoreBins(scoreShares(early), scoreShares(late));
}
