import type { ServingConfig } from '../../core/config';
import type { Database } from '../../engines/db/database';
import { paginate, type Page, type PageArgs } from '../../engines/db/pagination';
import { badInput, errorCodeOf, notFound, outcomeKind, serviceUnavailable, timeout } from '../../core/errors';
import { Admission } from '../../engines/serving/admission';
import type { PredictPool } from '../../engines/serving/predict-pool';
import { Role } from '../shared/role';
import { ignoredFields, invalidRows, MAX_IGNORED_LISTED, type RowValidationError } from '../../ml/signature';
import { checkColumnShape, ColumnShapeError, columnRows, invalidColumnRows, matchColumns, type CheckedColumns, type InputColumn } from '../../ml/columns';
import { InvalidRowPolicy } from './prediction.inputs';
import { TargetError } from '../../ml/target-encoding';
import type { ModelCache } from '../../engines/serving/model-cache';
import { ModelUnloadedError, type Forward, type LoadedModel, type ServedPrediction } from '../../engines/serving/loaded-model';
import { Environment } from '../deployments/environment';
import type { LiveRoutes, LiveRoute } from '../deployments/live-routes';
import type { ModelVersion } from '../models/model-version.entity';
import { Prediction } from './prediction.entity';
import { isIdOf, newId } from '../../core/ids';
import { loggedRequest, type LoggedRequest, type PredictionLog } from './prediction-log';
import type { ColumnBatch } from './prediction-log-columns';
import { ShadowRunner } from './shadow-runner';
import { goesToCanary } from '../../engines/serving/canary-split';
import { DeploymentMode } from '../deployments/challenger.entity';
import type { Logger } from '../../core/logger';
import type { RequestStats } from '../../engines/telemetry/request-stats';
import type { PrometheusMetrics } from '../../engines/telemetry/prometheus';
import { decide } from './adverse-action';
import type { DecisionPolicyService } from './decision-policy.service';

/** Most reasons a declined row may be given (lenders give four; Regulation B allows up to five). */
export const MAX_ADVERSE_ACTION_REASONS = 10;

export interface PredictRequest {
  model: string;
  environment?: Environment | null;
  /** The rows to score, or (exactly one of the two) `columns`. */
  rows?: Record<string, unknown>[] | null;
  /** The same input column by column: validated and encoded without a row object. Tabular models only. */
  columns?: InputColumn[] | null;
  explain?: boolean | null;
  /** Decide each row with the model's decision policy and give a decline up to this many reasons (0: the decision alone); null: no decision. */
  adverseActionReasons?: number | null;
  /** The deadline of this call (PREDICT_TIMEOUT_MS when absent). */
  timeoutMs?: number | null;
  /** Keeps one customer on one version while a canary runs. */
  routingKey?: string | null;
  /** REJECT_REQUEST (default) or SKIP_ROW. */
  onInvalidRow?: InvalidRowPolicy | null;
}

/** Invalid rows listed in a REJECT_REQUEST refusal. */
const MAX_LISTED_ROW_ERRORS = 100;

export interface PredictAnswer {
  route: LiveRoute;
  /** The version that served (from the loaded model: no query). */
  version: ModelVersion;
  environment: Environment;
  /** With each row's prediction-log id (null when the log sampled it out). */
  predictions: (ServedPrediction & { id: string | null })[];
  latencyMs: number;
  /** Keys sent that the serving version does not use. */
  ignoredFeatures: string[];
  /** SKIP_ROW: the rows left out and why. */
  rowErrors: RowValidationError[];
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

/** PRODUCTION counts as busy this long after its last call started or ended. */
const PRODUCTION_ACTIVE_MS = 200;

/** Serves predictions from live deployments and reads the prediction log. */
export class PredictionService {
  /** Each environment's own concurrency limit and queue, so TEST cannot crowd out PRODUCTION. */
  private readonly admission: Admission<`${Environment}`>;
  /** Copies of served requests for the environments' SHADOW versions. */
  readonly shadows: ShadowRunner;

