import { GraphQLJSON } from 'graphql-scalars';
import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import type { EarlyStoppingRule } from '../../ml/early-stopping';
import type { ParameterSpec } from '../../ml/sweep-search';
import { HyperparametersInput } from '../models/hyperparameters';
import type { SplitInput } from '../training/training-run.inputs';
import { Node } from '../shared/node';

export enum SweepMethod { GRID = 'GRID', RANDOM = 'RANDOM', BAYESIAN = 'BAYESIAN' }
registerEnumType(SweepMethod, {
  name: 'SweepMethod',
  description: 'How trials are drawn: GRID walks every combination of the values given; RANDOM draws each parameter independently; BAYESIAN draws at random for 5 finished trials, then where the best quarter of the finished trials lie (tree-structured Parzen estimation).',
});

export enum SweepGoal { MINIMIZE = 'MINIMIZE', MAXIMIZE = 'MAXIMIZE' }
registerEnumType(SweepGoal, { name: 'SweepGoal', description: 'Whether the sweep\'s metric is better low (a loss) or high (an accuracy).' });

export enum SweepStatus { RUNNING = 'RUNNING', SUCCEEDED = 'SUCCEEDED', FAILED = 'FAILED', CANCELLED = 'CANCELLED' }
registerEnumType(SweepStatus, { name: 'SweepStatus', description: 'RUNNING until every planned run has ended; SUCCEEDED when at least one run succeeded, FAILED when none did; CANCELLED by cancelSweep.' });

export enum ParameterDistribution { UNIFORM = 'UNIFORM', LOG_UNIFORM = 'LOG_UNIFORM', INT_UNIFORM = 'INT_UNIFORM' }
registerEnumType(ParameterDistribution, { name: 'ParameterDistribution', description: 'A range to draw from (RANDOM and BAYESIAN): uniform, uniform in the logarithm (learning rates), or whole numbers, min and max included.' });

export enum EarlyStoppingType { MEDIAN = 'MEDIAN', HYPERBAND = 'HYPERBAND' }
registerEnumType(EarlyStoppingType, {
  name: 'EarlyStoppingType',
  description: 'Checked when a run finishes an epoch. MEDIAN: after warmupEpochs, stop a run worse than the median of the other runs at that epoch (once minRuns others reached it). HYPERBAND: at each band epoch, stop a run worse than the 1/eta quantile of the runs that reached the band.',
});

@ObjectType({ description: 'A searched hyper-parameter: a list of values, or a range with its distribution.' })
export class SweepParameter {
  @Field({ description: 'The hyper-parameter (a field of Hyperparameters).' }) name!: string;
  @Field(() => [GraphQLJSON], { nullable: true, description: 'The values (GRID, or a choice for RANDOM and BAYESIAN).' }) values!: unknown[] | null;
  @Field(() => ParameterDistribution, { nullable: true }) distribution!: ParameterDistribution | null;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
}

@ObjectType({ description: 'The early-stopping rule of a sweep, with Hyperband\'s bands worked out.' })
export class EarlyStopping {
  @Field(() => EarlyStoppingType) type!: EarlyStoppingType;
  @Field(() => Int, { nullable: true, description: 'MEDIAN: epochs before a run can be stopped.' }) warmupEpochs!: number | null;
  @Field(() => Int, { nullable: true, description: 'MEDIAN: other runs that must have reached an epoch before it is compared.' }) minRuns!: number | null;
  @Field(() => [Int], { nullable: true, description: 'HYPERBAND: the epochs at which runs are compared.' }) bands!: number[] | null;
  @Field(() => Int, { nullable: true, description: 'HYPERBAND: the keep fraction is 1/eta.' }) eta!: number | null;
}

@ObjectType({ description: 'One run of a sweep, for a parallel-coordinates chart: its parameters, its metric and its status.' })
export class SweepTrial {
  @Field(() => Int, { description: 'Trial number in the sweep, from 0.' }) trial!: number;
  @Field(() => ID) runId!: string;
  @Field(() => GraphQLJSON, { description: 'The searched parameters\' values, by name.' }) parameters!: Record<string, unknown>;
  @Field(() => Float, { nullable: true, description: 'The sweep\'s metric at the run\'s last epoch (also for a run stopped early); null before its first epoch.' }) value!: number | null;
  @Field(() => String, { description: 'The run\'s TrainingStatus.' }) status!: string;
}

@ObjectType({ description: 'How strongly a parameter goes with the metric: Spearman\'s rank correlation across the runs with a value, from −1 to 1; null when it cannot be computed (fewer than 3 runs, a constant parameter, or values that are not numbers).' })
export class ParameterImportance {
  @Field() name!: string;
  @Field(() => Float, { nullable: true }) correlation!: number | null;
}

/** The rule as stored: the input's fields and, for Hyperband, its bands. */
export type StoredEarlyStopping = EarlyStoppingRule;

@ObjectType({ implements: Node, description: 'A hyper-parameter sweep: ordinary training runs, drawn from a search space and run through the job queue, the worst stopped early; the best is bestRun.' })
@Entity('sweep')
export class Sweep implements Node {
  /** Ids of this type read `swp_<ULID>`. */
  static readonly idPrefix = 'swp';

  @Field(() => ID, { description: 'Global id, `swp_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @RefColumn('dataset_version_id')
  datasetVersionId!: string;

  @Field(() => SweepMethod)
  @Column({ type: 'varchar', length: 20 })
  method!: SweepMethod;

  /** The validated search space. */
  @JsonColumn()
  parameters!: ParameterSpec[];

  /** How every run divides its rows (null: the training default). */
  @JsonColumn({ nullable: true })
  split!: SplitInput | null;

  /** Hyper-parameters every run gets besides the searched ones. */
  @JsonColumn({ name: 'base_hyperparameters', nullable: true })
  baseHyperparameters!: HyperparametersInput | null;

  @Field({ description: 'The per-epoch metric the sweep optimises (loss, val_loss, accuracy, val_accuracy, mae, val_mae).' })
  @Column({ type: 'varchar', length: 40 })
  metric!: string;

  @Field(() => SweepGoal)
  @Column({ type: 'varchar', length: 10 })
  goal!: SweepGoal;

  @Field(() => Int, { description: 'Runs the sweep makes at most (GRID: at most the grid\'s size).' })
  @Column({ name: 'max_runs', type: 'int' })
  maxRuns!: number;

  @Field(() => Int, { description: 'Runs queued or training at once.' })
  @Column({ type: 'int' })
  parallelism!: number;

  @Field(() => Int, { description: 'Queue priority of its runs.' })
  @Column({ type: 'int' })
  priority!: number;

  @JsonColumn({ name: 'early_stopping', nullable: true })
  earlyStoppingRule!: StoredEarlyStopping | null;

  @Field(() => Int, { description: 'Seed of the trials\' draws; each run\'s seed derives from it.' })
  @Column({ type: 'int' })
  seed!: number;

  @Field(() => SweepStatus)
  @Column({ type: 'varchar', length: 20 })
  status!: SweepStatus;

  @Field(() => Float, { description: 'Ended runs over planned runs, 0 to 1.' })
  @Column({ type: 'double' })
  progress!: number;

  @RefColumn('best_run_id', { nullable: true })
  bestRunId!: string | null;

  @Field(() => Float, { nullable: true, description: 'The best metric value of a SUCCEEDED run so far.' })
  @Column({ name: 'best_value', type: 'double', nullable: true })
  bestValue!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the sweep failed or stopped making runs.' })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @RefColumn('created_by', { nullable: true })
  createdBy!: string | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn('finished_at', { nullable: true })
  finishedAt!: Date | null;
}
