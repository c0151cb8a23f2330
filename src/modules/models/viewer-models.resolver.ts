import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Viewer } from '../auth/auth.inputs';
import type { Context } from '../shared/context';
import { Model } from './model.entity';

/** The models a key may use, on the viewer (a field lives with the module that owns its data). */
@Resolver(() => Viewer)
export class ViewerModelsResolver {
  @FieldResolver(() => [Model], { nullable: true, description: 'The models this key may use, by name and id (a PARTNER key\'s scope, in name order); null for keys without a restriction (they may use every model: see models).' })
  async models(@Root() viewer: Viewer, @Ctx() { loaders }: Context): Promise<Model[] | null> {
    if (!viewer.modelScope) return null;
    const found = await loaders.models.byId.loadMany(viewer.modelScope);
    return found.filter((m): m is Model => m instanceof Model).sort((a, b) => a.name.localeCompare(b.name));
  }
}
