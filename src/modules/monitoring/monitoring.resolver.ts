import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../shared/context';
import { badInput } from '../../core/errors';
import { connectionType } from '../shared/connection';
import type { HealthSnapshotData } from '../../engines/telemetry/health-snapshot';
import { filter } from '@graphql-yoga/subscription';
import { assertModelScope } from '../auth/model-scope';
import { Roles } from '../shared/role';
import { Model } from '../models/model.entity';
import { TrainingRun } from '../training/training-run.entity';
import { AlertSeverity, SEVERITY_RANK } from './alert-enums';
import { Alert } from './alert.entity';
import { AlertRule } from './alert-rule.entity';
import { AlertsArgs, CreateAlertRuleInput, UpdateAlertRuleInput } from './alert-rule.inputs';
import { HealthSnapshot } from './health.types';

export const AlertConnection = connectionType(Alert, 'Alert');

@Resolver(() => HealthSnapshot)
export class HealthResolver {
  @Authorized(...Roles.READERS)
  @Query(() => HealthSnapshot, { description: 'The latest health snapshot of the instance that answers (taken every HEALTH_INTERVAL_SECONDS).' })
  health(@Ctx() { services }: Context) {
    return services.health.latest();
  }

  @Authorized(...Roles.READERS)
  @Query(() => [HealthSnapshot], { description: 'Stored snapshots (one per HEALTH_PERSIST_SECONDS, kept HEALTH_RETENTION_DAYS) between from and to, averaged per resolutionSeconds bucket: rates and percentiles are the bucket means, trainingsFailed its maximum, predictions the last snapshot\'s. At most 2,000 points.' })
  healthHistory(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('resolutionSeconds', () => Int, { defaultValue: 60 }) resolutionSeconds: number,
    @Ctx() { services }: Context,
  ) {
    return services.health.history(from, to, resolutionSeconds);
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => HealthSnapshot, {
    subscribe: ({ args, context }) => {
      const every = (args.intervalSeconds ?? 0) * 1000;
      if (every < 0) throw badInput('intervalSeconds must not be negative', { field: 'intervalSeconds' });
      return everyAtLeast((context as Context).services.events.subscribe('HEALTH_SNAPSHOT', 'all'), every);
    },
    description: 'Health snapshots as they are taken; with intervalSeconds, at most one per that many seconds.',
  })
  healthSnapshots(@Arg('intervalSeconds', () => Int, { nullable: true }) _intervalSeconds: number | null, @Root() snapshot: HealthSnapshotData): HealthSnapshotData {
    return snapshot;
  }
}

/**
 * The events of `source` that pass `keep`. A Repeater-based filter, not an async generator: a
 * client that leaves must release the bus listener at once, not when the next matching event
 * (perhaps never) arrives.
 */
function only<T>(source: AsyncIterable<T>, keep: (event: T) => boolean): AsyncIterable<T> {
  return filter(keep)(source);
}

/** Passes a snapshot on only when at least `ms` passed since the last one passed. */
function everyAtLeast(source: AsyncIterable<HealthSnapshotData>, ms: number): AsyncIterable<HealthSnapshotData> {
  let last = -Infinity;
  return only(source, (snapshot) => {
    if (snapshot.at.getTime() - last < ms) return false;
    last = snapshot.at.getTime();
    return true;
  });
}

@Resolver(() => AlertRule)
export class AlertRuleResolver {
  @Authorized(...Roles.READERS)
  @Query(() => [AlertRule], { description: 'Every alert rule, built-in ones first.' })
  alertRules(@Ctx() { services }: Context) {
    return services.alerts.rules();
  }

  @Authorized(...Roles.ADMINS)
  @Mutation(() => AlertRule, { description: 'Adds a rule. NOT_FOUND for an unknown modelId; BAD_USER_INPUT for a modelId on a process-wide metric or a non-finite threshold.' })
  createAlertRule(@Arg('input') input: CreateAlertRuleInput, @Ctx() { services }: Context) {
    return services.alerts.createRule(input);
  }

