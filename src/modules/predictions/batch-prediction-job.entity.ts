import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { Environment } from '../deployments/environment';
import { IdColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

export enum BatchPredictionStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(BatchPredictionStatus, { name: 'BatchPredictionStatus', description: 'QUEUED → RUNNING → SUCCEEDED | FAILED.' });

/** Scoring every row of a dataset version with a model version, in the job queue. */
@ObjectType({ implements: Node, description: 'Scores every row of a dataset version and stores the rows with prediction columns as a new version of the same dataset.' })
@Entity('batch_prediction_job')
export class BatchPredictionJob implements Node {
  /** Ids of this type read `bpj_<ULID>`. */
  static readonly idPrefix = 'bpj';

  @Field(() => ID, { description: 'Global id, `bpj_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @RefColumn('model_version_id')
  modelVersionId!: string;

  @Field(() => Environment, { nullable: true, description: 'The environment whose live version was chosen, when the job named one.' })
  @Column({ type: 'varchar', length: 20, nullable: true })
  environment!: Environment | null;

  @RefColumn('dataset_version_id')
  datasetVersionId!: string;

  @Field(() => BatchPredictionStatus)
  @Column({ type: 'varchar', length: 20 })
  status!: BatchPredictionStatus;

  @Field(() => Int, { description: 'Rows to score.' })
  @Column({ name: 'rows_total', type: 'int' })
  rowsTotal!: number;

  @Field(() => Int, { description: 'Rows scored so far.' })
  @Column({ name: 'rows_done', type: 'int' })
  rowsDone!: number;

  @RefColumn('output_dataset_version_id', { nullable: true })
  outputDatasetVersionId!: string | null;

  /** The dataset the job creates for its output. */
  @Field(() => String, { nullable: true, description: 'The dataset it writes: `<input>-scored-<job>` unless the caller named one (null for jobs made before outputs had their own dataset).' })
  @Column({ name: 'output_dataset_name', type: 'varchar', length: 200, nullable: true })
  outputDatasetName!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it FAILED.' })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @RefColumn('created_by', { nullable: true })
  createdBy!: string | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn('started_at', { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @TimeColumn('finished_at', { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Float, { description: 'From 0 to 1.' })
  progress(): number {
    return this.rowsTotal > 0 ? this.rowsDone / this.rowsTotal : this.status === BatchPredictionStatus.SUCCEEDED ? 1 : 0;
  }
}
