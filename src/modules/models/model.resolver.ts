import { Arg, Authorized, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../shared/role';
import { ModelScoped } from '../auth/model-scope';
import type { Context } from '../shared/context';
import { PageArgs } from '../shared/page.args';
import { ModelConnection, ModelVersionConnection } from './model.connection';
import { ModelsArgs } from './model.args';
import { Model } from './model.entity';
import { CreateModelInput, SetModelControlsInput, UpdateModelInput } from './model.inputs';
import { ModelVersion } from './model-version.entity';

@Resolver(() => Model)
export class ModelResolver {
  @Authorized(...Roles.READERS)
  @Query(() => ModelConnection, { description: 'Models, newest first unless orderBy says otherwise.' })
  async models(@Args() { filter, orderBy, ...page }: ModelsArgs, @Ctx() { services }: Context) {
    return ModelConnection.from(await services.models.list(filter, orderBy, page));
  }

  @Authorized(...Roles.READERS_AND_PARTNERS)
  @ModelScoped((args) => args.id ?? args.name)
  @Query(() => Model, { nullable: true, description: 'One model, by id or by name (give exactly one); NOT_FOUND when there is none.' })
  model(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() { services }: Context,
  ) {
    return services.models.find({ id, name });
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Model, { description: 'Defines a model. The architecture must suit the task (e.g. LOGISTIC_REGRESSION only for BINARY_CLASSIFICATION) and the target must not be a feature.' })
  createModel(@Arg('input') input: CreateModelInput, @Ctx() { services, caller }: Context) {
    return services.models.create(input, caller?.principal ?? null);
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Model, { description: 'Renames a model or changes its description, default hyper-parameters or inventory facts (owner, intended use, known limitations, business line, regulations).' })
  updateModel(@Arg('input') input: UpdateModelInput, @Ctx() { services }: Context) {
    return services.models.update(input);
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Model, { description: 'Archives a model: hidden from lists by default, no new training; versions stay readable. Archiving twice is harmless.' })
  archiveModel(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.models.archive(id);
  }

  @Authorized(...Roles.AUDITORS)
  @Mutation(() => Model, { description: 'Sets whether PRODUCTION deploys of a model need approval, its promotion gate and its risk tier. Only APPROVER and ADMIN keys: those who build a model must not relax its controls.' })
  setModelControls(@Arg('input') input: SetModelControlsInput, @Ctx() { services }: Context) {
    return services.models.setControls(input);
  }

  @FieldResolver(() => Boolean, { description: 'True once archived.' })
  archived(@Root() model: Model) {
    return model.archivedAt != null;
  }

  @FieldResolver(() => ModelVersionConnection, { description: 'Trained versions, newest first.' })
  async versions(@Root() model: Model, @Args() page: PageArgs, @Ctx() { loaders }: Context) {
    return ModelVersionConnection.from(await loaders.models.versions(page).load(model.id));
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The newest version, or null before the first training succeeds.' })
  async latestVersion(@Root() model: Model, @Ctx() { loaders }: Context) {
    return (await loaders.models.versions({ first: 1 }).load(model.id)).items[0] ?? null;
  }
}
