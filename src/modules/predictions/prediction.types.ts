import { Decision } from './decision-policy.entity';
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

@ObjectType('AdverseActionReason', { description: 'A reason given for a decline (ECOA / Regulation B): the code and text set for the feature, and how much the feature lowered the score.' })
export class AdverseActionReasonType {
  @Field() code!: string;
  @Field() text!: string;
  @Field() feature!: string;
  @Field(() => Float, { description: 'Its contribution to the score (negative).' }) contribution!: number;
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

  @Field(() => Decision, { nullable: true, description: 'With adverseActionReasons: APPROVE or DECLINE under the model\'s decision policy; null otherwise.' })
  decision?: Decision | null;

  @Field(() => [AdverseActionReasonType], { nullable: true, description: 'A DECLINE\'s reasons, as asked with adverseActionReasons: the mapped features that lowered the score most, most first, one per code (fewer when fewer mapped features lowered it); null for an APPROVE or without adverseActionReasons.' })
  adverseActionReasons?: AdverseActionReasonType[] | null;

  @Field(() => [FeatureContribution], { nullable: true, description: 'With explain: per-feature contributions to the explained score (binary: positive-class probability; multiclass: the predicted class\'s probability; regression: the value), by occlusion against the training baseline. Null without explain.' })
  contributions!: FeatureContribution[] | null;
}

@ObjectType({ description: 'Every prediction of a request as parallel lists, one entry per scored row in row order: the same answers as PredictResult.predictions, without an object per row.' })
export class CompactPredictions {
  @Field(() => [Int], { description: 'The input row each entry answers (as RowPrediction.row).' })
  rows!: number[];

  @Field(() => [Float], { description: 'As RowPrediction.value.' })
  values!: number[];

  @Field(() => [String], { nullable: 'items', description: 'As RowPrediction.label: the predicted class; null for regression and forecasts.' })
  labels!: (string | null)[];

  @Field(() => [String], { description: 'The classes in the order of each probabilities entry; empty for regression and forecasts.' })
  classes!: string[];

  @Field(() => [[Float]], { nullable: true, description: 'Each row\'s class probabilities, in the order of classes; null for regression and forecasts.' })
  probabilities!: number[][] | null;

  @Field(() => [ID], { nullable: 'items', description: 'As RowPrediction.id: each answer\'s id in the prediction log, null where the log sampled it out.' })
  ids!: (string | null)[];
}

@ObjectType({ description: 'The answer to predict: one prediction per input row, and which version served them.' })
export class PredictResult {
  @Field(() => ModelVersion, { description: 'The version that served every row of this request.' })
  modelVersion!: ModelVersion;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => [RowPrediction], { description: 'In the order of the input rows.' })
  predictions!: RowPrediction[];

  @Field(() => CompactPredictions, { description: 'The same predictions as parallel lists (values, labels, probabilities), far cheaper to send for thousands of rows than predictions. Contributions and forecast steps are only in predictions.' })
  get compact(): CompactPredictions {
    // Built only when asked for: a few flat arrays instead of an object per row.
    const { predictions } = this;
    const n = predictions.length;
    const first = predictions[0];
    const classes = first ? first.probabilities.map((p) => p.label) : [];
    const out: CompactPredictions = { rows: new Array(n), values: new Array(n), labels: new Array(n), classes, probabilities: classes.length ? new Array(n) : null, ids: new Array(n) };
    for (let i = 0; i < n; i++) {
      const p = predictions[i];
      out.rows[i] = p.row;
      out.values[i] = p.value;
      out.labels[i] = p.label;
      out.ids[i] = p.id ?? null;
      if (out.probabilities) out.probabilities[i] = p.probabilities.map((c) => c.probability);
    }
    return out;
  }

  @Field(() => Float, { description: 'Server time from receiving the rows to having the predictions, in milliseconds.' })
  latencyMs!: number;

  @Field(() => [String], { description: 'Keys sent that the serving version does not use, first seen first (at most 50): features its feature selection dropped, or unknown keys (UNKNOWN_FIELDS=IGNORE). Empty when every key was used.' })
  ignoredFeatures!: string[];

  @Field(() => [RowError], { description: 'With onInvalidRow: SKIP_ROW, each row left out and why, in row order; empty otherwise.' })
  rowErrors!: RowError[];
}
