import { Validations1766370000000 } from '../../../migrations/1766370000000-validations';
import { defineModule } from '../shared/module-definition';
import { inventoryExportRoute } from './inventory-export.route';
import { Validation, ValidationFinding } from './validation.entity';
import { ValidationLoaders } from './validation.loaders';
import { ModelValidationResolver, ModelVersionValidationsResolver, ValidationFindingResolver, ValidationResolver } from './validation.resolver';
import { ValidationService } from './validation.service';

declare module '../shared/context' {
  interface ServiceMap {
    validations: ValidationService;
  }
  interface LoaderMap {
    validations: ValidationLoaders;
  }
}

/**
 * Independent model validation (SR 11-7): validations of versions with findings and attested
 * conclusions, each model's standing, and the PRODUCTION condition for HIGH-tier models (a
 * check the deployments module runs with its promotion gate, and on a change of tier).
 */
export const validationsModule = defineModule({
  name: 'validations',
  entities: [Validation, ValidationFinding],
  migrations: [Validations1766370000000],
  httpRoutes: [inventoryExportRoute],
  resolvers: [ValidationResolver, ValidationFindingResolver, ModelVersionValidationsResolver, ModelValidationResolver],
  nodes: [
    { entity: Validation, load: (loaders) => loaders.validations.byId, modelOf: (validation: Validation) => validation.modelId },
    { entity: ValidationFinding, load: (loaders) => loaders.validations.findingById, modelOf: (finding: ValidationFinding) => finding.modelId },
  ],
  loaders: ({ db }) => ({ validations: new ValidationLoaders(db) }),
  services: ({ db, config }, { models, modelVersions, training, deployments, apiKeys }) => {
    const validations = new ValidationService({ db, config, models, modelVersions, training, deployments, principals: apiKeys });
    deployments.addProductionCheck((model, version) => validations.productionRefusal(model, version));
    models.addTierChangeCheck((model, tier) => validations.tierChangeRefusal(model, tier));
    return { validations };
  },
});
