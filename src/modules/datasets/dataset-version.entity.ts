import { Column, Entity } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { bigintTransformer, jsonTransformer } from '../../engines/db/json-transformer';
import { ColumnStats } from './column-stats.type';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

export enum DatasetVersionSource {
  CREATE = 'CREATE',
  APPEND = 'APPEND',
  PREDICTION = 'PREDICTION',
}
registerEnumType(DatasetVersionSource, {
  name: 'DatasetVersionSource',
  description: 'How a version came to be: CREATE (createDataset), APPEND (appendDatasetRows on the previous version) or PREDICTION (version 1 of a batch prediction\'s own output dataset: its input version\'s rows, the parent, with the prediction columns added).',
});

/** An immutable snapshot of a dataset's rows. Training runs name the exact version they used. */
@ObjectType({ implements: Node, description: 'An immutable snapshot of a dataset\'s rows; training runs record the exact version they used.' })
@Entity('dataset_version')
export class DatasetVersion implements Node {
  /** Ids of this type read `dsv_<ULID>`. */
  static readonly idPrefix = 'dsv';

  @Field(() => ID, { description: 'Global id, `dsv_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('dataset_id')
  datasetId!: string;

  @Field(() => Int, { description: 'Version number within the dataset, from 1.' })
  @Column({ type: 'int' })
  version!: number;

  @Field(() => Int, { description: 'Rows in this version.' })
  @Column({ name: 'row_count', type: 'bigint', transformer: bigintTransformer })
  rowCount!: number;

  @Field(() => [ColumnStats], { description: 'Columns in CSV order, with types and statistics over this version\'s rows.' })
  @JsonColumn()
  columns!: ColumnStats[];

  @RefColumn('artifact_id')
  artifactId!: string;

  @RefColumn('parent_id', { nullable: true })
  parentId!: string | null;

  @Field(() => DatasetVersionSource, { description: 'How it came to be: CREATE, APPEND or PREDICTION (see DatasetVersionSource).' })
  @Column({ type: 'varchar', length: 20 })
  source!: DatasetVersionSource;

  @Field({ description: 'When this version was made.' })
  @TimeColumn('created_at')
  createdAt!: Date;
}
