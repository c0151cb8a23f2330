import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Environment } from '../deployments/environment';
import { ModelVersion } from '../models/model-version.entity';

@ObjectType({ description: 'The probability of one class.' })
export class ClassProbability {
  @Field()
  label!: string;
  @Field(() => Float)
  probability!: number;
}

@ObjectType({ description: 'How much one feature moved this row\'s score, by occlusion: score(row) − score(row with the feature set to its training baseline: the mean for numbers, the most frequent category for categories). Positive values pushed the score up.' })
export class FeatureContribution {
  @Field()
  feature!: string;
  @Field(() => Float)
  contribution!: number;
}

@ObjectType({ description: 'An input row predict could not score (onInvalidRow: SKIP_ROW).' })
export class RowError {
  @Field(() => Int, { description: 'Its index in input.rows.' })
  row!: number;
  @Field({ description: 'The feature (or unknown key) at fault; empty when the row is not an object.' })
  field!: string;
  @Field()
  message!: string;
}

@ObjectType({ description: 'The model\'s answer for one input row (or, for a forecast, for the whole history sent).' })
export class RowPrediction {
  @Field(() => Int, { description: 'The input row it answers (its index in input.rows; 0 for a forecast).' })
  row!: number;

  @Field(() => ID, { nullable: true, description: 'This answer\'s id in the prediction log (`pred_…`), to record its outcome with recordOutcomes; null when the log sampled it out (PREDICTION_LOG_SAMPLE_RATE) or in the log\'s own records.' })
  id?: string | null;

  @Field(() => Float, { description: 'Binary: probability of the positive class (the second label). Multiclass: probability of the predicted class. Regression: the value in the target\'s units. Forecast: the first predicted step.' })
  value!: number;

  @Field(() => String, { nullable: true, description: 'The predicted class (threshold 0.5 for binary); null for regression and forecasts.' })
  label!: string | null;

  @Field(() => [ClassProbability], { description: 'Every class with its probability, in class order; empty for regression and forecasts.' })
  probabilities!: ClassProbability[];

  @Field(() => [Float], { nullable: true, description: 'Forecasts: every predicted step (horizon values), in the target\'s units; null otherwise.' })
  forecast!: number[] | null;

  @Field(() => [FeatureContribution], { nullable: true, description: 'With explain: per-feature contributions to the explained score (binary: positive-class probability; multiclass: the predicted class\'s probability; regression: the value), by occlusion against the training baseline. Null without explain.' })
  contributions!: FeatureContribution[] | null;
}

@ObjectType({ description: 'The answer to predict: one prediction per input row, and which version served them.' })
export class PredictResult {
  @Field(() => ModelVersion, { description: 'The version that served every row of this request.' })
  modelVersion!: ModelVersion;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => [RowPrediction], { description: 'In the order of the input rows.' })
  predictions!: RowPrediction[];

  @Field(() => Float, { description: 'Server time from receiving the rows to having the predictions, in milliseconds.' })
  latencyMs!: number;

  @Field(() => [String], { description: 'Keys sent that the serving version does not use, first seen first (at most 50): features its feature selection dropped, or unknown keys (UNKNOWN_FIELDS=IGNORE). Empty when every key was used.' })
  ignoredFeatures!: string[];

  @Field(() => [RowError], { description: 'With onInvalidRow: SKIP_ROW, each row left out and why, in row order; empty otherwise.' })
  rowErrors!: RowError[];
}
