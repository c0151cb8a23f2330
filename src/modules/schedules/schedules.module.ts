import { Retrain1765400000000 } from '../../../migrations/1765400000000-retrain';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { defineModule } from '../shared/module-definition';
import { RetrainEvent, RetrainPolicy, type RetrainStatus } from './retrain.entities';
import { RetrainEventResolver, RetrainPolicyResolver } from './retrain.resolver';
import { RetrainService } from './retrain.service';

declare module '../shared/context' {
  interface ServiceMap {
    retrain: RetrainService;
  }
  interface LoaderMap {
    schedules: { policyById: ReturnType<typeof byIdLoader<RetrainPolicy>>; eventById: ReturnType<typeof byIdLoader<RetrainEvent>> };
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** A retrain event started, moved on or was decided; routed by model id. */
    RETRAIN_EVENT_UPDATED: [modelId: string, payload: { eventId: string; status: RetrainStatus }];
  }
}

/** Retrain policies: challengers trained on a schedule, on new data or on drift, compared fairly, promoted through the gate. */
export const schedulesModule = defineModule({
  name: 'schedules',
  entities: [RetrainPolicy, RetrainEvent],
  migrations: [Retrain1765400000000],
  resolvers: [RetrainPolicyResolver, RetrainEventResolver],
  nodes: [
    { entity: RetrainPolicy, load: (loaders) => loaders.schedules.policyById, modelOf: (policy: RetrainPolicy) => policy.modelId },
    { entity: RetrainEvent, load: (loaders) => loaders.schedules.eventById, modelOf: (event: RetrainEvent) => event.modelId },
  ],
  topics: ['RETRAIN_EVENT_UPDATED'],
  loaders: ({ db }) => ({ schedules: { policyById: byIdLoader(db, RetrainPolicy), eventById: byIdLoader(db, RetrainEvent) } }),
  services: ({ db, config, log, events, schedulerLease }, { models, datasets, training, sweeps, evaluations, deployments, challengerReports }) => ({
    retrain: new RetrainService({ db, config, log, events, schedulerLease, models, datasets, training, sweeps, evaluations, deployments, challengerReports }),
  }),
  start: async ({ retrain, training, sweeps, datasets, alertEngine }) => {
    // Each trigger where it happens once: a run's or sweep's end where it ends, a new version where
    // it was made, an alert where rules are evaluated, schedules on the scheduler lease's holder.
    training.onFinished((run) => retrain.onRunFinished(run));
    sweeps.onFinished((sweep) => retrain.onSweepFinished(sweep));
    datasets.onVersionCreated((version) => retrain.onDatasetVersion(version));
    alertEngine.onOpened((alert) => retrain.onAlert(alert));
    retrain.start();
  },
  stop: async ({ retrain }) => retrain.stop(),
});
