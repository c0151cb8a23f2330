import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Node } from '../shared/node';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { ImportanceStatus } from './importance-status';

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
  @Field(() => Float, { nullable: true, description: 'Forecasts: RMSE of the persistence forecast (every step ahead = the last value seen) on the same points.' }) persistenceRmse?: number | null;
  @Field(() => Float, { nullable: true, description: 'Forecasts: MAE of the persistence forecast on the same points.' }) persistenceMae?: number | null;
  @Field(() => Float, { nullable: true, description: 'Forecasts: rmse / persistenceRmse; below 1 beats persistence.' }) relativeRmse?: number | null;
  @Field(() => Float, { nullable: true, description: 'Forecasts: 1 − relativeRmse; above 0 beats persistence ("no change"). A promotion gate can require it.' }) skill?: number | null;
  @Field(() => Float, { nullable: true, description: 'Forecasts: mean absolute scaled error, the MAE over the MAE of the one-step naive forecast on the training series (the evaluated series for FULL evaluations); below 1 beats it.' }) mase?: number | null;
}

@ObjectType({ description: 'A point of the ROC curve.' })
export class RocPoint {
  @Field(() => Float) fpr!: number;
  @Field(() => Float) tpr!: number;
  @Field(() => Float) threshold!: number;
}

@ObjectType({ description: 'A feature\'s importance: in featureImportance, how much the score drops when it is shuffled (permutation importance on the evaluated rows); in nativeImportance, the algorithm\'s own measure (share of total split gain for trees, of |coefficient| for linear models).' })
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

  @Field(() => [FeatureImportance], { nullable: true, description: 'Permutation importance on at most 2,000 of the evaluated rows, most important first (any algorithm); null while importanceStatus is PENDING or FAILED.' })
  @JsonColumn({ name: 'feature_importance', nullable: true })
  featureImportance!: FeatureImportance[] | null;

  @Field(() => ImportanceStatus, { description: 'Whether featureImportance is known yet: after training it is computed once the run has SUCCEEDED (trainingRunUpdated announces it).' })
  @Column({ name: 'importance_status', type: 'varchar', length: 10, default: ImportanceStatus.READY })
  importanceStatus!: ImportanceStatus;

  @Field(() => String, { nullable: true, description: 'Why the permutation importance is missing, when importanceStatus is FAILED.' })
  @Column({ name: 'importance_error', type: 'varchar', length: 500, nullable: true })
  importanceError!: string | null;

  @Field(() => [FeatureImportance], { nullable: true, description: 'The algorithm\'s own importance, most important first, summing to 1: total split gain for tree models, |coefficient| on standardised inputs for the EXACT linear models; null for algorithms without one (networks, naive Bayes) and for FULL evaluations.' })
  @JsonColumn({ name: 'native_importance', nullable: true })
  nativeImportance!: FeatureImportance[] | null;

  @Field()
  @TimeColumn('created_at')
  createdAt!: Date;
}
