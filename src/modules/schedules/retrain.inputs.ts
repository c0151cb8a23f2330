import { ArrayMaxSize, IsInt, IsOptional, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { Environment } from '../deployments/environment';
import { HyperparametersInput } from '../models/hyperparameters';
import { PromotionGateInput } from '../models/promotion-gate';
import { PageArgs } from '../shared/page.args';
import { SweepGoal, SweepMethod } from '../sweeps/sweep.entity';
import { SweepParameterInput } from '../sweeps/sweep.inputs';
import { RetrainTrigger } from './retrain.entities';

@InputType({ description: 'A small sweep a policy runs instead of one run: its best run is the challenger.' })
export class PolicySweepInput {
  @Field(() => SweepMethod) method!: SweepMethod;
  @Field(() => [SweepParameterInput]) @ArrayMaxSize(10) @ValidateNested({ each: true }) parameters!: SweepParameterInput[];
  @Field(() => Int, { description: '1 to 50 runs.' }) @IsInt() @Min(1) @Max(50) maxRuns!: number;
  @Field(() => Int, { defaultValue: 1 }) @IsInt() @Min(1) @Max(32) parallelism!: number;
  @Field({ defaultValue: 'val_loss' }) @MaxLength(40) metric!: string;
  @Field(() => SweepGoal, { defaultValue: SweepGoal.MINIMIZE }) goal!: SweepGoal;
}

@InputType({ description: 'How a model is retrained automatically: when, on what, compared how, and put live where. One policy per model; setting it again replaces it.' })
export class SetRetrainPolicyInput {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;

  @Field(() => RetrainTrigger, { description: 'SCHEDULE, NEW_DATA or DRIFT.' }) trigger!: RetrainTrigger;

  @Field(() => String, { nullable: true, description: 'SCHEDULE only: a cron expression (5 fields, or 6 with seconds first), e.g. "0 3 * * 1" for Mondays at 03:00.' })
  @IsOptional() @MaxLength(120)
  cron?: string | null;

  @Field({ defaultValue: 'UTC', description: 'The cron\'s IANA time zone, e.g. Europe/Zurich.' })
  @MaxLength(80)
  timezone!: string;

  @Field(() => ID, { description: 'The dataset the challenger trains on (its newest version when the policy fires): its id or its name.' }) datasetId!: string;

  @Field(() => HyperparametersInput, { nullable: true, description: 'Overrides of the model\'s defaults for the challenger.' })
  @IsOptional() @ValidateNested()
  hyperparameters?: HyperparametersInput | null;

  @Field(() => PolicySweepInput, { nullable: true, description: 'Run a small sweep instead of one run; its best run is the challenger.' })
  @IsOptional() @ValidateNested()
  sweep?: PolicySweepInput | null;

  @Field(() => Environment, { description: 'Where the challenger goes live; something must be live there (the champion).' }) promoteTo!: Environment;

  @Field(() => PromotionGateInput, { description: 'What the challenger must reach on the newest rows: a threshold, and/or (mustBeatCurrent) at least the champion\'s value on the same rows.' })
  @ValidateNested()
  gate!: PromotionGateInput;

  @Field(() => Int, { nullable: true, description: 'Run a challenger that passed the gate as a SHADOW beside the champion for this many seconds (1 to 604,800: a week) before asking for its promotion; the reason then carries the shadow\'s agreement with the champion.' })
  @IsOptional() @IsInt() @Min(1) @Max(604_800)
  shadowSeconds?: number | null;

  @Field(() => Int, { defaultValue: 20, description: 'The newest rows held out for the comparison, in percent (5 to 50): the challenger trains on the older rows (a TIME_ORDERED split) and both versions are measured on these.' })
  @IsInt() @Min(5) @Max(50)
  testPercent!: number;
}

@ArgsType()
export class RetrainEventsArgs extends PageArgs {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;
}
