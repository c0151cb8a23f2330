import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ModelVersion } from '../models/model-version.entity';
import type { Context } from '../shared/context';
import { Evaluation } from './evaluation.entity';

/** `ModelVersion.evaluation`, resolved here because evaluations own the data. */
@Resolver(() => ModelVersion)
export class ModelVersionEvaluationResolver {
  @FieldResolver(() => Evaluation, { nullable: true, description: 'Its evaluation on the held-out test rows of its training run.' })
  evaluation(@Root() version: ModelVersion, @Ctx() { loaders }: Context) {
    return loaders.evaluations.testByModelVersion.load(version.id);
  }
}
