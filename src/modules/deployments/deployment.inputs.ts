import { IsOptional, Length, MaxLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { DeploymentMode } from './challenger.entity';
import { PageArgs } from '../shared/page.args';
import { DeploymentRequestStatus } from './deployment-request.entity';
import { Environment } from './environment';

@InputType({ description: 'Put a trained version live in an environment.' })
export class DeployModelVersionInput {
  @Field(() => ID)
  modelVersionId!: string;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => String, { nullable: true, description: 'Why, for the audit trail (at most 2,000 characters).' })
  @IsOptional() @MaxLength(2000)
  reason?: string | null;

  @Field({ defaultValue: false, description: 'Deploy even though the version\'s input signature differs from the live one\'s (clients must send the new shape). Default false: CONFLICT.' })
  allowSignatureChange!: boolean;

  @Field(() => DeploymentMode, { defaultValue: DeploymentMode.LIVE, description: 'LIVE replaces the live version. SHADOW and CANARY run the version beside it as a challenger (one per environment; CONFLICT for a second): a SHADOW needs no gate or approval (it answers nobody); a CANARY goes through the same gate and approval as a deploy.' })
  mode!: DeploymentMode;

  @Field(() => Int, { nullable: true, description: 'CANARY only: the share of requests it answers, 1 to 99.' })
  trafficPercent?: number | null;
}

@InputType({ description: 'The challenger of a model in one environment.' })
export class ChallengerInput {
  @Field(() => ID, { description: 'The model: its id or its name.' })
  modelId!: string;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => String, { nullable: true, description: 'Why, for the audit trail (at most 2,000 characters).' })
  @IsOptional() @MaxLength(2000)
  reason?: string | null;
}

@InputType({ description: 'Put back the version that served before the live one.' })
export class RollbackDeploymentInput {
  @Field(() => ID, { description: 'The model: its id or its name.' })
  modelId!: string;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => String, { nullable: true, description: 'Why (at most 2,000 characters).' })
  @IsOptional() @MaxLength(2000)
  reason?: string | null;
}

@ArgsType()
export class DeploymentHistoryArgs extends PageArgs {
  @Field(() => ID, { description: 'The model: its id or its name.' })
  modelId!: string;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => Date, { nullable: true, description: 'Only deployments made at or before this time: the first one returned is the one that was serving then.' })
  servingAt?: Date | null;
}

@InputType({ description: 'Narrows deployment requests; all given conditions must hold.' })
export class DeploymentRequestFilter {
  @Field(() => DeploymentRequestStatus, { nullable: true })
  status?: DeploymentRequestStatus | null;

  @Field(() => ID, { nullable: true, description: 'The model: its id or its name.' })
  modelId?: string | null;
}

@ArgsType()
export class DeploymentRequestsArgs extends PageArgs {
  @Field(() => DeploymentRequestFilter, { nullable: true })
  @IsOptional() @ValidateNested()
  filter?: DeploymentRequestFilter | null;
}

@InputType({ description: 'Approve a pending request: the version goes live at once.' })
export class ApproveDeploymentRequestInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' })
  @IsOptional() @MaxLength(2000)
  comment?: string | null;
}

@InputType({ description: 'Reject a pending request.' })
export class RejectDeploymentRequestInput {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Why (1 to 2,000 characters).' })
  @Length(1, 2000)
  reason!: string;
}
