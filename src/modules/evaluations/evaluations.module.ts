import { ImportanceStatus1766375000000 } from '../../../migrations/1766375000000-importance-status';
import { defineModule } from '../shared/module-definition';
import { Evaluation } from './evaluation.entity';
import { EvaluationLoaders } from './evaluation.loaders';
import { EvaluationResolver } from './evaluation.resolver';
import { EvaluationService } from './evaluation.service';
import { ModelVersionEvaluationResolver } from './model-version-evaluation.resolver';

declare module '../shared/context' {
  interface ServiceMap {
    evaluations: EvaluationService;
  }
  interface LoaderMap {
    evaluations: EvaluationLoaders;
  }
}

/** Evaluations of model versions: on the test split after training, or on demand on any dataset version. Its table came with the training migration (native importance: the algorithms migration, listed by the training module). */
export const evaluationsModule = defineModule({
  name: 'evaluations',
  entities: [Evaluation],
  migrations: [ImportanceStatus1766375000000],
  resolvers: [EvaluationResolver, ModelVersionEvaluationResolver],
  nodes: [{ entity: Evaluation, load: (loaders) => loaders.evaluations.byId }],
  loaders: ({ db }) => ({ evaluations: new EvaluationLoaders(db) }),
  services: ({ db, config, artifacts, trainer }, { datasets, datasetRows, models, modelVersions }) => ({
    evaluations: new EvaluationService({ db, config, artifacts, datasets, datasetRows, models, modelVersions, trainer }),
  }),
});
