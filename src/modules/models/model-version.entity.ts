import { Column, Entity } from 'typeorm';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { FeatureSelectionResult } from './feature-selection.types';
import type { Signature } from '../../ml/signature';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

/** One trained, immutable version of a model, numbered per model. */
@ObjectType({ implements: Node, description: 'A trained, immutable version of a model, numbered from 1 per model, with its lineage.' })
@Entity('model_version')
export class ModelVersion implements Node {
  /** Ids of this type read `mv_<ULID>`. */
  static readonly idPrefix = 'mv';

  @Field(() => ID, { description: 'Global id, `mv_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_id')
  modelId!: string;

  @Field(() => Int, { description: 'Version number within the model, from 1.' })
  @Column({ type: 'int' })
  version!: number;

  @RefColumn('dataset_version_id', { nullable: true })
  datasetVersionId!: string | null;

  @RefColumn('training_run_id', { nullable: true })
  trainingRunId!: string | null;

  @RefColumn('artifact_id', { nullable: true })
  artifactId!: string | null;

  /** The input signature, from the saved preprocessor (null for versions made before signatures were stored). */
  @JsonColumn({ nullable: true })
  signature!: Signature | null;

  @Field(() => FeatureSelectionResult, { nullable: true, description: 'The features its run selected (null when it used all the model\'s features).' })
  @JsonColumn({ name: 'feature_selection', nullable: true })
  featureSelection!: FeatureSelectionResult | null;

  @Field(() => GraphQLJSONObject, { description: 'Summary metrics recorded when the version was made, e.g. `{ "auc": 0.78 }`.' })
  @JsonColumn()
  metrics!: Record<string, number>;

  @Field({ description: 'When the version was made.' })
  @TimeColumn('created_at')
  createdAt!: Date;
}
