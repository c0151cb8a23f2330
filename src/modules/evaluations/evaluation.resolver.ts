import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { IsInt, IsOptional, Min } from 'class-validator';
import type { Context } from '../shared/context';
import { connectionType } from '../shared/connection';
import { PageArgs } from '../shared/page.args';
import { Roles } from '../shared/role';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { ModelVersion } from '../models/model-version.entity';
import { Evaluation } from './evaluation.entity';

const EvaluationConnection = connectionType(Evaluation, 'Evaluation');

@InputType({ description: 'Scores a trained version on a dataset version that has its feature and target columns, with the same types.' })
class EvaluateModelVersionInput {
  @Field(() => ID) modelVersionId!: string;
  @Field(() => ID, { description: 'The dataset: its id or its name.' }) datasetId!: string;
  @Field(() => Int, { nullable: true, description: 'The latest when omitted.' })
  @IsOptional() @IsInt() @Min(1)
  datasetVersion?: number | null;
}

@InputType({ description: 'Narrows the evaluations list.' })
class EvaluationFilter {
  @Field(() => ID, { nullable: true }) modelVersionId?: string | null;
  @Field(() => ID, { nullable: true }) datasetVersionId?: string | null;
}

@ArgsType()
class EvaluationsArgs extends PageArgs {
  @Field(() => EvaluationFilter, { nullable: true }) filter?: EvaluationFilter | null;
}

@Resolver(() => Evaluation)
export class EvaluationResolver {
  @Authorized(...Roles.READERS)
  @Query(() => EvaluationConnection, { description: 'Evaluations, newest first.' })
  async evaluations(@Args() { filter, ...page }: EvaluationsArgs, @Ctx() { services }: Context) {
    return EvaluationConnection.from(await services.evaluations.list(filter, page));
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Evaluation, { description: 'Evaluates a model version on every row of a dataset version (split FULL), in a child process, with the encoders saved at training. Waits for the result.' })
  evaluateModelVersion(@Arg('input') input: EvaluateModelVersionInput, @Ctx() { services }: Context) {
    return services.evaluations.evaluate(input);
  }

  @FieldResolver(() => ModelVersion)
  modelVersion(@Root() evaluation: Evaluation, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(evaluation.modelVersionId);
  }

  @Authorized(...Roles.READERS)
  @FieldResolver(() => DatasetVersion)
  datasetVersion(@Root() evaluation: Evaluation, @Ctx() { loaders }: Context) {
    return loaders.datasets.versionById.load(evaluation.datasetVersionId);
  }
}
