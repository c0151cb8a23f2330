import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Environment } from '../deployments/environment';
import { FeatureType } from '../models/model-signature.type';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';

/** How far a distribution has moved, from its PSI; the values match `driftStatus` in src/ml/drift.ts. */
export enum DriftStatus {
  STABLE = 'STABLE',
  MODERATE = 'MODERATE',
  SIGNIFICANT = 'SIGNIFICANT',
  INSUFFICIENT_DATA = 'INSUFFICIENT_DATA',
}
registerEnumType(DriftStatus, {
  name: 'DriftStatus',
  description: 'How far served data has moved from training, by its Population Stability Index (the usual credit-risk thresholds): STABLE below 0.1, MODERATE from 0.1 to below 0.25, SIGNIFICANT from 0.25.',
  valuesConfig: {
    STABLE: { description: 'PSI < 0.1: no meaningful change.' },
    MODERATE: { description: '0.1 ≤ PSI < 0.25: some change; worth watching.' },
    SIGNIFICANT: { description: 'PSI ≥ 0.25: the served data differs from training; the model may no longer fit it.' },
    INSUFFICIENT_DATA: { description: 'Fewer served rows than DRIFT_MIN_ROWS: a PSI of so few rows says little (2 rows can read 6.8), so no status is given and no drift alert fires.' },
  },
});

/** One bin of a drift comparison, as shares. */
@ObjectType({ description: 'One bin of a drift comparison: the share of the expected rows and of the actual (served) rows that fall in it.' })
export class DriftBin {
  @Field({ description: 'The bin: a range of values ("<= 250", "250 to 1200", "> 9000"), a category, "(other)" for values outside the training categories, or a score range.' })
  label!: string;

  @Field(() => Float, { description: 'Share of the expected rows in this bin, 0 to 1 (training for features; the first half of the window for scores).' })
  expected!: number;

  @Field(() => Float, { description: 'Share of the actual rows in this bin, 0 to 1 (the served rows for features; the second half of the window for scores).' })
  actual!: number;
}

/** Drift of one input feature between training and the served rows. */
@ObjectType({ description: 'How one input feature of the served rows compares with the training rows of the version.' })
export class FeatureDrift {
  @Field({ description: 'The feature (input column) name.' })
  feature!: string;

  @Field(() => FeatureType, { description: 'The feature\'s type. NUMBER, BOOLEAN and DATE are binned by the training deciles; CATEGORY by the training categories plus "(other)".' })
  type!: FeatureType;

  @Field(() => Float, { description: 'Population Stability Index, sum((actual − expected) · ln(actual / expected)) over the bins, with empty bins counted as a share of 0.0001.' })
  psi!: number;

  @Field(() => Float, { nullable: true, description: 'Numeric features: the Kolmogorov–Smirnov statistic (largest gap between the training and served cumulative shares), measured at the training decile edges, so it can understate the exact value. Null for categories.' })
  ks!: number | null;

  @Field(() => DriftStatus, { description: 'The status this feature\'s PSI gives.' })
  status!: DriftStatus;

  @Field(() => Int, { description: 'How many served values were compared (numeric features leave out missing values; categories count them as "(other)").' })
  count!: number;

  @Field(() => [DriftBin], { description: 'The bins, expected = training shares, actual = served shares.' })
  bins!: DriftBin[];
}

/** A drift report for the version live in one environment over a time window. */
@ObjectType({ description: 'How the rows served by the version live in an environment compare with the rows it was trained on, over a time window. Only the newest 10,000 served rows of the window are read (then `sampled` is true). The training side is the summary saved with the version (deciles, category shares): the training data is not read again.' })
export class DriftReport {
  @Field(() => Model, { description: 'The model.' })
  model!: Model;

  @Field(() => Environment, { description: 'The environment whose live version was checked.' })
  environment!: Environment;

  @Field(() => ModelVersion, { nullable: true, description: 'The version live in the environment; null when none is deployed there.' })
  modelVersion!: ModelVersion | null;

  @Field({ description: 'Start of the window (inclusive).' })
  from!: Date;

  @Field({ description: 'End of the window (exclusive).' })
  to!: Date;

  @Field(() => Int, { description: 'Served rows of the live version read from the prediction log (at most 10,000). The log of an ASYNC environment may be sampled (PREDICTION_LOG_SAMPLE_RATE) and only holds rows of predict, not of batch predictions.' })
  rowCount!: number;

  @Field({ description: 'True when the window held more than 10,000 served rows and only the newest 10,000 were compared.' })
  sampled!: boolean;

  @Field(() => DriftStatus, { nullable: true, description: 'The worst status of any feature; null when there was nothing to compare (see message).' })
  status!: DriftStatus | null;

  @Field(() => Float, { nullable: true, description: 'The largest feature PSI; null when there was nothing to compare.' })
  maxPsi!: number | null;

  @Field(() => String, { nullable: true, description: 'Why there is no status, e.g. nothing deployed or no predictions in the window; null otherwise.' })
  message!: string | null;

  @Field(() => [FeatureDrift], { description: 'One entry per input feature, in the version\'s feature order. Features without a training profile (versions saved before profiles existed) or without any served value are left out.' })
  features!: FeatureDrift[];

  @Field(() => Float, { nullable: true, description: 'Binary classifiers only: PSI of the prediction score (positive-class probability) of the served rows (actual) against the scores of the held-out test split when the version was trained (expected), in 10 equal-width bins. Versions trained before that baseline was kept compare the first half of the window with its second half instead. Null for other tasks or without served scores.' })
  scorePsi!: number | null;

  @Field(() => [DriftBin], { nullable: true, description: 'The score distribution behind scorePsi, in 10 equal-width bins over [0, 1]; null when scorePsi is.' })
  scoreBins!: DriftBin[] | null;
}
