import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../shared/role';
import { ModelScoped } from '../auth/model-scope';
import type { Context } from '../shared/context';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { Model } from './model.entity';
import { ModelVersion } from './model-version.entity';
import { InputSignature } from './model-signature.type';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Authorized(...Roles.READERS_AND_PARTNERS)
  @ModelScoped((args) => args.id)
  @Query(() => ModelVersion, { nullable: true, description: 'One model version; NOT_FOUND when the id is unknown.' })
  modelVersion(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.modelVersions.get(id);
  }

  @FieldResolver(() => InputSignature, { nullable: true, description: 'The inputs predict accepts for this version; null when the version has no trained weights.' })
  async signature(@Root() version: ModelVersion, @Ctx() { services }: Context) {
    if (version.signature) return version.signature;
    // Versions stored before signatures were recorded: read it off the loaded model.
    return version.artifactId ? (await services.modelCache.load(version.id)).signature : null;
  }

  @FieldResolver(() => Model, { description: 'The model this is a version of.' })
  model(@Root() version: ModelVersion, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(version.modelId);
  }

  // Training data stays with internal readers: a partner sees the model, never its rows.
  @Authorized(...Roles.READERS)
  @FieldResolver(() => DatasetVersion, { nullable: true, description: 'The dataset version it was trained on.' })
  datasetVersion(@Root() version: ModelVersion, @Ctx() { loaders }: Context) {
    return version.datasetVersionId ? loaders.datasets.versionById.load(version.datasetVersionId) : null;
  }
}
