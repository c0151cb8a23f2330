import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, ValidateNested } from 'class-validator';
import { Column, Entity } from 'typeorm';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Environment } from '../deployments/environment';

/** What really happened to one served prediction. */
@Entity('outcome')
export class Outcome {
  static readonly idPrefix = 'out';
  @IdColumn() id!: string;
  @RefColumn('model_id') modelId!: string;
  @RefColumn('prediction_id') predictionId!: string;
  @Column({ type: 'varchar', length: 200 }) actual!: string;
  @TimeColumn('observed_at') observedAt!: Date;
  @TimeColumn('recorded_at') recordedAt!: Date;
  @RefColumn('recorded_by', { nullable: true }) recordedBy!: string | null;
}

@InputType({ description: 'The realised outcome of one served prediction.' })
export class OutcomeInput {
  @Field(() => ID, { nullable: true, description: 'The prediction\'s id (`pred_…`), as predict returned it. Give this or routingKey.' }) predictionId?: string | null;
  @Field(() => String, { nullable: true, description: 'The routingKey a prediction was asked with (a customer id): names the latest prediction of the model made with it.' })
  @IsOptional() @MaxLength(200)
  routingKey?: string | null;
  @Field({ description: 'What happened: the target\'s label for a classifier (as in the training data, e.g. "1"), a number for a regressor. At most 200 characters.' })
  @MaxLength(200)
  actual!: string;
  @Field(() => Date, { nullable: true, description: 'When it was observed; now when omitted.' }) observedAt?: Date | null;
}

@InputType({ description: 'Outcomes of a model\'s served predictions, 1 to 10,000 at a time.' })
export class RecordOutcomesInput {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;
  @Field(() => [OutcomeInput]) @ArrayMinSize(1) @ArrayMaxSize(10_000) @ValidateNested({ each: true }) outcomes!: OutcomeInput[];
}

@ObjectType({ description: 'An outcome that was not recorded, and why.' })
export class OutcomeError {
  @Field(() => Int, { description: 'Its index in input.outcomes.' }) index!: number;
  @Field(() => ID, { nullable: true, description: 'The prediction it named (or was resolved to from its routing key).' }) predictionId!: string | null;
  @Field({ description: 'NOT_FOUND (no such prediction of this model), CONFLICT (a different outcome is already recorded) or BAD_USER_INPUT.' }) code!: string;
  @Field() message!: string;
}

@ObjectType({ description: 'What recordOutcomes did: the others were recorded even when some were refused.' })
export class RecordOutcomesResult {
  @Field(() => Int) recorded!: number;
  @Field(() => Int, { description: 'Already recorded with the same value (recording is idempotent per prediction).' }) unchanged!: number;
  @Field(() => [OutcomeError]) errors!: OutcomeError[];
}

export enum OutcomeBucket { DAY = 'DAY', WEEK = 'WEEK', MONTH = 'MONTH' }
registerEnumType(OutcomeBucket, { name: 'OutcomeBucket', description: 'Periods of the report, by when the predictions were served (UTC; weeks start on Monday).' });

@ArgsType()
export class OutcomeReportArgs {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;
  @Field(() => Environment, { defaultValue: Environment.PRODUCTION }) environment!: Environment;
  @Field(() => Date, { nullable: true, description: 'From (served at or after); 30 days ago when omitted.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'To (served before); now when omitted.' }) to?: Date | null;
  @Field(() => OutcomeBucket, { defaultValue: OutcomeBucket.WEEK }) bucket!: OutcomeBucket;
}

@ObjectType({ description: 'Figures of served predictions: realised (over those with an outcome) or estimated from calibrated probabilities (over all of them).' })
export class OutcomeFigures {
  @Field(() => Float, { nullable: true, description: 'Classifiers (binary): area under the ROC curve.' }) auc!: number | null;
  @Field(() => Float, { nullable: true, description: 'Classifiers: share of right labels.' }) accuracy!: number | null;
  @Field(() => Float, { nullable: true, description: 'Binary: the share of the positive class (realised), or its expected share (estimated).' }) positiveRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Binary, realised: the mean predicted probability of the positive class over the same rows, to set against positiveRate.' }) predictedRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Regressors.' }) rmse!: number | null;
  @Field(() => Float, { nullable: true, description: 'Regressors.' }) mae!: number | null;
}

@ObjectType()
export class OutcomePeriod {
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => Int, { description: 'Predictions served (logged rows).' }) predictions!: number;
  @Field(() => Int, { description: 'Of them, with a recorded outcome.' }) outcomes!: number;
  @Field(() => OutcomeFigures, { description: 'Over the predictions with an outcome.' }) realised!: OutcomeFigures;
  @Field(() => OutcomeFigures, { nullable: true, description: 'Binary classifiers: expected from the calibrated probabilities of every prediction (CBPE), before outcomes arrive.' }) estimated!: OutcomeFigures | null;
}

@ObjectType({ description: 'Predicted probability against the observed positive share, over the window.' })
export class CalibrationBinFigures {
  @Field(() => Float) from!: number;
  @Field(() => Float) to!: number;
  @Field(() => Int) count!: number;
  @Field(() => Float) meanPredicted!: number;
  @Field(() => Float) observedRate!: number;
}

@ObjectType({ description: 'Predictions set against what really happened, per period, with the estimates made before the outcomes arrived.' })
export class OutcomeReport {
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => [OutcomePeriod]) periods!: OutcomePeriod[];
  @Field(() => OutcomePeriod, { description: 'The whole window.' }) total!: OutcomePeriod;
  @Field(() => [CalibrationBinFigures], { description: 'Binary classifiers: over the predictions with an outcome in the window.' }) calibration!: CalibrationBinFigures[];
}

