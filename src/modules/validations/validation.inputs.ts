import { IsOptional, Length, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { ModelFilter } from '../models/model.inputs';
import { FindingSeverity, FindingStatus, ValidationConclusion, ValidationState, ValidationStatus } from './validation-enums';

@InputType({ description: 'Opens a validation of a model version.' })
export class OpenValidationInput {
  @Field(() => ID)
  @MaxLength(200)
  modelVersionId!: string;

  @Field({ description: 'What it covers (1 to 10,000 characters).' })
  @Length(1, 10_000)
  scope!: string;
}

@InputType({ description: 'A finding of an OPEN validation.' })
export class AddValidationFindingInput {
  @Field(() => ID)
  @MaxLength(200)
  validationId!: string;

  @Field(() => FindingSeverity)
  severity!: FindingSeverity;

  @Field({ description: 'What was found (1 to 10,000 characters).' })
  @Length(1, 10_000)
  description!: string;

  @Field({ description: 'Who must deal with it (a principal, 1 to 200 characters).' })
  @Length(1, 200)
  owner!: string;

  @Field({ description: 'When it must be dealt with (after now).' })
  dueAt!: Date;
}

@InputType({ description: 'Closes a finding: REMEDIATED or ACCEPTED, with a note.' })
export class ResolveValidationFindingInput {
  @Field(() => ID)
  @MaxLength(200)
  findingId!: string;

  @Field(() => FindingStatus, { description: 'REMEDIATED or ACCEPTED.' })
  status!: FindingStatus;

  @Field({ description: 'How it was fixed, or why the risk is accepted (1 to 10,000 characters).' })
  @Length(1, 10_000)
  note!: string;
}

@InputType({ description: 'Concludes a validation with an attestation.' })
export class ConcludeValidationInput {
  @Field(() => ID)
  @MaxLength(200)
  validationId!: string;

  @Field(() => ValidationConclusion)
  conclusion!: ValidationConclusion;

  @Field({ description: 'The attestation statement (1 to 10,000 characters); who and when are recorded with it.' })
  @Length(1, 10_000)
  statement!: string;
}

@InputType({ description: 'Narrows the validations list; all given conditions must hold.' })
export class ValidationFilter {
  @Field(() => ID, { nullable: true, description: 'The model: its id or its name.' })
  @IsOptional() @MaxLength(200)
  model?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional() @MaxLength(200)
  modelVersionId?: string | null;

  @Field(() => ValidationState, { nullable: true })
  state?: ValidationState | null;
}

@ArgsType()
export class ValidationsArgs extends PageArgs {
  @Field(() => ValidationFilter, { nullable: true })
  filter?: ValidationFilter | null;
}

@InputType({ description: 'Narrows the model inventory: the models list\'s conditions, plus the standing with the validators.' })
export class ModelInventoryFilter extends ModelFilter {
  @Field(() => ValidationStatus, { nullable: true, description: 'Only models with this standing.' })
  status?: ValidationStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only models whose approval has expired or that have an OPEN finding past its due date; false: only the others.' })
  overdue?: boolean | null;
}

@ArgsType()
export class ModelInventoryArgs extends PageArgs {
  @Field(() => ModelInventoryFilter, { nullable: true })
  filter?: ModelInventoryFilter | null;
}