  constructor(private readonly deps: {
    db: Database; config: ServingConfig; maxPageSize: number; routes: LiveRoutes; cache: ModelCache<ModelVersion>; predictionLog: PredictionLog;
    requestStats: RequestStats; prometheus: PrometheusMetrics; pool: PredictPool; log: Logger;
    decisionPolicies: Pick<DecisionPolicyService, 'applied'>;
  }) {
    this.shadows = new ShadowRunner({ cache: deps.cache, predictionLog: deps.predictionLog, log: deps.log, score: (model, rows) => this.serve(model, rows, false, null) });
    const { environmentConcurrency, queueLimit, yieldConcurrency } = deps.config;
    this.admission = new Admission<`${Environment}`>({
      limits: environmentConcurrency, queueLimit,
      priority: yieldConcurrency > 0 ? { lane: 'PRODUCTION', yieldLimit: yieldConcurrency, activeMs: PRODUCTION_ACTIVE_MS } : undefined,
    });
  }

  async predict(request: PredictRequest, requestId: string | null, role: Role | null = null): Promise<PredictAnswer> {
    const started = performance.now();
    const { config } = this.deps;
    const environment = request.environment ?? Environment.PRODUCTION;
    if ((request.rows == null) === (request.columns == null)) throw badInput('give exactly one of input.rows or input.columns', { field: request.rows == null ? 'input.rows' : 'input.columns' });
    const checked = request.columns ? shapeOf(request.columns, config.maxPredictRows) : null;
    const rows = request.rows ?? [];
    const count = checked ? checked.rows : rows.length;
    if (!checked && rows.length === 0) throw badInput('rows must hold at least one row', { field: 'input.rows' });
    if (rows.length > config.maxPredictRows) {
      throw badInput(`${rows.length} rows is over the limit of ${config.maxPredictRows} per request (MAX_PREDICT_ROWS); use startBatchPrediction for more`, { field: 'input.rows', limit: config.maxPredictRows });
    }
    const timeoutMs = request.timeoutMs ?? config.timeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > config.maxTimeoutMs) {
      throw badInput(`timeoutMs must be from 1 to ${config.maxTimeoutMs} (MAX_PREDICT_TIMEOUT_MS)`, { field: 'input.timeoutMs' });
    }
    const route = await this.deps.routes.resolve(request.model, environment);
    const { challenger } = route;
    // Decisions need the policy and, for reasons, every row's contributions: explained even when not asked.
    const reasonCount = request.adverseActionReasons ?? null;
    if (reasonCount !== null && (!Number.isInteger(reasonCount) || reasonCount < 0 || reasonCount > MAX_ADVERSE_ACTION_REASONS)) {
      throw badInput(`adverseActionReasons is from 0 to ${MAX_ADVERSE_ACTION_REASONS}`, { field: 'input.adverseActionReasons' });
    }
    const decisionPolicy = reasonCount === null ? null : await this.deps.decisionPolicies.applied(route.model);
    const explain = (request.explain ?? false) || (reasonCount ?? 0) > 0;
    // Before the log, so the log keeps the decision and the reasons given.
    const decided = (scored: ServedPrediction[]): ServedPrediction[] => (decisionPolicy === null ? scored
      : scored.map((prediction) => ({ ...prediction, ...decide(prediction, decisionPolicy.threshold(environment), decisionPolicy.reasons, reasonCount!) })));
    // A canary answers its share of the requests; otherwise (and for a shadow) the live version.
    const canary = challenger?.mode === DeploymentMode.CANARY && goesToCanary(challenger.id, challenger.trafficPercent, request.routingKey);
    const versionId = canary ? challenger.modelVersionId : route.modelVersionId;
    let model: LoadedModel<ModelVersion> | null = null;
    let predictions: (ServedPrediction & { id: string | null; row: number })[];
    let rowErrors: RowValidationError[] = [];
    let scoredRows = rows;
    let scoredCount: number | null = null;
    let ignoredColumns: string[] = [];
    try {
      // The deadline covers the wait for the environment's turn, a load, the scoring and (DURABLE)
      // the log's commit; work that misses it goes on to its end (and holds its slot), but its
      // answer is dropped. A late commit then records an answer nobody received: a record too
      // many, never one too few.
      predictions = await withDeadline(this.admission.run(environment, async () => {
        model = await this.deps.cache.load(versionId);
        const policy = request.onInvalidRow ?? InvalidRowPolicy.REJECT_REQUEST;
        if (checked) {
          // Columns: checked and encoded a column at a time; row objects only for the log.
          const screened = this.screenColumns(model, checked, policy, role);
          rowErrors = screened.errors;
          ignoredColumns = screened.ignored;
          const { x, units } = model.encodeColumns(checked, screened.keep);
          let scored: ServedPrediction[] = [];
          if (units) {
            try {
              scored = decided(await this.serveEncoded(model, x, units, explain, role));
            } catch (error) {
              if (!(error instanceof ModelUnloadedError)) throw error;
              model = await this.deps.cache.load(versionId);
              scored = decided(await this.serveEncoded(model, x, units, explain, role));
            }
          }
          // The log takes the columns as they are (its writer thread encodes the rows); row objects
          // only where something needs them: a shadow's copy, or a log entry with explanations.
          const served = () => columnRows(checked, screened.indices);
          scoredCount = scored.length;
          if (challenger?.mode === DeploymentMode.SHADOW && scored.length) scoredRows = served();
          const ids = scored.length ? await this.logColumns(route.model.id, versionId, canary ? 'CANARY' : 'LIVE', environment, checked, screened.keep, served, scored, performance.now() - started, requestId, request.routingKey ?? null) : [];
          return scored.map((prediction, i) => ({ ...prediction, id: ids[i], row: screened.indices[i] }));
        }
        const screened = this.screen(model, rows, policy, role);
        rowErrors = screened.errors;
        scoredRows = screened.valid;
        let scored: ServedPrediction[] = [];
        if (scoredRows.length) {
          try {
            scored = decided(await this.serve(model, scoredRows, explain, role, true));
          } catch (error) {
            // Dropped from the cache between look-up and use (a deploy moved away): load it once more.
            if (!(error instanceof ModelUnloadedError)) throw error;
            model = await this.deps.cache.load(versionId);
            scored = decided(await this.serve(model, scoredRows, explain, role, true));
          }
        }
        const ids = scored.length ? await this.log(route.model.id, versionId, canary ? 'CANARY' : 'LIVE', environment, scoredRows, scored, performance.now() - started, requestId, request.routingKey ?? null) : [];
        return scored.map((prediction, i) => ({ ...prediction, id: ids[i], row: screened.indices[i] }));
      }), timeoutMs);
    } catch (error) {
      this.deps.requestStats.recordPredict(route.model.id, performance.now() - started, outcomeKind(errorCodeOf(error)), count);
      throw error;
    }
    const served = model as unknown as LoadedModel<ModelVersion>;
    const latencyMs = performance.now() - started;
    this.deps.requestStats.recordPredict(route.model.id, latencyMs, 'ok', count);
    this.deps.prometheus.recordPrediction(route.model.id, versionId, scoredCount ?? scoredRows.length, route.model.name);
    if (challenger?.mode === DeploymentMode.SHADOW && scoredRows.length) {
      this.shadows.mirror({ modelId: route.model.id, shadowVersionId: challenger.modelVersionId, environment, rows: scoredRows, live: predictions, requestId });
    }
    const ignoredFeatures = checked ? ignoredColumns.slice(0, MAX_IGNORED_LISTED) : ignoredFields(served.signature, scoredRows);
    return { route, version: served.version, environment, predictions, latencyMs, ignoredFeatures, rowErrors };
  }

