import { Column, Entity } from 'typeorm';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { Hyperparameters } from '../models/hyperparameters';
import { FeatureSelectionRequest } from '../models/feature-selection.types';
import { SplitStrategy } from '../../ml/model-spec';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

export enum TrainingStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
  STOPPED_EARLY = 'STOPPED_EARLY',
}
registerEnumType(TrainingStatus, {
  name: 'TrainingStatus',
  description: 'QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED | STOPPED_EARLY (CANCELLED also straight from QUEUED). STOPPED_EARLY: a sweep\'s early-stopping rule ended a run that could not win; `error` says why.',
});

// Defined in ml/ (the trainer uses it too); registered here as a GraphQL enum.
export { SplitStrategy };
registerEnumType(SplitStrategy, { name: 'SplitStrategy', description: 'RANDOM: seeded shuffle, stratified for classification. TIME_ORDERED: no shuffle; oldest rows train, newest test (forecasts).' });

/** How rows were divided into training, validation and test sets. */
export interface SplitSpec {
  validation: number;
  test: number;
  strategy: SplitStrategy;
}

/** One training of a model on one dataset version, run in a child process. */
@ObjectType({ implements: Node, description: 'One training of a model on an exact dataset version, with everything needed to reproduce it.' })
@Entity('training_run')
export class TrainingRun implements Node {
  /** Ids of this type read `run_<ULID>`. */
  static readonly idPrefix = 'run';

  @Field(() => ID, { description: 'Global id, `run_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @RefColumn('dataset_version_id')
  datasetVersionId!: string;

  @Field(() => TrainingStatus)
  @Column({ type: 'varchar', length: 20 })
  status!: TrainingStatus;

  @Field(() => Float, { description: 'From 0 to 1.' })
  @Column({ type: 'double' })
  progress!: number;

  @Field(() => Int)
  @Column({ name: 'epochs_completed', type: 'int' })
  epochsCompleted!: number;

  @Field(() => Hyperparameters, { description: 'The settings used: the model\'s defaults with this run\'s overrides.' })
  @JsonColumn()
  hyperparameters!: Hyperparameters;

  @JsonColumn()
  split!: SplitSpec;

  @Field(() => FeatureSelectionRequest, { nullable: true, description: 'The feature selection asked for (null: all the model\'s features).' })
  @JsonColumn({ name: 'feature_selection', nullable: true })
  featureSelection!: FeatureSelectionRequest | null;

  @Field(() => Int, { description: 'Seed of the split and of the initial weights.' })
  @Column({ type: 'int' })
  seed!: number;

  @Field(() => Int, { description: 'Queue priority; higher runs first.' })
  @Column({ type: 'int' })
  priority!: number;

  @Field(() => String, { nullable: true, description: 'TensorFlow.js backend that trained it: tensorflow, wasm or cpu.' })
  @Column({ type: 'varchar', length: 40, nullable: true })
  backend!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Versions of the libraries that trained it (tfjs, node).' })
  @JsonColumn({ name: 'library_versions', nullable: true })
  libraryVersions!: Record<string, string> | null;

  @Field({ description: 'Whether the run streams a point per batch (batchMetrics at start) as well as per epoch.' })
  @Column({ name: 'batch_metrics', type: 'boolean', default: false })
  batchMetrics!: boolean;

  @Field(() => Int, { description: 'Times the run has started training: 2 when its first worker stopped and TRAINING_STALLED_POLICY=RETRY trained it again.' })
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'The worker process that trains (or trained) the run: `<host>:<pid>:<id>`, as systemInfo.workers lists them.' })
  @Column({ name: 'worker_id', type: 'varchar', length: 200, nullable: true })
  workerId!: string | null;

  @RefColumn('sweep_id', { nullable: true })
  sweepId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Its trial number in its sweep (0, 1, …), when a sweep started it.' })
  @Column({ name: 'sweep_trial', type: 'int', nullable: true })
  sweepTrial!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the run failed, or was stopped early, when it was.' })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @RefColumn('model_version_id', { nullable: true })
  modelVersionId!: string | null;

  @RefColumn('created_by', { nullable: true })
  createdBy!: string | null;

  @Field()
  @TimeColumn('queued_at')
  queuedAt!: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn('started_at', { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @TimeColumn('finished_at', { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When cancelTrainingRun was first asked (null: never). Stored before the mutation answers, so the worker training the run stops it even if it missed the signal; a run that was RUNNING then ends CANCELLED within seconds, unless it already had its model.' })
  @TimeColumn('cancel_requested_at', { nullable: true })
  cancelRequestedAt!: Date | null;
}
