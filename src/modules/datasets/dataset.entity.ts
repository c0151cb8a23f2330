import { Column, Entity } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../shared/node';
import { IdColumn, TimeColumn } from '../../engines/db/entity-columns';

/** Whether a dataset is a fixed file or keeps receiving rows. */
export enum DatasetKind {
  STATIC = 'STATIC',
  STREAMING = 'STREAMING',
}
registerEnumType(DatasetKind, {
  name: 'DatasetKind',
  description: 'STATIC: loaded once (a file). STREAMING: rows keep arriving through appendDatasetRows.',
});

/** A named table of data. Its rows live in immutable versions; appending makes a new version. */
@ObjectType({ implements: Node, description: 'A named table of data, such as credit applicants or daily prices. Rows live in immutable, numbered versions.' })
@Entity('dataset')
export class Dataset implements Node {
  /** Ids of this type read `ds_<ULID>`. */
  static readonly idPrefix = 'ds';

  @Field(() => ID, { description: 'Global id, `ds_…`.' })
  @IdColumn()
  id!: string;

  @Field({ description: 'Unique name.' })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text for people.' })
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Field(() => DatasetKind, { description: 'STATIC or STREAMING.' })
  @Column({ type: 'varchar', length: 20 })
  kind!: DatasetKind;

  @Field(() => Int, { description: 'Number of the newest version (1 after createDataset).' })
  @Column({ name: 'latest_version', type: 'int' })
  latestVersion!: number;

  @Field({ description: 'When the dataset was created.' })
  @TimeColumn('created_at')
  createdAt!: Date;

  @Field({ description: 'When the dataset last changed (a new version, a new description).' })
  @TimeColumn('updated_at')
  updatedAt!: Date;
}
