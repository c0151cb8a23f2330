import { Sweeps1765200000000 } from '../../../migrations/1765200000000-sweeps';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { defineModule } from '../shared/module-definition';
import { Sweep, type SweepStatus } from './sweep.entity';
import { SweepResolver, TrainingRunSweepResolver } from './sweep.resolver';
import { SweepService } from './sweep.service';

declare module '../shared/context' {
  interface ServiceMap {
    sweeps: SweepService;
  }
  interface LoaderMap {
    sweeps: { byId: ReturnType<typeof byIdLoader<Sweep>> };
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** A sweep changed: a run queued or ended, a new best, its end; routed by sweep id. */
    SWEEP_UPDATED: [sweepId: string, payload: { sweepId: string; status: SweepStatus }];
  }
}

/** Hyper-parameter sweeps: GRID, RANDOM and BAYESIAN trials as ordinary training runs, with early stopping. */
export const sweepsModule = defineModule({
  name: 'sweeps',
  entities: [Sweep],
  // It also adds training_run.sweep_id and sweep_trial.
  migrations: [Sweeps1765200000000],
  resolvers: [SweepResolver, TrainingRunSweepResolver],
  nodes: [{ entity: Sweep, load: (loaders) => loaders.sweeps.byId, modelOf: (sweep: Sweep) => sweep.modelId }],
  topics: ['SWEEP_UPDATED'],
  loaders: ({ db }) => ({ sweeps: { byId: byIdLoader(db, Sweep) } }),
  services: ({ db, config, log, events, workers }, { training, models, datasets }) => ({
    sweeps: new SweepService({ db, config, log, events, workers, training, models, datasets }),
  }),
  start: async ({ sweeps, training }) => {
    // Where a sweep's run trains, its epochs are checked; where it ends, its sweep advances.
    training.onEpoch((run, epoch) => sweeps.checkEpoch(run, epoch));
    training.onFinished(async (run) => { if (run.sweepId) await sweeps.advance(run.sweepId); });
    await sweeps.recover();
  },
});
