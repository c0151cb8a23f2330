import { ArrayMaxSize, Length, MaxLength, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType } from 'type-graphql';
import { Environment } from '../deployments/environment';

@InputType({ description: 'A decision threshold for one environment.' })
export class EnvironmentThresholdInput {
  @Field(() => Environment) environment!: Environment;
  @Field(() => Float, { description: 'Strictly between 0 and 1: a score below it is a DECLINE.' }) threshold!: number;
}

@InputType({ description: 'The reason code of one feature.' })
export class ReasonCodeInput {
  @Field({ description: 'A feature of the model.' }) @Length(1, 200) feature!: string;
  @Field({ description: '1 to 20 of letters, digits, `_` and `-`.' }) @Length(1, 20) code!: string;
  @Field({ description: '1 to 300 characters.' }) @Length(1, 300) text!: string;
}

@InputType({ description: 'A binary model\'s decision policy; replaces the one it has.' })
export class SetDecisionPolicyInput {
  @Field(() => ID, { description: 'The model: its id or its name.' }) @MaxLength(200) modelId!: string;

  @Field(() => [EnvironmentThresholdInput], { defaultValue: [], description: 'At most one per environment; 0.5 where none is given.' })
  @ArrayMaxSize(10) @ValidateNested({ each: true })
  thresholds!: EnvironmentThresholdInput[];

  @Field(() => [ReasonCodeInput], { description: 'At most one per feature (at most 500), each naming a feature of the model.' })
  @ArrayMaxSize(500) @ValidateNested({ each: true })
  reasons!: ReasonCodeInput[];
}
