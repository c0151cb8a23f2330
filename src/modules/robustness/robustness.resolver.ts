import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { MaxLength } from 'class-validator';
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
  @Query(() => [SensitivityPoint], { description: 'What-if sliders: the live version\'s answer for one row along one numeric feature, the others held, in one batched call (not logged). BAD_USER_INPUT for a category feature, steps outside 2–200, from not below to.' })
  async predictSensitivity(@Arg('input') input: PredictSensitivityInput, @Ctx() context: Context) {
    await assertModelScope(context, input.model);
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

