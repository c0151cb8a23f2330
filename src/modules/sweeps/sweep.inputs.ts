import { ArrayMaxSize, IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { HyperparametersInput } from '../models/hyperparameters';
import { SplitInput } from '../training/training-run.inputs';
import { PageArgs } from '../shared/page.args';
import { EarlyStoppingType, ParameterDistribution, SweepGoal, SweepMethod, SweepStatus } from './sweep.entity';

@InputType({ description: 'A hyper-parameter to search: `values` (GRID; or a choice for RANDOM and BAYESIAN), or a `distribution` with `min` and `max`.' })
export class SweepParameterInput {
  @Field({ description: 'A field of Hyperparameters the model\'s architecture reads: epochs, batchSize, learningRate, hiddenUnits, activation, dropout, l2, windowSize, horizon, classWeighting, patience, maxDepth, minSamplesLeaf, criterion, trees, maxFeatures, rounds, subsample, smoothing, forecastTarget, kernel, cost, gamma or degree.' })
  name!: string;

  @Field(() => [GraphQLJSON], { nullable: true, description: 'Up to 100 values, each valid for the parameter (hiddenUnits: lists such as [64, 32]).' })
  @IsOptional() @ArrayMaxSize(100)
  values?: unknown[] | null;

  @Field(() => ParameterDistribution, { nullable: true })
  distribution?: ParameterDistribution | null;

  @Field(() => Float, { nullable: true })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number | null;
}

@InputType({ description: 'Stops runs that cannot win, checked at every epoch; they end STOPPED_EARLY.' })
export class EarlyStoppingInput {
  @Field(() => EarlyStoppingType) type!: EarlyStoppingType;

  @Field(() => Int, { defaultValue: 2, description: 'MEDIAN: epochs before a run may be stopped (0 to 1,000).' })
  @IsInt() @Min(0) @Max(1000)
  warmupEpochs!: number;

  @Field(() => Int, { defaultValue: 2, description: 'MEDIAN: other runs that must have reached the epoch (1 to 100).' })
  @IsInt() @Min(1) @Max(100)
  minRuns!: number;

  @Field(() => Int, { nullable: true, description: 'HYPERBAND: the first band (bands at minIter·eta^k, k < s). Give this or maxIter.' })
  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  minIter?: number | null;

  @Field(() => Int, { nullable: true, description: 'HYPERBAND: the last band is maxIter/eta (bands at maxIter/eta^k, k = s…1).' })
  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  maxIter?: number | null;

  @Field(() => Int, { defaultValue: 2, description: 'HYPERBAND: the number of bands (1 to 10).' })
  @IsInt() @Min(1) @Max(10)
  s!: number;

  @Field(() => Int, { defaultValue: 3, description: 'HYPERBAND: runs in the best 1/eta at a band go on (2 to 10).' })
  @IsInt() @Min(2) @Max(10)
  eta!: number;
}

@InputType({ description: 'A hyper-parameter sweep over one model and one dataset version. Everything is checked before the first run is queued.' })
export class StartSweepInput {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;
  @Field(() => ID, { description: 'The dataset: its id or its name.' }) datasetId!: string;

  @Field(() => Int, { nullable: true, description: 'Dataset version; the latest when omitted. Every run trains on this exact version.' })
  @IsOptional() @IsInt() @Min(1)
  datasetVersion?: number | null;

  @Field(() => SweepMethod) method!: SweepMethod;

  @Field(() => [SweepParameterInput], { description: '1 to 10 parameters, each named once.' })
  @ArrayMaxSize(10) @ValidateNested({ each: true })
  parameters!: SweepParameterInput[];

  @Field({ defaultValue: 'val_loss', description: 'The per-epoch metric to optimise: loss or val_loss; accuracy or val_accuracy (classification); mae or val_mae (regression, forecasts).' })
  metric!: string;

  @Field(() => SweepGoal, { defaultValue: SweepGoal.MINIMIZE }) goal!: SweepGoal;

  @Field(() => Int, { description: '1 to 500 runs; GRID makes at most its grid\'s size.' })
  maxRuns!: number;

  @Field(() => Int, { defaultValue: 1, description: 'Runs queued or training at once: 1 to the cluster\'s training capacity (TRAINING_CONCURRENCY, summed over live workers).' })
  parallelism!: number;

  @Field(() => EarlyStoppingInput, { nullable: true })
  @IsOptional() @ValidateNested()
  earlyStopping?: EarlyStoppingInput | null;

  @Field(() => Int, { nullable: true, description: 'Seed of the draws (and of each run, seed + trial); random when omitted, then recorded.' })
  @IsOptional() @IsInt() @Min(0) @Max(2 ** 31 - 1)
  seed?: number | null;

  @Field(() => HyperparametersInput, { nullable: true, description: 'Hyper-parameters every run gets besides the searched ones (they may not also be searched).' })
  @IsOptional() @ValidateNested()
  hyperparameters?: HyperparametersInput | null;

  @Field(() => SplitInput, { nullable: true, description: 'How every run divides the rows (the training default when omitted).' })
  @IsOptional() @ValidateNested()
  split?: SplitInput | null;

  @Field(() => Int, { defaultValue: 0, description: 'Queue priority of the sweep\'s runs, -100 to 100.' })
  @IsInt() @Min(-100) @Max(100)
  priority!: number;
}

@InputType({ description: 'Narrows the sweeps list.' })
export class SweepFilter {
  @Field(() => ID, { nullable: true, description: 'The model: its id or its name.' }) modelId?: string | null;
  @Field(() => SweepStatus, { nullable: true }) status?: SweepStatus | null;
}

@ArgsType()
export class SweepsArgs extends PageArgs {
  @Field(() => SweepFilter, { nullable: true })
  filter?: SweepFilter | null;
}
