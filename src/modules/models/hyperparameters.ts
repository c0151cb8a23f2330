import { ArrayMaxSize, IsBoolean, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { badInput } from '../../core/errors';
import { algorithmFor, foreignHyperparameters } from '../../ml/algorithms/registry';
import { DEFAULT_HYPERPARAMETERS } from '../../ml/model-spec';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { Activation, Architecture, ClassWeighting, ForecastTarget, LinearSolver, ModelTask, SplitCriterion, SvmKernel } from './model-enums';

/** Training settings; a model stores defaults, and a training run may override any of them. */
@ObjectType({ description: 'Training settings. A model holds defaults; a training run may override each. Each architecture reads some of them (listed per field); setting one it does not read is refused.' })
export class Hyperparameters {
  @Field(() => Int, { description: 'Passes over the training split (networks; the EXACT linear solvers: their iteration cap).' }) epochs!: number;
  @Field(() => Int, { description: 'Rows per gradient step.' }) batchSize!: number;
  @Field(() => Float, { description: 'Adam learning rate.' }) learningRate!: number;
  @Field(() => [Int], { description: 'Units of each hidden layer (MLP), or of the recurrent layer (LSTM, first entry).' }) hiddenUnits!: number[];
  @Field(() => Activation, { description: 'Hidden layer activation.' }) activation!: Activation;
  @Field(() => Float, { description: 'Dropout rate after each hidden layer, 0 to 0.9.' }) dropout!: number;
  @Field(() => Float, { description: 'L2 weight penalty.' }) l2!: number;
  @Field(() => Int, { description: 'Past steps the forecast sees (LSTM).' }) windowSize!: number;
  @Field(() => Int, { description: 'Steps ahead to forecast (LSTM).' }) horizon!: number;
  @Field(() => ClassWeighting, { description: 'Class weights for imbalanced targets.' }) classWeighting!: ClassWeighting;
  @Field(() => Int, { description: 'Early stopping: epochs (networks) or rounds (GRADIENT_BOOSTED_TREES) without a better validation loss before training stops and keeps the best; 0 turns it off.' }) patience!: number;
  @Field(() => LinearSolver, { description: 'LOGISTIC_REGRESSION and LINEAR_REGRESSION: EXACT (Newton/IRLS, least squares) or GRADIENT (Adam by epochs).' }) solver!: LinearSolver;
  @Field(() => Int, { description: 'Trees: the deepest a tree grows.' }) maxDepth!: number;
  @Field(() => Int, { description: 'Trees: the fewest training rows in a leaf.' }) minSamplesLeaf!: number;
  @Field(() => SplitCriterion, { description: 'Trees: how splits are chosen (GINI or ENTROPY for classification, SQUARED_ERROR for regression).' }) criterion!: SplitCriterion;
  @Field(() => Int, { description: 'RANDOM_FOREST: the number of trees.' }) trees!: number;
  @Field(() => Float, { nullable: true, description: 'RANDOM_FOREST: the share of input columns each split considers; null: √columns for classification, all for regression (as scikit-learn).' }) maxFeatures!: number | null;
  @Field({ description: 'RANDOM_FOREST: each tree learns from a bootstrap sample of the training rows.' }) bootstrap!: boolean;
  @Field(() => Int, { description: 'GRADIENT_BOOSTED_TREES: the most boosting rounds (one tree each).' }) rounds!: number;
  @Field(() => Float, { description: 'GRADIENT_BOOSTED_TREES: the share of training rows each round samples.' }) subsample!: number;
  @Field(() => Float, { description: 'NAIVE_BAYES: additive (Laplace) smoothing of category counts.' }) smoothing!: number;
  @Field(() => ForecastTarget, { description: 'LSTM: what the model learns, the level or its change from the last value seen; answers and metrics are always in levels.' }) forecastTarget!: ForecastTarget;
  @Field(() => SvmKernel, { description: 'SVM: the kernel.' }) kernel!: SvmKernel;
  @Field(() => Float, { description: 'SVM: C, the cost of a margin violation.' }) cost!: number;
  @Field(() => Float, { nullable: true, description: 'SVM: gamma of the RBF, polynomial and sigmoid kernels; null for 1 / input columns (inputs are standardised).' }) gamma!: number | null;
  @Field(() => Int, { description: 'SVM: degree of the polynomial kernel.' }) degree!: number;
}

@InputType({ description: 'Training settings; omitted fields keep their defaults. Ranges are checked.' })
export class HyperparametersInput {
  @Field(() => Int, { nullable: true, description: '1 to 10,000.' })
  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  epochs?: number;

  @Field(() => Int, { nullable: true, description: '1 to 65,536.' })
  @IsOptional() @IsInt() @Min(1) @Max(65_536)
  batchSize?: number;

  @Field(() => Float, { nullable: true, description: 'Greater than 0, at most 10.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1e-9) @Max(10)
  learningRate?: number;

  @Field(() => [Int], { nullable: true, description: 'Up to 8 layers of 1 to 4,096 units.' })
  @IsOptional() @ArrayMaxSize(8) @IsInt({ each: true }) @Min(1, { each: true }) @Max(4096, { each: true })
  hiddenUnits?: number[];

  @Field(() => Activation, { nullable: true })
  @IsOptional()
  activation?: Activation;

  @Field(() => Float, { nullable: true, description: '0 to 0.9.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(0.9)
  dropout?: number;

  @Field(() => Float, { nullable: true, description: '0 to 1.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  l2?: number;

  @Field(() => Int, { nullable: true, description: '2 to 512 (LSTM).' })
  @IsOptional() @IsInt() @Min(2) @Max(512)
  windowSize?: number;

  @Field(() => Int, { nullable: true, description: '1 to 365 (LSTM).' })
  @IsOptional() @IsInt() @Min(1) @Max(365)
  horizon?: number;

  @Field(() => ClassWeighting, { nullable: true })
  @IsOptional()
  classWeighting?: ClassWeighting;

  @Field(() => Int, { nullable: true, description: '0 (off) to 1,000 steps.' })
  @IsOptional() @IsInt() @Min(0) @Max(1000)
  patience?: number;

  @Field(() => LinearSolver, { nullable: true })
  @IsOptional()
  solver?: LinearSolver;

  @Field(() => Int, { nullable: true, description: '1 to 64.' })
  @IsOptional() @IsInt() @Min(1, { message: 'maxDepth must be at least 1' }) @Max(64, { message: 'maxDepth must be at most 64' })
  maxDepth?: number;

  @Field(() => Int, { nullable: true, description: '1 to 100,000.' })
  @IsOptional() @IsInt() @Min(1) @Max(100_000)
  minSamplesLeaf?: number;

  @Field(() => SplitCriterion, { nullable: true })
  @IsOptional()
  criterion?: SplitCriterion;

  @Field(() => Int, { nullable: true, description: '1 to 5,000.' })
  @IsOptional() @IsInt() @Min(1) @Max(5000, { message: 'trees must be at most 5,000' })
  trees?: number;

  @Field(() => Float, { nullable: true, description: 'Greater than 0, at most 1.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1e-6) @Max(1)
  maxFeatures?: number;

  @Field(() => Boolean, { nullable: true })
  @IsOptional() @IsBoolean()
  bootstrap?: boolean;

  @Field(() => Int, { nullable: true, description: '1 to 5,000.' })
  @IsOptional() @IsInt() @Min(1) @Max(5000, { message: 'rounds must be at most 5,000' })
  rounds?: number;

  @Field(() => Float, { nullable: true, description: 'Greater than 0, at most 1.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1e-3) @Max(1)
  subsample?: number;

  @Field(() => Float, { nullable: true, description: '0 to 1,000.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1000)
  smoothing?: number;

  @Field(() => ForecastTarget, { nullable: true })
  @IsOptional()
  forecastTarget?: ForecastTarget;

  @Field(() => SvmKernel, { nullable: true })
  @IsOptional()
  kernel?: SvmKernel;

  @Field(() => Float, { nullable: true, description: 'Greater than 0, at most 1,000,000.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1e-9) @Max(1e6)
  cost?: number;

  @Field(() => Float, { nullable: true, description: 'Greater than 0, at most 1,000,000.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1e-12) @Max(1e6)
  gamma?: number;

  @Field(() => Int, { nullable: true, description: '1 to 10.' })
  @IsOptional() @IsInt() @Min(1) @Max(10)
  degree?: number;
}

/** What models stored before the algorithm contract trained with, for the settings they lack. */
const BEFORE_ALGORITHMS: Partial<Hyperparameters> = { patience: 0, solver: LinearSolver.GRADIENT, forecastTarget: ForecastTarget.LEVEL };

/**
 * The settings a run trains with: the shared defaults, the architecture's own (chosen by
 * measurement), then `base` (a model's stored defaults; one stored before patience, solver and
 * forecastTarget existed keeps what it trained with then: no early stopping, GRADIENT, LEVEL), then the
 * given overrides. Refuses, naming the field, an override the architecture does not read and a
 * combination its algorithm rejects (e.g. criterion GINI for a REGRESSION tree).
 */
export function resolveHyperparameters(model: { architecture: Architecture; task: ModelTask }, overrides?: Partial<Hyperparameters> | null, base?: Hyperparameters | null, field = 'input.hyperparameters'): Hyperparameters {
  const algorithm = algorithmFor(model.architecture);
  const given = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined && value !== null)) as Partial<Hyperparameters>;
  const foreign = foreignHyperparameters(model.architecture, given);
  if (foreign.length) {
    throw badInput(`${model.architecture} does not use ${foreign.join(', ')}; it reads ${algorithm.hyperparameters.join(', ')}`, { field: `${field}.${foreign[0]}` });
  }
  // Trees for REGRESSION split by squared error; classifiers by Gini.
  const byTask: Partial<Hyperparameters> = model.task === ModelTask.REGRESSION ? { criterion: SplitCriterion.SQUARED_ERROR } : {};
  // A model stored before a setting existed keeps training as it did then: a retrain must not switch its solver or target unasked.
  const legacy = base ? Object.fromEntries(Object.entries(BEFORE_ALGORITHMS).filter(([key]) => !(key in base))) : {};
  const resolved = Object.assign(new Hyperparameters(), DEFAULT_HYPERPARAMETERS, algorithm.defaults, byTask, legacy, base ?? {}, given);
  const problem = algorithm.validate(resolved, model.task)[0];
  if (problem) throw badInput(`${problem.field}: ${problem.message}`, { field: `${field}.${problem.field}` });
  return resolved;
}
