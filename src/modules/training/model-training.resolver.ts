import { Args, Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import type { Context } from '../shared/context';
import { PageArgs } from '../shared/page.args';
import { Roles } from '../shared/role';
import { TrainingRunConnection } from './training-run.connection';
import { TrainingRun } from './training-run.entity';

/** Training fields on the models module's types: a field lives with the module that owns its data. */
@Resolver(() => Model)
export class ModelTrainingRunsResolver {
  @Authorized(...Roles.READERS)
  @FieldResolver(() => TrainingRunConnection, { description: 'Training runs of this model, newest first.' })
  async trainingRuns(@Root() model: Model, @Args() page: PageArgs, @Ctx() { loaders }: Context) {
    return TrainingRunConnection.from(await loaders.training.byModel(page).load(model.id));
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionTrainingRunResolver {
  @Authorized(...Roles.READERS)
  @FieldResolver(() => TrainingRun, { nullable: true, description: 'The run that trained it.' })
  trainingRun(@Root() version: ModelVersion, @Ctx() { loaders }: Context) {
    return version.trainingRunId ? loaders.training.byId.load(version.trainingRunId) : null;
  }
}
