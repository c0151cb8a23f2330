import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Model } from '../models/model.entity';
import type { Context } from '../shared/context';
import { ModelServingHealth } from './health.types';

@Resolver(() => ModelServingHealth)
export class ServingHealthModelResolver {
  @FieldResolver(() => Model, { nullable: true, description: 'The model, with its name (null if it was deleted since).' })
  model(@Root() health: ModelServingHealth, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(health.modelId);
  }
}
