import { IsInt, IsNumber, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { BacktestStrategy } from './backtest.entity';

@InputType({ description: 'A back-test of one model version on one dataset version. Checked before it is queued.' })
export class RunBacktestInput {
  @Field(() => ID) modelVersionId!: string;
  @Field(() => ID, { description: 'The dataset: its id or its name.' }) datasetId!: string;

  @Field(() => Int, { nullable: true, description: 'Dataset version; the latest when omitted.' })
  @IsOptional() @IsInt() @Min(1)
  datasetVersion?: number | null;

  @Field(() => BacktestStrategy) strategy!: BacktestStrategy;

  @Field(() => Date, { nullable: true, description: 'First period traded (rows before it still serve as history). Needs a time column.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Last period traded.' }) to?: Date | null;

  @Field(() => String, { nullable: true, description: 'Trading: the DATE column that orders the rows; the first DATE column when omitted.' })
  @IsOptional() @MaxLength(200)
  timeColumn?: string | null;

  @Field(() => Float, { defaultValue: 0, description: 'Trading: enter when the predicted return exceeds this (0.01 = 1 %); LONG_SHORT shorts below its negative. 0 to 1.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  entryThreshold!: number;

  @Field(() => Float, { defaultValue: 1, description: 'Trading: share of equity in the position, above 0 up to 1.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.0001) @Max(1)
  positionSize!: number;

  @Field(() => Float, { defaultValue: 0, description: 'Trading: transaction costs per unit of position traded, in basis points (0 to 10,000).' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10_000)
  costBps!: number;

  @Field(() => Float, { defaultValue: 0, description: 'Trading: slippage, in basis points (0 to 10,000).' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10_000)
  slippageBps!: number;

  @Field(() => Float, { defaultValue: 10_000, description: 'Trading: starting equity (above 0).' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.01) @Max(1e15)
  initialCapital!: number;

  @Field(() => Float, { nullable: true, description: 'CREDIT_APPROVAL: earned per approved good loan (0 or more).' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1e12)
  profitPerGood?: number | null;

  @Field(() => Float, { nullable: true, description: 'CREDIT_APPROVAL: lost per approved bad loan (0 or more).' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1e12)
  lossPerBad?: number | null;

  @Field(() => String, { nullable: true, description: 'CREDIT_APPROVAL: the target label of a good loan; the positive class (the second label) when omitted.' })
  @IsOptional() @MaxLength(200)
  goodLabel?: string | null;
}

@InputType({ description: 'Narrows the back-tests list.' })
export class BacktestFilter {
  @Field(() => ID, { nullable: true, description: 'The model: its id or its name.' }) modelId?: string | null;
}

@ArgsType()
export class BacktestsArgs extends PageArgs {
  @Field(() => BacktestFilter, { nullable: true })
  filter?: BacktestFilter | null;
}
