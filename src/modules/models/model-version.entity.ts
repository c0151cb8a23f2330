import { Column, Entity, PrimaryColumn } from 'typeorm';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { jsonTransformer } from '../../engines/db/json-transformer';
import type { Signature } from '../../ml/signature';

/** One trained, immutable version of a model, numbered per model. */
@ObjectType({ implements: Node, description: 'A trained, immutable version of a model, numbered from 1 per model, with its lineage.' })
@Entity('model_version')
export class ModelVersion implements Node {
  /** Ids of this type read `mv_<ULID>`. */
  static readonly idPrefix = 'mv';

  @Field(() => ID, { description: 'Global id, `mv_…`.' })
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ name: 'model_id', type: 'varchar', length: 40 })
  modelId!: string;

  @Field(() => Int, { description: 'Version number within the model, from 1.' })
  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'dataset_version_id', type: 'varchar', length: 40, nullable: true })
  datasetVersionId!: string | null;

  @Column({ name: 'training_run_id', type: 'varchar', length: 40, nullable: true })
  trainingRunId!: string | null;

  @Column({ name: 'artifact_id', type: 'varchar', length: 40, nullable: true })
  artifactId!: string | null;

  /** The input signature, from the saved preprocessor (null for versions made before signatures were stored). */
  @Column({ type: 'text', nullable: true, transformer: jsonTransformer })
  signature!: Signature | null;

  @Field(() => GraphQLJSONObject, { description: 'Summary metrics recorded when the version was made, e.g. `{ "auc": 0.78 }`.' })
  @Column({ type: 'text', transformer: jsonTransformer })
  metrics!: Record<string, number>;

  @Field({ description: 'When the version was made.' })
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
