import { ArrayMaxSize, IsOptional, Length, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { Architecture, ModelTask } from './model-enums';
import { HyperparametersInput } from './hyperparameters';
import { PromotionGateInput } from './promotion-gate';
import { ModelInventoryInput, RiskTier } from './model-inventory';

@InputType({ description: 'A new model definition. The task must suit the architecture, and the target must not be a feature.' })
export class CreateModelInput extends ModelInventoryInput {
  @Field({ description: 'Unique name, 1 to 200 characters.' })
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text for people (at most 10,000 characters).' })
  @IsOptional() @MaxLength(10_000)
  description?: string | null;

  @Field(() => ModelTask)
  task!: ModelTask;

  @Field(() => Architecture)
  architecture!: Architecture;

  @Field(() => [String], { description: 'Input columns (1 to 500, distinct). May be empty for TIME_SERIES_FORECAST, which then uses the target\'s own history.' })
  @ArrayMaxSize(500) @MaxLength(200, { each: true })
  featureColumns!: string[];

  @Field({ description: 'The column to predict.' })
  @Length(1, 200)
  targetColumn!: string;

  @Field(() => HyperparametersInput, { nullable: true, description: 'Defaults for training runs; omitted fields take the architecture\'s defaults.' })
  @IsOptional() @ValidateNested()
  hyperparameters?: HyperparametersInput | null;
}

@InputType({ description: 'Changes to a model; omitted fields stay as they are. Task, architecture and columns are fixed once created; the risk tier changes with setModelControls.' })
export class UpdateModelInput extends ModelInventoryInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'New unique name.' })
  @IsOptional() @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional() @MaxLength(10_000)
  description?: string | null;

  @Field(() => HyperparametersInput, { nullable: true, description: 'New defaults, merged over the current ones.' })
  @IsOptional() @ValidateNested()
  hyperparameters?: HyperparametersInput | null;
}

@InputType({ description: 'Narrows the models list; all given conditions must hold.' })
export class ModelFilter {
  @Field(() => String, { nullable: true, description: 'Name contains this text (case-insensitive).' })
  @IsOptional() @MaxLength(200)
  nameContains?: string | null;

  @Field(() => ModelTask, { nullable: true })
  task?: ModelTask | null;

  @Field(() => Architecture, { nullable: true })
  architecture?: Architecture | null;

  @Field({ defaultValue: false, description: 'Include archived models (default false).' })
  includeArchived!: boolean;

  @Field(() => RiskTier, { nullable: true, description: 'Only models of this risk tier.' })
  riskTier?: RiskTier | null;

  @Field(() => String, { nullable: true, description: 'Only models this principal owns (exact).' })
  @IsOptional() @MaxLength(200)
  owner?: string | null;

  @Field(() => String, { nullable: true, description: 'Only models of this business line (exact).' })
  @IsOptional() @MaxLength(200)
  businessLine?: string | null;

  @Field(() => String, { nullable: true, description: 'Only models tagged with this regulation (exact).' })
  @IsOptional() @MaxLength(50)
  regulation?: string | null;
}

@InputType({ description: 'The controls on putting a model live in PRODUCTION; only APPROVER and ADMIN keys may change them.' })
export class SetModelControlsInput {
  @Field(() => ID, { description: 'The model: its id or its name.' })
  modelId!: string;

  @Field(() => Boolean, { nullable: true, description: 'Require an approval by a second person for PRODUCTION (omit to keep).' })
  @IsOptional()
  requiresApproval?: boolean | null;

  @Field(() => PromotionGateInput, { nullable: true, description: 'The new promotion gate (omit to keep; see clearPromotionGate).' })
  @IsOptional() @ValidateNested()
  promotionGate?: PromotionGateInput | null;

  @Field({ defaultValue: false, description: 'Remove the promotion gate.' })
  clearPromotionGate!: boolean;

  @Field(() => RiskTier, { nullable: true, description: 'The new risk tier (omit to keep).' })
  riskTier?: RiskTier | null;
}