  @Authorized(...Roles.ADMINS)
  @Mutation(() => AlertRule, { description: 'Changes a rule (built-in ones too). Its open alerts resolve and it is evaluated afresh.' })
  updateAlertRule(@Arg('input') input: UpdateAlertRuleInput, @Ctx() { services }: Context) {
    return services.alerts.updateRule(input);
  }

  @Authorized(...Roles.ADMINS)
  @Mutation(() => AlertRule, { description: 'Deletes a rule and resolves its open alerts. CONFLICT for a built-in rule (switch it off instead).' })
  deleteAlertRule(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.alerts.deleteRule(id);
  }

  @FieldResolver(() => Model, { nullable: true, description: 'The one model a per-model rule watches; null: every model.' })
  model(@Root() rule: AlertRule, @Ctx() { loaders }: Context) {
    return rule.modelId ? loaders.models.byId.load(rule.modelId) : null;
  }
}

@Resolver(() => Alert)
export class AlertResolver {
  @Authorized(...Roles.READERS_AND_PARTNERS)
  @Query(() => AlertConnection, { description: 'Alerts, newest first. A PARTNER key sees the alerts of its models only.' })
  async alerts(@Args() { filter, ...page }: AlertsArgs, @Ctx() { services, caller, nodes }: Context) {
    // A name or id; an unknown one matches nothing (an error would tell a partner which names exist).
    const modelId = filter?.modelId ? (await nodes.modelId(filter.modelId)) ?? 'none' : null;
    return AlertConnection.from(await services.alerts.list({ ...filter, modelId }, page, caller?.modelScope ?? null));
  }

  @Authorized(...Roles.DEPLOYERS)
  @Mutation(() => Alert, { description: 'Marks an OPEN alert as taken by this key. NOT_FOUND for an unknown id; CONFLICT when it is already acknowledged or resolved.' })
  acknowledgeAlert(@Arg('id', () => ID) id: string, @Ctx() { services, caller }: Context) {
    return services.alerts.acknowledge(id, caller);
  }

  @Authorized(...Roles.READERS_AND_PARTNERS)
  @Subscription(() => Alert, {
    subscribe: async ({ args, context }) => {
      if (args.modelId) {
        await assertModelScope(context as Context, args.modelId);
        await (context as Context).services.models.byRef(args.modelId, 'modelId'); // NOT_FOUND for an unknown model
      }
      const scope = (context as Context).caller?.modelScope;
      return only((context as Context).services.events.subscribe('HEALTH_ALERTS', 'all'), (event) => {
        if (scope && (!event.modelId || !scope.includes(event.modelId))) return false;
        if (args.modelId && event.modelId !== args.modelId) return false;
        return !args.minSeverity || SEVERITY_RANK[event.severity as AlertSeverity] >= SEVERITY_RANK[args.minSeverity as AlertSeverity];
      });
    },
    description: 'Alerts as they open, are acknowledged and resolve. A PARTNER key receives the alerts of its models only.',
  })
  healthAlerts(
    @Arg('minSeverity', () => AlertSeverity, { nullable: true }) _minSeverity: AlertSeverity | null,
    @Arg('modelId', () => ID, { nullable: true, description: 'The model: its id or its name.' }) _modelId: string | null,
    @Root() event: { alertId: string },
    @Ctx() { services }: Context,
  ) {
    return services.alerts.get(event.alertId);
  }

  @FieldResolver(() => Model, { nullable: true, description: 'The model it concerns, if any.' })
  model(@Root() alert: Alert, @Ctx() { loaders }: Context) {
    return alert.modelId ? loaders.models.byId.load(alert.modelId) : null;
  }

  @Authorized(...Roles.READERS)
  @FieldResolver(() => TrainingRun, { nullable: true, description: 'The training run it concerns (TRAINING_FAILED).' })
  run(@Root() alert: Alert, @Ctx() { loaders }: Context) {
    return alert.runId ? loaders.training.byId.load(alert.runId) : null;
  }

  @Authorized(...Roles.READERS)
  @FieldResolver(() => AlertRule, { nullable: true, description: 'The rule that fired (null once deleted).' })
  rule(@Root() alert: Alert, @Ctx() { loaders }: Context) {
    return loaders.monitoring.ruleById.load(alert.ruleId);
  }
}
