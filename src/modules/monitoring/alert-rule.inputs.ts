import { IsOptional, Length, Max, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { AlertComparator, AlertMetric, AlertSeverity, AlertState } from './alert-enums';

@InputType({ description: 'A new alert rule.' })
export class CreateAlertRuleInput {
  @Field({ description: '1 to 200 characters.' })
  @Length(1, 200)
  name!: string;

  @Field(() => AlertMetric)
  metric!: AlertMetric;

  @Field(() => AlertComparator, { defaultValue: AlertComparator.GT })
  comparator!: AlertComparator;

  @Field(() => Float, { description: 'A finite number, in the metric\'s unit.' })
  threshold!: number;

  @Field(() => Int, { defaultValue: 0, description: 'Seconds the condition must hold (0 to 86,400).' })
  @Min(0) @Max(86_400)
  forSeconds!: number;

  @Field(() => Int, { defaultValue: 300, description: 'Seconds after a resolve before the rule may fire again (0 to 86,400).' })
  @Min(0) @Max(86_400)
  cooldownSeconds!: number;

  @Field(() => AlertSeverity, { defaultValue: AlertSeverity.WARNING })
  severity!: AlertSeverity;

  @Field(() => ID, { nullable: true, description: 'Per-model metrics only: watch just this model, by id or name (default: every model).' })
  modelId?: string | null;

  @Field({ defaultValue: true })
  enabled!: boolean;
}

@InputType({ description: 'Changes to an alert rule; omitted fields stay. Open alerts of the rule are resolved, and it starts afresh.' })
export class UpdateAlertRuleInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional() @Length(1, 200)
  name?: string | null;

  @Field(() => AlertComparator, { nullable: true })
  comparator?: AlertComparator | null;

  @Field(() => Float, { nullable: true })
  threshold?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional() @Min(0) @Max(86_400)
  forSeconds?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional() @Min(0) @Max(86_400)
  cooldownSeconds?: number | null;

  @Field(() => AlertSeverity, { nullable: true })
  severity?: AlertSeverity | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;
}

@InputType({ description: 'Narrows the alerts list; all given conditions must hold.' })
export class AlertFilter {
  @Field(() => AlertState, { nullable: true })
  state?: AlertState | null;

  @Field(() => AlertSeverity, { nullable: true, description: 'At least this severity.' })
  minSeverity?: AlertSeverity | null;

  @Field(() => ID, { nullable: true, description: 'The model: its id or its name.' })
  modelId?: string | null;

  @Field(() => ID, { nullable: true })
  ruleId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Opened at or after.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Opened before.' })
  to?: Date | null;
}

@ArgsType()
export class AlertsArgs extends PageArgs {
  @Field(() => AlertFilter, { nullable: true })
  filter?: AlertFilter | null;
}
