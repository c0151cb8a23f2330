import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';

@ObjectType({ description: 'Quality figures; classification fields are null for regression models and the other way round.' })
export class EvaluationMetrics {
  @Field(() => Float, { nullable: true }) accuracy?: number | null;
  @Field(() => Float, { nullable: true }) precision?: number | null;
  @Field(() => Float, { nullable: true }) recall?: number | null;
  @Field(() => Float, { nullable: true }) f1?: number | null;
  @Field(() => Float, { nullable: true, description: 'Area under the ROC curve.' }) auc?: number | null;
  @Field(() => Float, { nullable: true }) logLoss?: number | null;
  @Field(() => Float, { nullable: true, description: 'Kolmogorov–Smirnov statistic: max |TPR − FPR|.' }) ks?: number | null;
  @Field(() => Float, { nullable: true }) rmse?: number | null;
  @Field(() => Float, { nullable: true }) mae?: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean absolute percentage error; null when an actual value is 0.' }) mape?: number | null;
  @Field(() => Float, { nullable: true }) r2?: number | null;
}

@ObjectType({ description: 'A point of the ROC curve.' })
export class RocPoint {
  @Field(() => Float) fpr!: number;
  @Field(() => Float) tpr!: number;
  @Field(() => Float) threshold!: number;
}

@ObjectType({ description: 'How much the score drops when a feature is shuffled (permutation importance on the evaluated rows).' })
export class FeatureImportance {
  @Field() feature!: string;
  @Field(() => Float) importance!: number;
}

/** A model version's quality on a dataset version (the held-out test split after training). */
@ObjectType({ implements: Node, description: 'A model version measured on a dataset version: after training, on the held-out test split.' })
@Entity('evaluation')
export class Evaluation implements Node {
  /** Ids of this type read `ev_<ULID>`. */
  static readonly idPrefix = 'ev';

  @Field(() => ID, { description: 'Global id, `ev_…`.' })
  @IdColumn()
  id!: string;

  @RefColumn('model_version_id')
  modelVersionId!: string;

  @RefColumn('dataset_version_id')
  datasetVersionId!: string;

  @Field({ description: 'TEST (the run\'s held-out split) or FULL (every row of the dataset version).' })
  @Column({ type: 'varchar', length: 20 })
  split!: string;

  @Field(() => Int, { description: 'Rows evaluated.' })
  @Column({ name: 'row_count', type: 'int' })
  rowCount!: number;

  @Field(() => Float, { nullable: true, description: 'Decision threshold of the confusion matrix and the threshold-based metrics.' })
  @Column({ type: 'double', nullable: true })
  threshold!: number | null;

  @Field(() => EvaluationMetrics)
  @JsonColumn()
  metrics!: EvaluationMetrics;

  @Field(() => [RocPoint], { nullable: true, description: 'At most 200 points (classification).' })
  @JsonColumn({ name: 'roc_curve', nullable: true })
  rocCurve!: RocPoint[] | null;

  @Field(() => [[Int]], { nullable: true, description: 'Counts [actual][predicted] (classification).' })
  @JsonColumn({ name: 'confusion_matrix', nullable: true })
  confusionMatrix!: number[][] | null;

  @Field(() => [FeatureImportance], { nullable: true, description: 'Most important first.' })
  @JsonColumn({ name: 'feature_importance', nullable: true })
  featureImportance!: FeatureImportance[] | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;
}
