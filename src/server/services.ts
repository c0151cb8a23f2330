import type { Config } from '../core/config';
import { ArtifactStore } from '../engines/db/artifact-store';
import type { Database } from '../engines/db/database';
import type { Logger } from '../core/logger';
import { ApiKeyService } from '../modules/auth/api-key.service';
import { AuditService } from '../modules/auth/audit.service';
import { RateLimiter } from './transport/rate-limiter';
import { createEventBus, type EventBus } from '../engines/events/event-bus';
import { MetricStore } from '../modules/training/metric-store';
import { EvaluationService } from '../modules/evaluations/evaluation.service';
import { TrainingRunService } from '../modules/training/training-run.service';
import { InProcessQueue, type JobQueue } from '../engines/jobs/job-queue';
import { TrainingSupervisor } from '../engines/trainer/supervisor';
import { DatasetRowReader } from '../modules/datasets/dataset-row-reader';
import { DatasetService } from '../modules/datasets/dataset.service';
import { ModelVersionService } from '../modules/models/model-version.service';
import { ModelService } from '../modules/models/model.service';
import { ModelCache } from '../engines/serving/model-cache';
import { LiveRoutes } from '../modules/deployments/live-routes';
import { DeploymentService } from '../modules/deployments/deployment.service';
import { PredictionLog } from '../modules/predictions/prediction-log';
import { PredictionService } from '../modules/predictions/prediction.service';
import { BatchPredictionService } from '../modules/predictions/batch-prediction.service';
import { RequestStats } from '../engines/telemetry/request-stats';
import { ServerMetrics } from '../engines/telemetry/prometheus';
import { HealthSampler } from '../engines/telemetry/health-sampler';
import { AlertEngine } from '../modules/monitoring/alert-engine';
import { AlertService } from '../modules/monitoring/alert.service';
import { HealthService } from '../modules/monitoring/health.service';
import { Environment } from '../modules/deployments/environment';
import { DriftService } from '../modules/monitoring/drift.service';

/** Every service, built once per process and shared by all requests. */
export interface Services {
  config: Config;
  db: Database;
  log: Logger;
  events: EventBus;
  artifacts: ArtifactStore;
  apiKeys: ApiKeyService;
  audit: AuditService;
  rateLimiter: RateLimiter;
  datasets: DatasetService;
  datasetRows: DatasetRowReader;
  models: ModelService;
  modelVersions: ModelVersionService;
  trainingMetrics: MetricStore;
  supervisor: TrainingSupervisor;
  training: TrainingRunService;
  evaluations: EvaluationService;
  trainingQueue: JobQueue;
  modelCache: ModelCache;
  liveRoutes: LiveRoutes;
  deployments: DeploymentService;
  predictionLog: PredictionLog;
  predictions: PredictionService;
  batchPredictions: BatchPredictionService;
  /** Served data against training, per live version. */
  drift: DriftService;
  /** Recent requests and predictions, for health snapshots. */
  requestStats: RequestStats;
  /** Prometheus metrics served at /metrics. */
  metrics: ServerMetrics;
  healthSampler: HealthSampler;
  health: HealthService;
  alerts: AlertService;
  alertEngine: AlertEngine;
  startedAt: Date;
}

