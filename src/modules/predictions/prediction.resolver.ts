import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../shared/context';
import { badInput } from '../../core/errors';
import { ModelScoped } from '../auth/model-scope';
import { Roles } from '../shared/role';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import { BatchPredictionJob } from './batch-prediction-job.entity';
import { isFinished } from './batch-prediction.service';
import { PredictionConnection } from './prediction.connection';
import { Prediction } from './prediction.entity';
import { PredictInput, PredictionsArgs, StartBatchPredictionInput } from './prediction.inputs';
import { PredictResult } from './prediction.types';
import { currentThenLive } from '../../engines/events/current-then-live';

@Resolver(() => Prediction)
export class PredictionResolver {
  @Authorized(...Roles.READERS_AND_PARTNERS)
  @ModelScoped((args) => args.input.model)
  @Mutation(() => PredictResult, { description: 'Scores rows with the version live in an environment (PRODUCTION by default). Rows are checked against the version\'s input signature first: a missing feature, a wrong type, NaN/Infinity or an unknown category is BAD_USER_INPUT naming the row and field, and nothing is scored. NOT_FOUND when nothing is deployed there. Concurrent requests are micro-batched; large ones (PREDICT_POOL_MIN_ROWS rows) and explanations score on worker threads. Each environment has its own concurrency limit and queue: SERVICE_UNAVAILABLE when its queue is full, TIMEOUT past the call\'s deadline.' })
  async predict(@Arg('input') input: PredictInput, @Ctx() { services, requestId, caller }: Context): Promise<PredictResult> {
    const answer = await services.predictions.predict(input, requestId, caller?.role ?? null);
    return Object.assign(new PredictResult(), {
      modelVersion: answer.version,
      environment: answer.environment,
      predictions: answer.predictions,
      latencyMs: answer.latencyMs,
      ignoredFeatures: answer.ignoredFeatures,
      rowErrors: answer.rowErrors.map((e) => ({ row: e.row, field: e.field, message: e.message })),
    });
  }

  @Authorized(...Roles.READERS)
  @Query(() => PredictionConnection, { description: 'The prediction log, newest first, kept PREDICTION_LOG_RETENTION_DAYS. DURABLE environments (PRODUCTION by default) hold every row served, committed before predict answered; ASYNC ones (TEST and PREVIEW by default) are sampled by PREDICTION_LOG_SAMPLE_RATE and their rows appear within about PREDICTION_LOG_FLUSH_MS of serving.' })
  async predictions(@Args() { filter, ...page }: PredictionsArgs, @Ctx() { services }: Context) {
    let modelId: string | null = null;
    let modelVersionId = filter?.modelVersionId ?? null;
    if (filter?.version != null && !filter.model) throw badInput('filter.version needs filter.model', { field: 'filter.version' });
    if (filter?.model) {
      const model = await services.models.byRef(filter.model, 'filter.model');
      modelId = model.id;
      if (filter.version != null) modelVersionId = (await services.modelVersions.byNumber(model.id, filter.version)).id;
    }
    return PredictionConnection.from(await services.predictions.list({ ...filter, modelId, modelVersionId }, page));
  }

  @FieldResolver(() => Model)
  model(@Root() prediction: Prediction, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(prediction.modelId);
  }

  @FieldResolver(() => ModelVersion)
  modelVersion(@Root() prediction: Prediction, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(prediction.modelVersionId);
  }
}

@Resolver(() => BatchPredictionJob)
export class BatchPredictionResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => BatchPredictionJob, { description: 'Queues a job that scores every row of a dataset version and stores the rows plus `prediction` (and, for classifiers, `prediction_score`) columns as a new version of that dataset. Returns at once; follow it with batchPredictionUpdated.' })
  startBatchPrediction(@Arg('input') input: StartBatchPredictionInput, @Ctx() { services, caller }: Context) {
    return services.batchPredictions.start(input, caller?.keyId ?? null);
  }

  @Authorized(...Roles.READERS)
  @Query(() => BatchPredictionJob, { nullable: true, description: 'One batch prediction job; NOT_FOUND when the id is unknown.' })
  batchPrediction(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.batchPredictions.get(id);
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => BatchPredictionJob, {
    subscribe: async ({ args, context }) => {
      const { services } = context as Context;
      await services.batchPredictions.get(args.jobId);
      return currentThenLive(services.events.subscribe('BATCH_PREDICTION_UPDATED', args.jobId), async () => {
        const job = await services.batchPredictions.get(args.jobId);
        return { jobId: job.id, status: job.status };
      }, { isLast: (event) => isFinished(event.status) });
    },
    description: 'A batch prediction job\'s status and progress: its current state first, then every change, completing once the job has finished. NOT_FOUND for an unknown job.',
  })
  batchPredictionUpdated(@Arg('jobId', () => ID) _jobId: string, @Root() event: { jobId: string }, @Ctx() { services }: Context) {
    return services.batchPredictions.get(event.jobId);
  }

  @FieldResolver(() => Model)
  model(@Root() job: BatchPredictionJob, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(job.modelId);
  }

  @FieldResolver(() => ModelVersion, { description: 'The version that scored the rows.' })
  modelVersion(@Root() job: BatchPredictionJob, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(job.modelVersionId);
  }

  @FieldResolver(() => DatasetVersion, { description: 'The rows scored.' })
  datasetVersion(@Root() job: BatchPredictionJob, @Ctx() { loaders }: Context) {
    return loaders.datasets.versionById.load(job.datasetVersionId);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: 'The new dataset version with the prediction columns (after SUCCEEDED).' })
  outputDatasetVersion(@Root() job: BatchPredictionJob, @Ctx() { loaders }: Context) {
    return job.outputDatasetVersionId ? loaders.datasets.versionById.load(job.outputDatasetVersionId) : null;
  }
}
