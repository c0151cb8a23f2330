import { MetricRollups1764700000000 } from '../../../migrations/1764700000000-metric-rollups';
import { Training1764600000000 } from '../../../migrations/1764600000000-training';
import { RunOptions1765100000000 } from '../../../migrations/1765100000000-run-options';
import { Algorithms1765900000000 } from '../../../migrations/1765900000000-algorithms';
import { CancelRequested1766390000000 } from '../../../migrations/1766390000000-cancel-requested';
import type { JobQueue } from '../../engines/jobs/job-queue';
import { defineModule } from '../shared/module-definition';
import { RedisPending } from '../../engines/cluster/shared-pending';
import { MetricStore, pointKey } from './metric-store';
import type { MetricEvent, MetricsEnd } from './metric.types';
import { ModelComparisonResolver } from './model-comparison.resolver';
import { ModelTrainingRunsResolver, ModelVersionTrainingRunResolver } from './model-training.resolver';
import { TrainingRun } from './training-run.entity';
import { TrainingLoaders } from './training-run.loaders';
import { MetricSeriesResolver, TrainingRunResolver } from './training-run.resolver';
import { TrainingRunService, type RunUpdate } from './training-run.service';

declare module '../shared/context' {
  interface ServiceMap {
    training: TrainingRunService;
    /** Metric points of runs: batched writes, rollups, replay. */
    trainingMetrics: MetricStore;
    /** The queue of training runs waiting for a process. */
    trainingQueue: JobQueue;
  }
  interface LoaderMap {
    training: TrainingLoaders;
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** Metric points of a training run, in step order, then `{ end: true }` once it ended; routed by run id. */
    TRAINING_METRICS: [runId: string, payload: MetricEvent | MetricsEnd];
    /** A run's status or progress changed, or (SUCCEEDED) its evaluation's importance arrived; routed by run id, and by model id below. */
    TRAINING_RUN_UPDATED: [runId: string, payload: RunUpdate];
    MODEL_TRAINING_RUN_UPDATED: [modelId: string, payload: RunUpdate];
    /** Cancel a RUNNING run: heard by every worker; the one training it stops it. `from`: the asking instance. */
    TRAINING_CANCEL: [scope: 'all', payload: { runId: string; from: string }];
  }
}

/** Training runs: queued, trained in child processes, streamed live, recorded as model versions with their test evaluation. */
export const trainingModule = defineModule({
  name: 'training',
  entities: [TrainingRun],
  // The training migration also created the evaluations table and model_version.training_run_id.
  migrations: [Training1764600000000, MetricRollups1764700000000, RunOptions1765100000000, Algorithms1765900000000, CancelRequested1766390000000],
  resolvers: [TrainingRunResolver, MetricSeriesResolver, ModelTrainingRunsResolver, ModelVersionTrainingRunResolver, ModelComparisonResolver],
  nodes: [{ entity: TrainingRun, load: (loaders) => loaders.training.byId, modelOf: (run: TrainingRun) => run.modelId }],
  topics: ['TRAINING_METRICS', 'TRAINING_RUN_UPDATED', 'MODEL_TRAINING_RUN_UPDATED', 'TRAINING_CANCEL'],
  loaders: ({ db, maxPageSize }) => ({ training: new TrainingLoaders(db, maxPageSize) }),
  services: ({ db, config, log, events, redis, artifacts, queues, trainer, prometheus, instanceId }, { datasets, datasetRows, models, modelVersions, evaluations }) => {
    const shared = redis ? new RedisPending<MetricEvent>(redis.connect('metric-tail'), redis.key('metrics', 'pending'), pointKey) : null;
    const trainingMetrics = new MetricStore(db, { shared, log });
    const trainingQueue = queues('training', {
      concurrency: config.training.concurrency,
      onError: (error, runId) => log.error({ err: error, runId }, 'training run crashed in the server'),
    });
    const training = new TrainingRunService({
      db, config, log, events, artifacts, datasets, datasetRows, models, modelVersions, evaluations, metricStore: trainingMetrics, trainer, queue: trainingQueue, instanceId,
    });
    prometheus.gaugeAtScrape({ name: 'aimass_training_runs', help: 'Training runs in the database, by status.', labelNames: ['status'] }, async (set) => {
      for (const [status, runs] of Object.entries(await training.countByStatus())) set({ status }, runs);
    });
    return { training, trainingMetrics, trainingQueue };
  },
  start: async ({ training, workers, trainer, config }) => {
    await training.startProcessing();
    if (config.training.runWorker) trainer.startPool();
    if (config.training.runWorker) workers.start(() => ({ backend: training.lastBackend, capacity: config.training.concurrency, running: trainer.running }), () => training.honourStoredCancels());
  },
  // The goodbye first: a worker draining its trainings is stopping, not lost.
  stop: async ({ training, workers, trainer }) => {
    await workers.stop();
    trainer.stopPool();
    await training.stopProcessing();
  },
});
