import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { MaxLength } from 'class-validator';
import { notFound } from '../../core/errors';
import { assertModelScope } from '../auth/model-scope';
import { Environment } from '../deployments/environment';
import { ModelVersion } from '../models/model-version.entity';
import { RowPrediction } from '../predictions/prediction.types';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { RobustnessReport, RobustnessReportInput } from './robustness.types';

@InputType({ description: 'One row and one numeric feature to slide.' })
class PredictSensitivityInput {
  @Field({ description: 'The model\'s name or id.' }) @MaxLength(200) model!: string;
  @Field(() => Environment, { defaultValue: Environment.PRODUCTION }) environment!: Environment;
  @Field(() => ID, { nullable: true, description: 'A version of the model to ask instead of the environment\'s live one (the what-if of a version that is not deployed); environment is then unused.' })
  @MaxLength(200) modelVersionId?: string | null;
  @Field(() => GraphQLJSONObject, { description: 'The row, as predict takes it.' }) row!: Record<string, unknown>;
  @Field() @MaxLength(200) feature!: string;
  @Field(() => Float) from!: number;
  @Field(() => Float) to!: number;
  @Field(() => Int, { defaultValue: 21, description: '2 to 200 values, evenly from `from` to `to`.' }) steps!: number;
}

@ObjectType()
class SensitivityPoint {
  @Field(() => Float, { description: 'The feature\'s value.' }) value!: number;
  @Field(() => RowPrediction) prediction!: RowPrediction;
}

@Resolver(() => RobustnessReport)
export class RobustnessResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => RobustnessReport, { description: 'Scores a dataset version\'s rows (the first 5,000) with a model version as they are and under each scenario (noise, missing values, category flips, named stress changes), and each feature alone perturbed, worst first; keeps the report on the version. BAD_USER_INPUT for a negative scale, a rate above 1, an unknown feature.' })
  createRobustnessReport(@Arg('input') input: RobustnessReportInput, @Ctx() { services, caller }: Context) {
    return services.robustness.create(input, caller?.keyId ?? null);
  }

  @Authorized(...Roles.READERS_AND_PARTNERS)
  @Query(() => [SensitivityPoint], { description: 'What-if sliders: the live version\'s answer (or modelVersionId\'s) for one row along one numeric feature, the others held, in one batched call (not logged). BAD_USER_INPUT for a category feature, steps outside 2–200, from not below to; NOT_FOUND for a modelVersionId that is not a version of the model.' })
  async predictSensitivity(@Arg('input') input: PredictSensitivityInput, @Ctx() context: Context) {
    await assertModelScope(context, input.model);
    if (input.modelVersionId) {
      const [model, version] = await Promise.all([context.services.models.byRef(input.model, 'input.model'), context.loaders.models.versionById.load(input.modelVersionId)]);
      if (version?.modelId !== model.id) throw notFound('ModelVersion', input.modelVersionId, `${JSON.stringify(input.modelVersionId.slice(0, 80))} is not a version of model ${JSON.stringify(model.name)}`);
    }
    return context.services.predictions.sensitivity(input, context.caller?.role ?? null);
  }

  @FieldResolver(() => ModelVersion)
  modelVersion(@Root() report: RobustnessReport, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(report.modelVersionId);
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionRobustnessResolver {
  @Authorized(...Roles.READERS)
  @FieldResolver(() => [RobustnessReport], { description: 'Its robustness reports, newest first (the last 20).' })
  robustnessReports(@Root() version: ModelVersion, @Ctx() { services }: Context) {
    return services.robustness.forVersion(version.id);
  }
}

