import { BatchOutput1766100000000 } from '../../../migrations/1766100000000-batch-output';
import { DecisionPolicy1766380000000 } from '../../../migrations/1766380000000-decision-policy';
import { DecisionPolicy } from './decision-policy.entity';
import { DecisionPolicyResolver } from './decision-policy.resolver';
import { DecisionPolicyService } from './decision-policy.service';
import { predictionExportRoutes } from './prediction-export.route';
import { ModelPredictionsExportResolver } from './model-predictions-export.resolver';
import { defineModule } from '../shared/module-definition';
import { BatchPredictionJob, type BatchPredictionStatus } from './batch-prediction-job.entity';
import { BatchPredictionService } from './batch-prediction.service';
import { Prediction } from './prediction.entity';
import { PredictionLoaders } from './prediction.loaders';
import { PredictionLog } from './prediction-log';
import { BatchPredictionResolver, PredictionResolver } from './prediction.resolver';
import { PredictionService } from './prediction.service';
import { PredictPool } from '../../engines/serving/predict-pool';
import { ChallengerReports } from './challenger-report';
import { ChallengerReportResolver } from './challenger-report.resolver';

declare module '../shared/context' {
  interface ServiceMap {
    predictions: PredictionService;
    /** Served rows, buffered and written by a writer thread. */
    predictionLog: PredictionLog;
    batchPredictions: BatchPredictionService;
    /** Challengers against their champions, from the prediction log. */
    challengerReports: ChallengerReports;
    /** Binary models' decision thresholds and reason codes. */
    decisionPolicies: DecisionPolicyService;
  }
  interface LoaderMap {
    predictions: PredictionLoaders;
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** A batch prediction job's status or progress changed; routed by job id. */
    BATCH_PREDICTION_UPDATED: [jobId: string, payload: { jobId: string; status: BatchPredictionStatus }];
  }
}

/** Serving: predict against live deployments (validated, micro-batched, logged) and batch prediction jobs. Tables from the serving migration. */
export const predictionsModule = defineModule({
  name: 'predictions',
  migrations: [BatchOutput1766100000000, DecisionPolicy1766380000000],
  httpRoutes: predictionExportRoutes,
  entities: [Prediction, BatchPredictionJob, DecisionPolicy],
  resolvers: [PredictionResolver, BatchPredictionResolver, ChallengerReportResolver, ModelPredictionsExportResolver, DecisionPolicyResolver],
  nodes: [
    { entity: Prediction, load: (loaders) => loaders.predictions.byId, modelOf: (prediction: Prediction) => prediction.modelId },
    { entity: BatchPredictionJob, load: (loaders) => loaders.predictions.batchById, modelOf: (job: BatchPredictionJob) => job.modelId },
  ],
  topics: ['BATCH_PREDICTION_UPDATED'],
  loaders: ({ db }) => ({ predictions: new PredictionLoaders(db) }),
  services: ({ db, config, log, events, queues, requestStats, prometheus, schedulerLease }, { liveRoutes, modelCache, datasets, modelVersions, models }) => {
    const { serving } = config;
    const predictionLog = new PredictionLog(db, config.database, { sampleRate: serving.logSampleRate, flushMs: serving.logFlushMs, retentionDays: serving.logRetentionDays, schedules: () => schedulerLease.held }, log);
    const batchQueue = queues('batch-predictions', { concurrency: 1, onError: (error, jobId) => log.error({ err: error, jobId }, 'batch prediction crashed') });
    const pool = new PredictPool({ threads: serving.poolThreads, backend: config.training.backend });
    const decisionPolicies = new DecisionPolicyService(db, models);
    return {
      decisionPolicies,
      predictionLog,
      predictions: new PredictionService({ db, config: serving, maxPageSize: config.maxPageSize, routes: liveRoutes, cache: modelCache, predictionLog, requestStats, prometheus, pool, log, decisionPolicies }),
      challengerReports: new ChallengerReports({ db, versions: (id) => modelVersions.get(id) }),
      batchPredictions: new BatchPredictionService({ db, events, cache: modelCache, routes: liveRoutes, datasets, modelVersions, queue: batchQueue, runWorker: config.training.runWorker, cluster: config.redis !== null }),
    };
  },
  start: async ({ predictionLog, batchPredictions }) => {
    await batchPredictions.startProcessing();
    predictionLog.start();
  },
  // The log first: a long batch job must not hold served rows in memory until a SIGKILL.
  stop: async ({ predictionLog, batchPredictions, predictions }) => {
    await predictionLog.close();
    await batchPredictions.stopProcessing();
    await predictions.close();
  },
});
