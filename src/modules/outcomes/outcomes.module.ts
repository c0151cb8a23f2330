import { Outcomes1765600000000 } from '../../../migrations/1765600000000-outcomes';
import { defineModule } from '../shared/module-definition';
import { OutcomeResolver } from './outcome.resolver';
import { OutcomeService } from './outcome.service';
import { Outcome } from './outcome.types';

declare module '../shared/context' {
  interface ServiceMap {
    outcomes: OutcomeService;
  }
}

/** Realised outcomes of served predictions, and reports that set them against the predictions and the pre-outcome estimates. */
export const outcomesModule = defineModule({
  name: 'outcomes',
  entities: [Outcome],
  migrations: [Outcomes1765600000000],
  resolvers: [OutcomeResolver],
  services: ({ db }, { models, modelCache }) => ({ outcomes: new OutcomeService({ db, models, cache: modelCache }) }),
});
