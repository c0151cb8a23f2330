import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../shared/context';
import { badInput } from '../../core/errors';
import { assertModelScope, ModelScoped } from '../auth/model-scope';
import { Roles } from '../shared/role';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { Evaluation } from '../evaluations/evaluation.entity';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import { MetricPoint, MetricSeries } from './metric.types';
import { currentThenLive } from '../../engines/events/current-then-live';
import { metricStream } from './metric-stream';
import { isLastUpdate, isTerminal } from './training-run.service';
import { TrainingRunConnection } from './training-run.connection';
import { TrainingRun } from './training-run.entity';
import { StartTrainingRunInput, TrainingRunsArgs } from './training-run.inputs';

@Resolver(() => TrainingRun)
export class TrainingRunResolver {
  @Authorized(...Roles.READERS)
  @Query(() => TrainingRun, { nullable: true, description: 'One training run; NOT_FOUND when the id is unknown.' })
  trainingRun(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.training.get(id);
  }

  @Authorized(...Roles.READERS)
  @Query(() => TrainingRunConnection, { description: 'Training runs, newest first.' })
  async trainingRuns(@Args() { filter, ...page }: TrainingRunsArgs, @Ctx() { services }: Context) {
    const modelId = filter?.modelId ? (await services.models.byRef(filter.modelId, 'filter.modelId')).id : null;
    return TrainingRunConnection.from(await services.training.list({ ...filter, modelId }, page));
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => TrainingRun, { description: 'Checks the request (columns, types, classes, hyper-parameters, split) and queues the run; returns at once with status QUEUED. Watch it with trainingRunUpdated and trainingMetrics.' })
  startTrainingRun(@Arg('input') input: StartTrainingRunInput, @Ctx() { services, caller }: Context) {
    return services.training.start(input, caller?.keyId ?? null);
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => TrainingRun, { description: 'Cancels a QUEUED run at once, or a RUNNING one (its process gets SIGTERM, then SIGKILL); it ends CANCELLED. CONFLICT when the run has already finished.' })
  cancelTrainingRun(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.training.cancel(id);
  }

  @Authorized(...Roles.READERS_AND_PARTNERS)
  @ModelScoped((args) => args.runId)
  @Subscription(() => MetricPoint, {
    subscribe: async ({ args, context }) => {
      await assertModelScope(context as Context, args.runId);
      const { events, trainingMetrics, training } = (context as Context).services;
      await training.get(args.runId); // NOT_FOUND for an unknown run, rather than silence
      const hasEnded = async (runId: string) => isTerminal((await training.get(runId)).status);
      return metricStream({ events, metricStore: trainingMetrics, hasEnded }, args.runId, args.sinceStep ?? -1, args.names ?? null);
    },
    description: 'Metric points of a run: first those stored after sinceStep, then live ones as the run trains; no gap and no duplicate between the two. Completes when the run has ended (at once, after the stored points, for a run that already had). Reconnect with the last step you saw to resume. A subscriber that falls 10,000 points behind is disconnected. NOT_FOUND for an unknown run.',
  })
  trainingMetrics(
    @Arg('runId', () => ID) _runId: string,
    @Arg('sinceStep', () => Int, { nullable: true, description: 'Replay points with a step greater than this (all when omitted).' }) _sinceStep: number | null,
    @Arg('names', () => [String], { nullable: true, description: 'Only these metrics.' }) _names: string[] | null,
    @Root() point: MetricPoint,
  ): MetricPoint {
    return point;
  }

  @Authorized(...Roles.READERS_AND_PARTNERS)
  @ModelScoped((args) => args.runId ?? args.modelId)
  @Subscription(() => TrainingRun, {
    subscribe: async ({ args, context }) => {
      const { events, training, models } = (context as Context).services;
      if ((args.runId == null) === (args.modelId == null)) throw badInput('give exactly one of runId or modelId', { field: 'runId' });
      await assertModelScope(context as Context, args.runId ?? args.modelId);
      if (args.modelId) {
        const model = await models.byRef(args.modelId, 'modelId');
        return events.subscribe('MODEL_TRAINING_RUN_UPDATED', model.id);
      }
      await training.get(args.runId);
      return currentThenLive(events.subscribe('TRAINING_RUN_UPDATED', args.runId), () => training.streamState(args.runId), { isLast: isLastUpdate });
    },
    description: 'A run\'s status and progress whenever they change, and once more when a SUCCEEDED run\'s evaluation has its permutation importance (evaluation.importanceStatus READY or FAILED). With runId: the run\'s current state first, then each change, completing once the run has ended and its importance is no longer PENDING. With modelId: every change of every run of the model, as it happens. NOT_FOUND for an unknown run or model.',
  })
  trainingRunUpdated(
    @Arg('runId', () => ID, { nullable: true }) _runId: string | null,
    @Arg('modelId', () => ID, { nullable: true, description: 'The model: its id or its name.' }) _modelId: string | null,
    @Root() event: { runId: string },
    @Ctx() { services }: Context,
  ) {
    // Read fresh per event: a subscription's context (and any loader) lives across events.
    return services.training.get(event.runId);
  }

  @FieldResolver(() => Model)
  model(@Root() run: TrainingRun, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(run.modelId);
  }

  @Authorized(...Roles.READERS)
  @FieldResolver(() => DatasetVersion, { description: 'The exact dataset version trained on.' })
  datasetVersion(@Root() run: TrainingRun, @Ctx() { loaders }: Context) {
    return loaders.datasets.versionById.load(run.datasetVersionId);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version this run produced (after SUCCEEDED).' })
  modelVersion(@Root() run: TrainingRun, @Ctx() { loaders }: Context) {
    return run.modelVersionId ? loaders.models.versionById.load(run.modelVersionId) : null;
  }

  @FieldResolver(() => Evaluation, { nullable: true, description: 'The evaluation of the produced version on the held-out test rows.' })
  evaluation(@Root() run: TrainingRun, @Ctx() { loaders }: Context) {
    return run.modelVersionId ? loaders.evaluations.testByModelVersion.load(run.modelVersionId) : null;
  }

  @FieldResolver(() => [MetricSeries], { description: 'Each metric of the run with count, last, min and max; `points` gives its history.' })
  async metrics(@Root() run: TrainingRun, @Arg('names', () => [String], { nullable: true }) names: string[] | null, @Ctx() { services }: Context) {
    const summaries = await services.trainingMetrics.summaries(run.id, names);
    return summaries.map((s) => Object.assign(new MetricSeries(), { ...s, runId: run.id }));
  }
}

@Resolver(() => MetricSeries)
export class MetricSeriesResolver {
  @FieldResolver(() => [MetricPoint], { description: 'The series in step order, cut on the server to at most maxPoints: each bucket of steps keeps its lowest and highest value, so spikes survive.' })
  async points(@Root() series: MetricSeries, @Arg('maxPoints', () => Int, { defaultValue: 500 }) maxPoints: number, @Ctx() { services }: Context) {
    if (maxPoints < 2 || maxPoints > 10_000) throw badInput('maxPoints must be from 2 to 10,000', { field: 'maxPoints' });
    const points = await services.trainingMetrics.points(series.runId, series.name, maxPoints);
    return points.map((p) => ({ ...p, runId: series.runId, name: series.name }));
  }
}
