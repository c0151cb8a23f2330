import type { ServingConfig } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { badInput, errorCodeOf, outcomeKind } from '../../core/errors';
import { RowValidationError, validateRows } from '../../ml/signature';
import { TargetError } from '../../ml/target-encoding';
import type { ModelCache } from '../../engines/serving/model-cache';
import { ModelUnloadedError, type LoadedModel, type ServedPrediction } from '../../engines/serving/loaded-model';
import { Environment } from '../deployments/environment';
import type { LiveRoutes, LiveRoute } from '../deployments/live-routes';
import type { ModelVersion } from '../models/model-version.entity';
import { Prediction } from './prediction.entity';
import type { PredictionLog } from './prediction-log';
import type { RequestStats } from '../../engines/telemetry/request-stats';
import type { PrometheusMetrics } from '../../engines/telemetry/prometheus';

export interface PredictRequest {
  model: string;
  environment?: Environment | null;
  rows: Record<string, unknown>[];
  explain?: boolean | null;
}

export interface PredictAnswer {
  route: LiveRoute;
  /** The version that served (from the loaded model: no query). */
  version: ModelVersion;
  environment: Environment;
  predictions: ServedPrediction[];
  latencyMs: number;
}

/** A served row as drift reads it: what came in, what went out, when. */
export type ServedRow = Pick<Prediction, 'inputs' | 'outputs' | 'createdAt'>;

export interface PredictionFilter {
  modelId?: string | null;
  modelVersionId?: string | null;
  environment?: Environment | null;
  from?: Date | null;
  to?: Date | null;
}

/** Serves predictions from live deployments and reads the prediction log. */
export class PredictionService {
  constructor(private readonly deps: {
    db: Database; config: ServingConfig; maxPageSize: number; routes: LiveRoutes; cache: ModelCache<ModelVersion>; predictionLog: PredictionLog;
    requestStats: RequestStats; prometheus: PrometheusMetrics;
  }) {}

  async predict(request: PredictRequest, requestId: string | null): Promise<PredictAnswer> {
    const started = performance.now();
    const { rows } = request;
    const environment = request.environment ?? Environment.PRODUCTION;
    if (rows.length === 0) throw badInput('rows must hold at least one row', { field: 'input.rows' });
    if (rows.length > this.deps.config.maxPredictRows) {
      throw badInput(`${rows.length} rows is over the limit of ${this.deps.config.maxPredictRows} per request (MAX_PREDICT_ROWS); use startBatchPrediction for more`, { field: 'input.rows', limit: this.deps.config.maxPredictRows });
    }
    const route = await this.deps.routes.resolve(request.model, environment);
    let model = await this.deps.cache.load(route.modelVersionId);
    let predictions: ServedPrediction[];
    try {
      try {
        predictions = await this.serve(model, rows, request.explain ?? false);
      } catch (error) {
        // Dropped from the cache between look-up and use (a deploy moved away): load it once more.
        if (!(error instanceof ModelUnloadedError)) throw error;
        model = await this.deps.cache.load(route.modelVersionId);
        predictions = await this.serve(model, rows, request.explain ?? false);
      }
    } catch (error) {
      this.deps.requestStats.recordPredict(route.model.id, performance.now() - started, outcomeKind(errorCodeOf(error)), rows.length);
      throw error;
    }
    const latencyMs = performance.now() - started;
    this.deps.requestStats.recordPredict(route.model.id, latencyMs, 'ok', rows.length);
    this.deps.prometheus.recordPrediction(route.model.id, route.modelVersionId, rows.length);
    const createdAt = new Date();
    // A forecast answers a whole history with one prediction: it is logged as one entry.
    const perRow = predictions.length === rows.length;
    this.deps.predictionLog.record({
      modelId: route.model.id, modelVersionId: route.modelVersionId, environment, latencyMs, requestId, createdAt,
      inputs: perRow ? rows : [{ history: rows }], outputs: predictions,
    });
    return { route, version: model.version, environment, predictions, latencyMs };
  }

  /** Validates, encodes, runs (through the micro-batcher) and decodes one request's rows on one loaded version. */
  async serve(model: LoadedModel, rows: Record<string, unknown>[], explain: boolean): Promise<ServedPrediction[]> {
    try {
      validateRows(model.signature, rows, this.deps.config.unknownFields);
    } catch (error) {
      if (error instanceof RowValidationError) throw badInput(error.message, { field: error.field ? `input.rows[${error.row}].${error.field}` : `input.rows[${error.row}]`, row: error.row });
      throw error;
    }
    const history = model.historyRows;
    if (history !== null && rows.length < history) {
      throw badInput(`this forecast model needs the last ${history} observations in time order; got ${rows.length} rows`, { field: 'input.rows', needed: history });
    }
    let encoded: { x: Float32Array; units: number };
    try {
      encoded = model.encode(rows);
    } catch (error) {
      // A forecast's history needs every target value; the encoder names the bad one.
      if (error instanceof TargetError) throw badInput(`input.rows: ${error.message}`, { field: 'input.rows' });
      throw error;
    }
    const { x, units } = encoded;
    const output = await model.batcher.submit(x, units);
    const predictions = model.decode(output, units);
    if (explain) {
      const contributions = await model.explain(x, units);
      contributions?.forEach((row, i) => { predictions[i].contributions = row; });
    }
    return predictions;
  }

  /**
   * The newest rows one version served in an environment over [from, to), at most `limit`
   * (drift reports read them).
   */
  served(modelId: string, modelVersionId: string, environment: string, from: Date, to: Date, limit: number): Promise<ServedRow[]> {
    const { db } = this.deps;
    return db.manager.createQueryBuilder(Prediction, 'p')
      .select(['p.id', 'p.inputs', 'p.outputs', 'p.createdAt'])
      // model_id first: it leads the (model_id, created_at) index.
      .where('p.model_id = :modelId', { modelId })
      .andWhere('p.created_at >= :from AND p.created_at < :to', { from: db.sqlDate(from), to: db.sqlDate(to) })
      .andWhere('p.model_version_id = :modelVersionId AND p.environment = :environment', { modelVersionId, environment })
      .orderBy('p.createdAt', 'DESC')
      .limit(limit)
      .getMany();
  }

  list(filter: PredictionFilter | null | undefined, page: PageArgs): Promise<Page<Prediction>> {
    const { db } = this.deps;
    const qb = db.manager.createQueryBuilder(Prediction, 'p');
    if (filter?.modelId) qb.andWhere('p.model_id = :modelId', { modelId: filter.modelId });
    if (filter?.modelVersionId) qb.andWhere('p.model_version_id = :mv', { mv: filter.modelVersionId });
    if (filter?.environment) qb.andWhere('p.environment = :env', { env: filter.environment });
    if (filter?.from) qb.andWhere('p.created_at >= :from', { from: db.sqlDate(filter.from) });
    if (filter?.to) qb.andWhere('p.created_at < :to', { to: db.sqlDate(filter.to) });
    return paginate(qb, 'p', page, { direction: 'DESC' }, this.deps.maxPageSize);
  }
}