export function createServices(config: Config, db: Database, log: Logger): Services {
  const artifacts = new ArtifactStore(db);
  const events = createEventBus();
  const datasets = new DatasetService(db, artifacts, config, events);
  const datasetRows = new DatasetRowReader(artifacts, config.maxPageSize);
  const models = new ModelService(db, config);
  const modelVersions = new ModelVersionService(db);
  const trainingMetrics = new MetricStore(db);
  const supervisor = new TrainingSupervisor(config.training, log);
  const training = new TrainingRunService({ db, config, log, events, artifacts, datasets, datasetRows, models, modelVersions, metrics: trainingMetrics, supervisor });
  const trainingQueue = new InProcessQueue((runId) => training.execute(runId), config.training.concurrency, (error, runId) => log.error({ err: error, runId }, 'training run crashed in the server'));
  training.attachQueue(trainingQueue);
  const modelCache = new ModelCache(db, artifacts, config.serving, config.training.backend);
  const liveRoutes = new LiveRoutes(db, models);
  const requestStats = new RequestStats(config.monitoring.windowSeconds);
  const healthSampler = new HealthSampler(config.monitoring, requestStats, {
    get waiting() { return trainingQueue.waiting; },
    get running() { return trainingQueue.running; },
    failedSince: (seconds) => training.failedSince(seconds),
  }, (error) => log.error({ err: error }, 'health snapshot failed'));
  const alerts = new AlertService({ db, config, events });
  const alertEngine = new AlertEngine({ db, events, log, maxRssMb: config.monitoring.maxRssMb });
  alerts.onRuleChanged = (ruleId) => alertEngine.forgetRule(ruleId);
  const metrics = new ServerMetrics(db, log);
  metrics.setOpenAlertsSource(() => alertEngine.openCount());
  const health = new HealthService({ db, config: config.monitoring, sampler: healthSampler, log });
  const predictionLog = new PredictionLog(db, config.database, { sampleRate: config.serving.logSampleRate, flushMs: config.serving.logFlushMs, retentionDays: config.serving.logRetentionDays }, log);
  return {
    metrics,
    healthSampler,
    health,
    alerts,
    alertEngine,
    modelCache,
    liveRoutes,
    deployments: new DeploymentService({ db, config, events, cache: modelCache, routes: liveRoutes, models, modelVersions }),
    predictionLog,
    requestStats,
    predictions: new PredictionService({ db, config: config.serving, maxPageSize: config.maxPageSize, routes: liveRoutes, cache: modelCache, log: predictionLog, modelVersions, stats: requestStats, metrics }),
    drift: new DriftService({ db, artifacts, log, models }),
    batchPredictions: new BatchPredictionService({ db, config, log, events, cache: modelCache, routes: liveRoutes, datasets, modelVersions }),
    events,
    config,
    db,
    log,
    artifacts,
    apiKeys: new ApiKeyService(db, config, log),
    audit: new AuditService(db, config),
    rateLimiter: new RateLimiter(config.rateLimits),
    datasets,
    datasetRows,
    models,
    modelVersions,
    trainingMetrics,
    supervisor,
    training,
    trainingQueue,
    evaluations: new EvaluationService({ db, config, artifacts, datasets, datasetRows, models, modelVersions, supervisor }),
    startedAt: new Date(),
  };
}

/**
 * Starts the monitoring loop: built-in rules, open alerts restored, a snapshot every
 * HEALTH_INTERVAL_SECONDS feeding the alert engine, history and subscribers, and the scheduled
 * drift check of PRODUCTION models.
 */
export async function startMonitoring(services: Services): Promise<void> {
  const { alerts, alertEngine, healthSampler, health, events, config, log, drift } = services;
  await alerts.ensureBuiltIns();
  await alertEngine.restore();
  healthSampler.onSnapshot((snapshot, failed) => alertEngine.onSnapshot(snapshot, failed));
  healthSampler.onSnapshot((snapshot) => health.store(snapshot));
  // A copy: subscribers' shared results are cached per event object, and the sampler keeps its own in a long ring.
  healthSampler.onSnapshot((snapshot) => events.publish('HEALTH_SNAPSHOT', 'all', { ...snapshot }));
  healthSampler.start();
  if (config.monitoring.driftCheckSeconds > 0) {
    const check = async () => {
      const results = await drift.checkAll(Environment.PRODUCTION, config.monitoring.driftWindowSeconds);
      await alertEngine.onDrift(results.map((r) => ({ modelId: r.modelId, environment: Environment.PRODUCTION, maxPsi: r.maxPsi })));
    };
    driftTimers.set(services, setInterval(() => void check().catch((error) => log.error({ err: error }, 'drift check failed')), config.monitoring.driftCheckSeconds * 1000));
    driftTimers.get(services)!.unref();
  }
}

const driftTimers = new WeakMap<Services, NodeJS.Timeout>();

/**
 * Stops training for shutdown: children are killed (their runs end FAILED, and a restart would
 * say so anyway), the queue drains, and buffered metric points are written.
 */
export async function stopTraining(services: Services): Promise<void> {
  services.healthSampler.stop();
  clearInterval(driftTimers.get(services));
  services.supervisor.killAll();
  await services.trainingQueue.close();
  await services.trainingMetrics.flush();
  // The log first: a long batch job must not hold served rows in memory until a SIGKILL.
  await services.predictionLog.close();
  await services.batchPredictions.close();
}
