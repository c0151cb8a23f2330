import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { currentThenLive } from '../../engines/events/current-then-live';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { Model } from '../models/model.entity';
import type { Context } from '../shared/context';
import { PageArgs } from '../shared/page.args';
import { Roles } from '../shared/role';
import { TrainingRunConnection } from '../training/training-run.connection';
import { TrainingRun } from '../training/training-run.entity';
import { SweepConnection } from './sweep.connection';
import { EarlyStopping, ParameterDistribution, ParameterImportance, Sweep, SweepParameter, SweepTrial } from './sweep.entity';
import { StartSweepInput, SweepsArgs } from './sweep.inputs';
import { isSweepOver } from './sweep.service';

@Resolver(() => Sweep)
export class SweepResolver {
  @Authorized(...Roles.READERS)
  @Query(() => Sweep, { nullable: true, description: 'One sweep; NOT_FOUND when the id is unknown.' })
  sweep(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.sweeps.get(id);
  }

  @Authorized(...Roles.READERS)
  @Query(() => SweepConnection, { description: 'Sweeps, newest first.' })
  async sweeps(@Args() { filter, ...page }: SweepsArgs, @Ctx() { services }: Context) {
    const modelId = filter?.modelId ? (await services.models.byRef(filter.modelId, 'filter.modelId')).id : null;
    return SweepConnection.from(await services.sweeps.list({ ...filter, modelId }, page));
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Sweep, { description: 'Checks the search space and the first run\'s request, then queues the first `parallelism` runs; returns at once with status RUNNING. Follow it with sweepUpdated.' })
  startSweep(@Arg('input') input: StartSweepInput, @Ctx() { services, caller }: Context) {
    return services.sweeps.start(input, caller?.keyId ?? null);
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Sweep, { description: 'Ends a RUNNING sweep as CANCELLED and cancels its queued and running runs. CONFLICT when it has already ended.' })
  cancelSweep(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.sweeps.cancel(id);
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => Sweep, {
    subscribe: async ({ args, context }) => {
      const { events, sweeps } = (context as Context).services;
      await sweeps.get(args.sweepId); // NOT_FOUND for an unknown sweep, rather than silence
      return currentThenLive(events.subscribe('SWEEP_UPDATED', args.sweepId), async () => {
        const sweep = await sweeps.get(args.sweepId);
        return { sweepId: sweep.id, status: sweep.status };
      }, { isLast: (event) => isSweepOver(event.status) });
    },
    description: 'A sweep\'s current state first, then again whenever it changes (a run queued or ended, a new best value, the end), completing after it has ended. NOT_FOUND for an unknown sweep.',
  })
  sweepUpdated(@Arg('sweepId', () => ID) _sweepId: string, @Root() event: { sweepId: string }, @Ctx() { services }: Context) {
    // Read fresh per event: a subscription's context (and any loader) lives across events.
    return services.sweeps.get(event.sweepId);
  }

  @FieldResolver(() => Model)
  model(@Root() sweep: Sweep, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(sweep.modelId);
  }

  @FieldResolver(() => DatasetVersion, { description: 'The exact dataset version every run trains on.' })
  datasetVersion(@Root() sweep: Sweep, @Ctx() { loaders }: Context) {
    return loaders.datasets.versionById.load(sweep.datasetVersionId);
  }

  @FieldResolver(() => [SweepParameter], { description: 'The search space.' })
  parameters(@Root() sweep: Sweep): SweepParameter[] {
    return sweep.parameters.map((p) => p.kind === 'VALUES'
      ? { name: p.name, values: p.values, distribution: null, min: null, max: null }
      : { name: p.name, values: null, distribution: p.kind as ParameterDistribution, min: p.min, max: p.max });
  }

  @FieldResolver(() => EarlyStopping, { nullable: true })
  earlyStopping(@Root() sweep: Sweep): EarlyStopping | null {
    const rule = sweep.earlyStoppingRule;
    if (!rule) return null;
    return rule.type === 'MEDIAN'
      ? { type: rule.type as EarlyStopping['type'], warmupEpochs: rule.warmupEpochs, minRuns: rule.minRuns, bands: null, eta: null }
      : { type: rule.type as EarlyStopping['type'], warmupEpochs: null, minRuns: null, bands: rule.bands, eta: rule.eta };
  }

  @FieldResolver(() => TrainingRunConnection, { description: 'The sweep\'s runs, newest first.' })
  async runs(@Root() sweep: Sweep, @Args() page: PageArgs, @Ctx() { services }: Context) {
    return TrainingRunConnection.from(await services.training.list({ sweepId: sweep.id }, page));
  }

  @FieldResolver(() => TrainingRun, { nullable: true, description: 'The SUCCEEDED run with the best value so far.' })
  bestRun(@Root() sweep: Sweep, @Ctx() { loaders }: Context) {
    return sweep.bestRunId ? loaders.training.byId.load(sweep.bestRunId) : null;
  }

  @FieldResolver(() => [SweepTrial], { description: 'Every run with its parameters, value and status, in trial order: a parallel-coordinates chart\'s data.' })
  trials(@Root() sweep: Sweep, @Ctx() { services }: Context) {
    return services.sweeps.trials(sweep);
  }

  @FieldResolver(() => [ParameterImportance], { description: 'Each parameter\'s rank correlation with the metric over the SUCCEEDED runs.' })
  parameterImportance(@Root() sweep: Sweep, @Ctx() { services }: Context) {
    return services.sweeps.importance(sweep);
  }
}

/** A sweep's runs know their sweep. */
@Resolver(() => TrainingRun)
export class TrainingRunSweepResolver {
  @FieldResolver(() => Sweep, { nullable: true, description: 'The sweep that made this run, if one did.' })
  sweep(@Root() run: TrainingRun, @Ctx() { services }: Context) {
    return run.sweepId ? services.sweeps.get(run.sweepId) : null;
  }
}
