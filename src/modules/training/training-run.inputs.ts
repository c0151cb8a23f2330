import { IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { HyperparametersInput } from '../models/hyperparameters';
import { FeatureSelectionInput } from '../models/feature-selection.types';
import { SplitStrategy, TrainingStatus } from './training-run.entity';

@InputType({ description: 'How to divide the rows. Encoders are fitted on the training part only.' })
export class SplitInput {
  @Field(() => Float, { defaultValue: 0.15, description: 'Fraction for validation (0 to 0.5), reported as val_* metrics each epoch.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(0.5)
  validation!: number;

  @Field(() => Float, { defaultValue: 0.2, description: 'Fraction held out for the final evaluation (0.01 to 0.5); it must leave at least 10 rows.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.01) @Max(0.5)
  test!: number;

  @Field(() => SplitStrategy, { nullable: true, description: 'RANDOM (default; stratified for classification) or TIME_ORDERED (default and only choice for forecasts).' })
  strategy?: SplitStrategy | null;
}

@InputType({ description: 'Trains a model on a dataset version. Everything is checked before the run is queued.' })
export class StartTrainingRunInput {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;
  @Field(() => ID, { description: 'The dataset: its id or its name.' }) datasetId!: string;

  @Field(() => Int, { nullable: true, description: 'Dataset version; the latest when omitted. The run records the exact version.' })
  @IsOptional() @IsInt() @Min(1)
  datasetVersion?: number | null;

  @Field(() => HyperparametersInput, { nullable: true, description: 'Overrides of the model\'s default hyper-parameters for this run.' })
  @IsOptional() @ValidateNested()
  hyperparameters?: HyperparametersInput | null;

  @Field(() => SplitInput, { nullable: true })
  @IsOptional() @ValidateNested()
  split?: SplitInput | null;

  @Field(() => Int, { nullable: true, description: 'Seed of the split and initial weights; random when omitted (and then recorded).' })
  @IsOptional() @IsInt() @Min(0) @Max(2 ** 31 - 1)
  seed?: number | null;

  @Field(() => Int, { defaultValue: 0, description: 'Queue priority, -100 to 100; higher first, FIFO within a priority.' })
  @IsInt() @Min(-100) @Max(100)
  priority!: number;

  @Field({ defaultValue: false, description: 'Also stream the loss after every batch (name `batch_loss`), not only per epoch.' })
  batchMetrics!: boolean;

  @Field(() => FeatureSelectionInput, { nullable: true, description: 'Train on the best features only, chosen on the training split (not for forecasts).' })
  @IsOptional() @ValidateNested()
  featureSelection?: FeatureSelectionInput | null;
}

@InputType({ description: 'Narrows the training runs list.' })
export class TrainingRunFilter {
  @Field(() => ID, { nullable: true, description: 'The model: its id or its name.' }) modelId?: string | null;
  @Field(() => TrainingStatus, { nullable: true }) status?: TrainingStatus | null;
  @Field(() => ID, { nullable: true, description: 'Only the runs of this sweep.' }) sweepId?: string | null;
}

@ArgsType()
export class TrainingRunsArgs extends PageArgs {
  @Field(() => TrainingRunFilter, { nullable: true })
  filter?: TrainingRunFilter | null;
}