  /**
   * What-if: the live version's answers (or those of `modelVersionId`, which the caller has checked
   * is a version of the model) for `row` with `feature` set to `steps` values evenly from
   * `from` to `to`, the other features held, in one batched call. Not logged: nothing was decided.
   */
  async sensitivity(request: { model: string; environment?: Environment | null; modelVersionId?: string | null; row: Record<string, unknown>; feature: string; from: number; to: number; steps: number }, role: Role | null): Promise<{ value: number; prediction: ServedPrediction }[]> {
    const { model: ref, row, feature, from, to, steps } = request;
    if (!Number.isInteger(steps) || steps < 2 || steps > 200) throw badInput('steps must be 2 to 200', { field: 'input.steps' });
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) throw badInput('from must be below to', { field: 'input.from' });
    const versionId = request.modelVersionId ?? (await this.deps.routes.resolve(ref, request.environment ?? Environment.PRODUCTION)).modelVersionId;
    const model = await this.deps.cache.load(versionId);
    const signature = model.signature.features.find((f) => f.name === feature);
    if (!signature) throw badInput(`${JSON.stringify(feature.slice(0, 80))} is not an input of the model`, { field: 'input.feature' });
    if (signature.type === 'CATEGORY') throw badInput(`${feature} is a category: sensitivity runs along a numeric feature`, { field: 'input.feature' });
    if (model.historyRows !== null) throw badInput('sensitivity is for tabular models; a forecast answers a whole history', { field: 'input.model' });
    const values = Array.from({ length: steps }, (_, i) => from + ((to - from) * i) / (steps - 1));
    const predictions = await this.serve(model, values.map((value) => ({ ...row, [feature]: value })), false, role);
    return values.map((value, i) => ({ value, prediction: predictions[i] }));
  }

  /** Logs a request's served rows: ASYNC returns at once, DURABLE once they are committed. */
  private async log(modelId: string, modelVersionId: string, servedBy: 'LIVE' | 'CANARY', environment: Environment, rows: Record<string, unknown>[], predictions: ServedPrediction[], latencyMs: number, requestId: string | null, routingKey: string | null): Promise<(string | null)[]> {
    // Ids are taken here so predict can hand them out: outcomes are recorded against them.
    const ids = predictions.map(() => newId(Prediction));
    return this.logEntry(environment, ids, loggedRequest({ modelId, modelVersionId, environment, latencyMs, requestId, route: servedBy, ids, routingKey }, rows, predictions));
  }

  /** As log, for a columnar request: its columns go to the log as they are (`keep`: the served rows, null for all). */
  private async logColumns(modelId: string, modelVersionId: string, servedBy: 'LIVE' | 'CANARY', environment: Environment, columns: CheckedColumns, keep: number[] | null, rows: () => Record<string, unknown>[], predictions: ServedPrediction[], latencyMs: number, requestId: string | null, routingKey: string | null): Promise<(string | null)[]> {
    const ids = predictions.map(() => newId(Prediction));
    const request = { modelId, modelVersionId, environment, latencyMs, requestId, route: servedBy, ids, routingKey, createdAt: new Date() };
    const entry = this.deps.predictionLog.columnEntry(request, columns, keep, predictions)
      ?? loggedRequest(request, rows(), predictions);
    return this.logEntry(environment, ids, entry);
  }

  private async logEntry(environment: Environment, ids: string[], entry: LoggedRequest | ColumnBatch): Promise<(string | null)[]> {
    if (this.deps.config.logDurability[environment] === 'ASYNC') {
      const kept = 'inputs' in entry ? this.deps.predictionLog.record(entry) : this.deps.predictionLog.recordColumns(entry);
      return ids.map((id, i) => (kept[i] ? id : null));
    }
    try {
      await this.deps.predictionLog.commit(entry);
      return ids;
    } catch {
      // No record, no answer: the bank must be able to show what it told a customer.
      throw serviceUnavailable(`the predictions could not be recorded in the prediction log (${environment} logs durably), so none is returned; retry shortly`, { environment });
    }
  }

  /**
   * Checks rows against the version's signature. REJECT_REQUEST: any invalid row refuses the
   * request (BAD_USER_INPUT naming the first, with every one, at most 100, in extensions.rows);
   * SKIP_ROW: the valid rows and where they came from, and the invalid ones' errors.
   */
  private screen(model: LoadedModel<ModelVersion>, rows: Record<string, unknown>[], policy: InvalidRowPolicy, role: Role | null): { valid: Record<string, unknown>[]; indices: number[]; errors: RowValidationError[] } {
    this.checkCells(model, rows.length, false, role);
    const skip = policy === InvalidRowPolicy.SKIP_ROW;
    if (skip && model.historyRows !== null) throw badInput('onInvalidRow SKIP_ROW is for tabular models: a forecast reads its rows as one history', { field: 'input.onInvalidRow' });
    const errors = invalidRows(model.signature, rows, this.deps.config.unknownFields, model.droppedFeatures, skip ? Infinity : MAX_LISTED_ROW_ERRORS);
    if (!errors.length) return { valid: rows, indices: rows.map((_, i) => i), errors };
    if (!skip) {
      const [first] = errors;
      const more = errors.length > 1 ? ` (and ${errors.length - 1}${errors.length === MAX_LISTED_ROW_ERRORS ? ' or more' : ''} more invalid row${errors.length > 2 ? 's' : ''}: see extensions.rows)` : '';
      throw badInput(`${first.message}${more}`, {
        field: first.field ? `input.rows[${first.row}].${first.field}` : `input.rows[${first.row}]`, row: first.row,
        rows: errors.map((e) => ({ row: e.row, field: e.field, message: e.message })),
      });
    }
    const bad = new Set(errors.map((e) => e.row));
    const indices = rows.map((_, i) => i).filter((i) => !bad.has(i));
    return { valid: indices.map((i) => rows[i]), indices, errors };
  }

  /**
   * Checks columns against the version's signature, as screen does rows: REJECT_REQUEST refuses
   * the request at the first invalid row (with every one, at most 100, in extensions.rows);
   * SKIP_ROW keeps the valid rows (`keep`: null when all are). Refuses forecast models.
   */
  private screenColumns(model: LoadedModel<ModelVersion>, columns: CheckedColumns, policy: InvalidRowPolicy, role: Role | null): { keep: number[] | null; indices: number[]; errors: RowValidationError[]; ignored: string[] } {
    if (model.historyRows !== null) throw badInput('input.columns is for tabular models: send a forecast\'s history as input.rows, oldest first', { field: 'input.columns' });
    this.checkCells(model, columns.rows, false, role, columns.byName.size);
    let ignored: string[];
    try {
      ignored = matchColumns(model.signature, columns, this.deps.config.unknownFields, model.droppedFeatures);
    } catch (error) {
      throw error instanceof ColumnShapeError ? badInput(error.message, { field: error.field, ...error.details }) : error;
    }
    const skip = policy === InvalidRowPolicy.SKIP_ROW;
    const errors = invalidColumnRows(model.signature, columns, skip ? Infinity : MAX_LISTED_ROW_ERRORS);
    const all = () => Array.from({ length: columns.rows }, (_, i) => i);
    if (!errors.length) return { keep: null, indices: all(), errors, ignored };
    if (!skip) {
      const [first] = errors;
      const column = columns.byName.get(first.field)!;
      const more = errors.length > 1 ? ` (and ${errors.length - 1}${errors.length === MAX_LISTED_ROW_ERRORS ? ' or more' : ''} more invalid row${errors.length > 2 ? 's' : ''}: see extensions.rows)` : '';
      throw badInput(`${first.message}${more}`, {
        field: `input.columns[${column.index}].${column.numbers ? 'numbers' : 'strings'}[${first.row}]`, row: first.row,
        rows: errors.map((e) => ({ row: e.row, field: e.field, message: e.message })),
      });
    }
    const bad = new Set(errors.map((e) => e.row));
    const indices = all().filter((i) => !bad.has(i));
    return { keep: indices, indices, errors, ignored };
  }

  /** Scores rows already encoded (columns): the pool for large requests and explanations, the micro-batcher otherwise. */
  private async serveEncoded(model: LoadedModel<ModelVersion>, x: Float32Array, units: number, explain: boolean, role: Role | null): Promise<ServedPrediction[]> {
    this.checkCells(model, units, explain, role);
    const { pool, config } = this.deps;
    if (pool.enabled && (explain || units >= config.poolMinRows)) {
      const onPool: Forward = (input, n) => pool.forward(model, input, n);
      return model.scoreEncoded(x, units, null, explain, onPool, onPool);
    }
    return model.scoreEncoded(x, units, null, explain, (input, n) => model.batcher.submit(input, n));
  }

  /**
   * Validates one request's rows against a loaded version and scores them: large requests and
   * explanations on the worker pool, the rest through the version's micro-batcher.
   */
  async serve(model: LoadedModel<ModelVersion>, rows: Record<string, unknown>[], explain: boolean, role: Role | null, validated = false): Promise<ServedPrediction[]> {
    // The cheapest refusal first: the size, before each row is read.
    this.checkCells(model, rows.length, explain, role);
    if (!validated) this.screen(model, rows, InvalidRowPolicy.REJECT_REQUEST, role);
    const history = model.historyRows;
    if (history !== null && rows.length < history) {
      throw badInput(`this forecast model needs the last ${history} observations in time order; got ${rows.length} rows`, { field: 'input.rows', needed: history });
    }
    try {
      const { pool, config } = this.deps;
      if (pool.enabled && (explain || rows.length >= config.poolMinRows)) {
        const onPool: Forward = (x, units) => pool.forward(model, x, units);
        return await model.score(rows, explain, onPool, onPool);
      }
      return await model.score(rows, explain, (x, units) => model.batcher.submit(x, units));
    } catch (error) {
      // A forecast's history needs every target value; the encoder names the bad one.
      if (error instanceof TargetError) throw badInput(`input.rows: ${error.message}`, { field: 'input.rows' });
      throw error;
    }
  }

  /**
   * Rows × features (× features again for an explanation: one occluded copy per feature) per
   * request, per role: a partner's rate allows four huge explanations at a time otherwise.
   */
  private checkCells(model: LoadedModel<ModelVersion>, rows: number, explain: boolean, role: Role | null, sent = 0): void {
    // Columns: every column sent counts, used or not.
    const features = Math.max(1, model.signature.features.length, sent);
    const cells = rows * features * (explain ? features + 1 : 1);
    const { maxCells, maxCellsPartner } = this.deps.config;
    const limit = role === Role.PARTNER ? maxCellsPartner : maxCells;
    if (cells > limit) {
      const name = role === Role.PARTNER ? 'MAX_PREDICT_CELLS_PARTNER' : 'MAX_PREDICT_CELLS';
      throw badInput(`${rows} rows × ${features} ${sent ? 'columns' : 'features'}${explain ? ` × ${features + 1} for the explanation` : ''} is ${cells.toLocaleString('en-US')} cells, over the limit of ${limit.toLocaleString('en-US')} per request (${name}); send fewer rows${explain ? ' or no explanation' : ''}`, { field: sent ? 'input.columns' : 'input.rows', cells, limit });
    }
  }

  /** What serving is busy with: each environment's calls running and waiting, and the worker pool's tasks. */
  load(): { environments: Record<Environment, { running: number; waiting: number }>; pool: ReturnType<PredictPool['load']> } {
    const environments = Object.fromEntries(Object.values(Environment).map((e) => [e, this.admission.load(e)])) as Record<Environment, { running: number; waiting: number }>;
    return { environments, pool: this.deps.pool.load() };
  }

  /** Stops the worker threads (server shutdown). */
  close(): Promise<void> {
    return this.deps.pool.close();
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

  async get(id: string): Promise<Prediction> {
    const prediction = isIdOf(id, Prediction) ? await this.deps.db.manager.findOneBy(Prediction, { id }) : null;
    if (!prediction) throw notFound('Prediction', id);
    return prediction;
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

/** Checks the columns' shape (no model needed yet); BAD_USER_INPUT naming the field at fault. */
function shapeOf(columns: InputColumn[], maxRows: number): CheckedColumns {
  try {
    return checkColumnShape(columns, maxRows);
  } catch (error) {
    throw error instanceof ColumnShapeError ? badInput(error.message, { field: error.field, ...error.details }) : error;
  }
}

/** `work`, or TIMEOUT once `ms` have passed; a late result (or failure) of `work` is dropped. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout(`predict did not finish within ${ms} ms (timeoutMs, PREDICT_TIMEOUT_MS); the server is busy or the model still loading`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
