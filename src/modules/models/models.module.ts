import { ModelInventory1766360000000 } from '../../../migrations/1766360000000-model-inventory';
import { badInput, notFound } from '../../core/errors';
import { loadModelArtifact } from '../../engines/db/model-artifacts';
import { ModelCache } from '../../engines/serving/model-cache';
import { ViewerModelsResolver } from './viewer-models.resolver';
import { defineModule } from '../shared/module-definition';
import { Model } from './model.entity';
import { ModelLoaders } from './model.loaders';
import { ModelResolver } from './model.resolver';
import { ModelService } from './model.service';
import { ModelVersion } from './model-version.entity';
import { ModelVersionResolver } from './model-version.resolver';
import { ModelVersionService } from './model-version.service';

declare module '../shared/context' {
  interface ServiceMap {
    models: ModelService;
    modelVersions: ModelVersionService;
    /** Versions loaded for serving (the serving engine's cache, reading this module's versions). */
    modelCache: ModelCache<ModelVersion>;
  }
  interface LoaderMap {
    models: ModelLoaders;
  }
}

/** Model definitions, their trained versions (with weights in the artifact store) and their PRODUCTION controls. */
export const modelsModule = defineModule({
  name: 'models',
  entities: [Model, ModelVersion],
  migrations: [ModelInventory1766360000000],
  artifactReferences: [{ table: 'model_version', column: 'artifact_id' }],
  resolvers: [ModelResolver, ModelVersionResolver, ViewerModelsResolver],
  nodes: [
    { entity: Model, load: (loaders) => loaders.models.byId, modelOf: (model: Model) => model.id },
    { entity: ModelVersion, load: (loaders) => loaders.models.versionById, modelOf: (version: ModelVersion) => version.modelId },
  ],
  models: { entity: Model, byId: (loaders) => loaders.models.byId, byName: (loaders) => loaders.models.byName },
  loaders: ({ db, maxPageSize }) => ({ models: new ModelLoaders(db, maxPageSize) }),
  services: ({ db, config, artifacts }) => {
    const models = new ModelService(db, config);
    const modelVersions = new ModelVersionService(db);
    const modelCache = new ModelCache<ModelVersion>(async (versionId) => {
      const version = await modelVersions.find(versionId);
      if (!version) throw notFound('ModelVersion', versionId);
      if (!version.artifactId) throw badInput(`model version ${versionId} has no trained weights`, { modelVersionId: versionId });
      const model = await models.get(version.modelId);
      return { version, artifact: await loadModelArtifact(artifacts, version.artifactId), targetColumn: model.targetColumn };
    }, config.serving, config.training.backend);
    return { models, modelVersions, modelCache };
  },
});
