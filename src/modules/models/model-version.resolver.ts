import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true, description: 'One model version; NOT_FOUND when the id is unknown.' })
  modelVersion(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.modelVersions.get(id);
  }

  @FieldResolver(() => Model, { description: 'The model this is a version of.' })
  model(@Root() version: ModelVersion, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(version.modelId);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true, description: 'The dataset version it was trained on.' })
  datasetVersion(@Root() version: ModelVersion, @Ctx() { loaders }: Context) {
    return version.datasetVersionId ? loaders.datasets.versionById.load(version.datasetVersionId) : null;
  }
}
