import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { Environment } from '../deployments/environment';

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
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ name: 'model_id', type: 'varchar', length: 40 })
  modelId!: string;

  @Column({ name: 'model_version_id', type: 'varchar', length: 40 })
  modelVersionId!: string;

  @Field(() => Environment, { nullable: true, description: 'The environment whose live version was chosen, when the job named one.' })
  @Column({ type: 'varchar', length: 20, nullable: true })
  environment!: Environment | null;

  @Column({ name: 'dataset_version_id', type: 'varchar', length: 40 })
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

  @Column({ name: 'output_dataset_version_id', type: 'varchar', length: 40, nullable: true })
  outputDatasetVersionId!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it FAILED.' })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 40, nullable: true })
  createdBy!: string | null;

  @Field()
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'started_at', type: 'datetime', nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'finished_at', type: 'datetime', nullable: true })
  finishedAt!: Date | null;

  @Field(() => Float, { description: 'From 0 to 1.' })
  progress(): number {
    return this.rowsTotal > 0 ? this.rowsDone / this.rowsTotal : this.status === BatchPredictionStatus.SUCCEEDED ? 1 : 0;
  }
}
