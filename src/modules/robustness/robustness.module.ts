import { Robustness1765700000000 } from '../../../migrations/1765700000000-robustness';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { defineModule } from '../shared/module-definition';
import { ModelVersionRobustnessResolver, RobustnessResolver } from './robustness.resolver';
import { RobustnessService } from './robustness.service';
import { RobustnessReport } from './robustness.types';

declare module '../shared/context' {
  interface ServiceMap {
    robustness: RobustnessService;
  }
  interface LoaderMap {
    robustness: { byId: ReturnType<typeof byIdLoader<RobustnessReport>> };
  }
}

/** Robustness reports (perturbed re-scoring, stored on the version) and what-if sensitivity along one feature. */
export const robustnessModule = defineModule({
  name: 'robustness',
  entities: [RobustnessReport],
  migrations: [Robustness1765700000000],
  resolvers: [RobustnessResolver, ModelVersionRobustnessResolver],
  nodes: [{ entity: RobustnessReport, load: (loaders) => loaders.robustness.byId }],
  loaders: ({ db }) => ({ robustness: { byId: byIdLoader(db, RobustnessReport) } }),
  services: ({ db }, { modelCache, models, modelVersions, datasets, datasetRows }) => ({
    robustness: new RobustnessService({ db, cache: modelCache, models, modelVersions, datasets, datasetRows }),
  }),
});
