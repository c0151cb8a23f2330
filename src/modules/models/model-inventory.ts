import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType, registerEnumType } from 'type-graphql';

/** How much harm a wrong answer of the model can do; a bank's model-risk policy sets the controls per tier. */
export enum RiskTier {
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}
registerEnumType(RiskTier, {
  name: 'RiskTier',
  description: 'The model-risk tier (SR 11-7 style): how much harm a wrong answer can do. Only APPROVER and ADMIN keys set it (setModelControls).',
  valuesConfig: {
    HIGH: { description: 'Decisions about customers or capital, e.g. credit approval.' },
    MEDIUM: { description: 'The default for a new model: material, but with a person or another control after it.' },
    LOW: { description: 'Informational, e.g. a dashboard forecast.' },
  },
});

/** A regulation tag: letters, digits and `-_./ ` (e.g. `ECOA`, `Reg B`, `IFRS-9`). */
const TAG = /^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,49}$/;

/**
 * The inventory facts a model-risk team keeps per model, beside what the model does. Create and
 * update take the same fields (omitted fields stay as they are on update).
 */
// type-graphql copies a decorated parent's fields into each input class that extends it.
@InputType({ description: 'The inventory facts of a model (see CreateModelInput and UpdateModelInput).' })
export abstract class ModelInventoryInput {
  @Field(() => String, { nullable: true, description: 'The person or team accountable for the model (a principal, 1 to 200 characters). By default the principal of the key that creates it.' })
  @IsOptional() @Length(1, 200)
  owner?: string | null;

  @Field(() => String, { nullable: true, description: 'What the model is for and what it decides (at most 10,000 characters).' })
  @IsOptional() @MaxLength(10_000)
  intendedUse?: string | null;

  @Field(() => String, { nullable: true, description: 'Where it should not be relied on: populations, ranges, conditions (at most 10,000 characters).' })
  @IsOptional() @MaxLength(10_000)
  knownLimitations?: string | null;

  @Field(() => String, { nullable: true, description: 'The business line that uses it, e.g. `Retail lending` (at most 200 characters).' })
  @IsOptional() @MaxLength(200)
  businessLine?: string | null;

  @Field(() => [String], { nullable: true, description: 'Regulations it falls under, as tags (at most 20, each 1 to 50 of letters, digits, space and `._/-`), e.g. ["ECOA", "Reg B"]. Replaces the list on update.' })
  @IsOptional() @ArrayMaxSize(20) @Matches(TAG, { each: true, message: 'each regulation is 1 to 50 of letters, digits, space and ._/- (starting with a letter or digit)' })
  regulations?: string[] | null;
}

/** Tags as stored: trimmed, distinct, in the order given. */
export const normalisedRegulations = (tags: string[]): string[] => [...new Set(tags.map((tag) => tag.trim()))];
