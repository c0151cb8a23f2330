import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { Dataset } from '../datasets/dataset.entity';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import type { Context } from '../shared/context';
import { connectionType } from '../shared/connection';
import { Roles } from '../shared/role';
import { Sweep } from '../sweeps/sweep.entity';
import { TrainingRun } from '../training/training-run.entity';
import { RetrainEvent, RetrainPolicy } from './retrain.entities';
import { RetrainEventsArgs, SetRetrainPolicyInput } from './retrain.inputs';

export const RetrainEventConnection = connectionType(RetrainEvent, 'RetrainEvent');

@Resolver(() => RetrainPolicy)
export class RetrainPolicyResolver {
  @Authorized(...Roles.READERS)
  @Query(() => RetrainPolicy, { nullable: true, description: 'A model\'s retrain policy; NOT_FOUND when it has none.' })
  retrainPolicy(@Arg('modelId', () => ID, { description: 'The model: its id or its name.' }) modelId: string, @Ctx() { services }: Context) {
    return services.retrain.policyOf(modelId);
  }

  @Authorized(...Roles.AUDITORS)
  @Mutation(() => RetrainPolicy, { description: 'Sets (or replaces) a model\'s retrain policy. Checked first: the cron and time zone, the sweep, the gate, and that something is live in promoteTo (CONFLICT otherwise). Who may set it: APPROVER and ADMIN, as it may put versions live on its own (through the same gate and approval as anyone).' })
  setRetrainPolicy(@Arg('input') input: SetRetrainPolicyInput, @Ctx() { services, caller }: Context) {
    return services.retrain.setPolicy(input, caller?.keyId ?? null);
  }

  @Authorized(...Roles.AUDITORS)
  @Mutation(() => RetrainPolicy, { description: 'Removes a model\'s retrain policy (its events stay); NOT_FOUND when it has none.' })
  deleteRetrainPolicy(@Arg('modelId', () => ID, { description: 'The model: its id or its name.' }) modelId: string, @Ctx() { services }: Context) {
    return services.retrain.deletePolicy(modelId);
  }

  @Authorized(...Roles.AUDITORS)
  @Mutation(() => RetrainEvent, { description: 'Fires a model\'s retrain policy now (trigger MANUAL), whatever its own trigger; returns the new event, TRAINING (or FAILED with the reason).' })
  fireRetrainPolicy(@Arg('modelId', () => ID, { description: 'The model: its id or its name.' }) modelId: string, @Ctx() { services }: Context) {
    return services.retrain.fireNow(modelId);
  }

  @FieldResolver(() => Model)
  model(@Root() policy: RetrainPolicy, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(policy.modelId);
  }

  @FieldResolver(() => Dataset, { description: 'The dataset challengers train on.' })
  dataset(@Root() policy: RetrainPolicy, @Ctx() { services }: Context) {
    return services.datasets.get(policy.datasetId);
  }
}

@Resolver(() => RetrainEvent)
export class RetrainEventResolver {
  @Authorized(...Roles.READERS)
  @Query(() => RetrainEventConnection, { description: 'Every firing of a model\'s retrain policies, newest first.' })
  async retrainEvents(@Args() { modelId, ...page }: RetrainEventsArgs, @Ctx() { services }: Context) {
    const model = await services.models.byRef(modelId, 'modelId');
    return RetrainEventConnection.from(await services.retrain.events(model.id, page));
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => RetrainEvent, {
    subscribe: async ({ args, context }) => {
      const { events, models } = (context as Context).services;
      const model = await models.byRef(args.modelId, 'modelId');
      return events.subscribe('RETRAIN_EVENT_UPDATED', model.id);
    },
    description: 'A model\'s retrain events as they happen: each firing when it starts (TRAINING), when it is evaluated, and when it is decided or fails. Open-ended, like trainingRunUpdated(modelId). NOT_FOUND for an unknown model.',
  })
  retrainEventUpdated(@Arg('modelId', () => ID, { description: 'The model: its id or its name.' }) _modelId: string, @Root() event: { eventId: string }, @Ctx() { services }: Context) {
    return services.retrain.event(event.eventId);
  }

  @FieldResolver(() => Model)
  model(@Root() event: RetrainEvent, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(event.modelId);
  }

  @FieldResolver(() => TrainingRun, { nullable: true, description: 'The challenger\'s run (or the sweep\'s best run).' })
  async run(@Root() event: RetrainEvent, @Ctx() { loaders, services }: Context) {
    if (event.runId) return loaders.training.byId.load(event.runId);
    const sweep = event.sweepId ? await services.sweeps.get(event.sweepId) : null;
    return sweep?.bestRunId ? loaders.training.byId.load(sweep.bestRunId) : null;
  }

  @FieldResolver(() => Sweep, { nullable: true, description: 'The sweep, when the policy runs one.' })
  sweep(@Root() event: RetrainEvent, @Ctx() { services }: Context) {
    return event.sweepId ? services.sweeps.get(event.sweepId) : null;
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: 'The dataset version the challenger trained on.' })
  datasetVersion(@Root() event: RetrainEvent, @Ctx() { loaders }: Context) {
    return event.datasetVersionId ? loaders.datasets.versionById.load(event.datasetVersionId) : null;
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  challenger(@Root() event: RetrainEvent, @Ctx() { loaders }: Context) {
    return event.challengerVersionId ? loaders.models.versionById.load(event.challengerVersionId) : null;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version live in promoteTo when the policy fired.' })
  champion(@Root() event: RetrainEvent, @Ctx() { loaders }: Context) {
    return event.championVersionId ? loaders.models.versionById.load(event.championVersionId) : null;
  }
}
