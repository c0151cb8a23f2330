import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import type { Performance, ThresholdPoint as ThresholdPointData, Trade } from '../../ml/backtest';
import { Node } from '../shared/node';

export enum BacktestStrategy { LONG_ONLY = 'LONG_ONLY', LONG_SHORT = 'LONG_SHORT', CREDIT_APPROVAL = 'CREDIT_APPROVAL' }
registerEnumType(BacktestStrategy, {
  name: 'BacktestStrategy',
  description: 'LONG_ONLY and LONG_SHORT trade a forecast model\'s price (its target) on its predicted return; CREDIT_APPROVAL approves a binary classifier\'s applicants above a score threshold, swept from 0 to 1.',
});

export enum BacktestStatus { QUEUED = 'QUEUED', RUNNING = 'RUNNING', SUCCEEDED = 'SUCCEEDED', FAILED = 'FAILED' }
registerEnumType(BacktestStatus, { name: 'BacktestStatus', description: 'QUEUED → RUNNING → SUCCEEDED | FAILED (error says why).' });

@ObjectType({ description: 'Performance of an equity curve (period returns; risk-free rate 0; annualised with the periods per year of the time column).' })
export class PerformanceFigures implements Performance {
  @Field(() => Float) totalReturn!: number;
  @Field(() => Float) cagr!: number;
  @Field(() => Float, { description: 'Annualised: the sample standard deviation of period returns × √(periods per year).' }) volatility!: number;
  @Field(() => Float, { nullable: true }) sharpe!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean return over the downside deviation √(mean(min(r, 0)²)), annualised.' }) sortino!: number | null;
  @Field(() => Float, { description: 'Largest fall from a running peak, as a share of the peak (0.2 = 20 %).' }) maxDrawdown!: number;
  @Field(() => Int, { description: 'Longest stretch below a previous peak, in periods.' }) maxDrawdownPeriods!: number;
  @Field(() => Float, { nullable: true }) calmar!: number | null;
}

@ObjectType({ description: 'A trading back-test\'s figures: its performance, and how it traded.' })
export class TradingFigures extends PerformanceFigures {
  @Field(() => Float, { nullable: true, description: 'Share of periods in a position whose return had the position\'s sign.' }) hitRate!: number | null;
  @Field(() => Int, { description: 'Position changes.' }) trades!: number;
  @Field(() => Float, { description: 'Sum of |position changes| (in multiples of equity) per year.' }) turnover!: number;
  @Field(() => Float, { description: 'Periods per year, from the time column.' }) periodsPerYear!: number;
}

@ObjectType()
export class EquityPoint {
  @Field({ description: 'The period\'s end (the time column).' }) at!: Date;
  @Field(() => Float) equity!: number;
  @Field(() => Float, { description: 'Buy-and-hold over the same periods.' }) benchmark!: number;
}

@ObjectType()
export class BacktestTrade {
  @Field({ description: 'When the position was taken: the close of the previous period.' }) at!: Date;
  @Field(() => Float, { description: 'The position after it: +size, 0 or −size.' }) position!: number;
  @Field(() => Float) price!: number;
  @Field(() => Float) predictedReturn!: number;
  @Field(() => Float, { description: 'Costs and slippage paid.' }) cost!: number;
}

@ObjectType({ description: 'A page of trades, oldest first.' })
export class BacktestTradePage {
  @Field(() => [BacktestTrade]) items!: BacktestTrade[];
  @Field(() => Int) totalCount!: number;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

@ObjectType({ description: 'CREDIT_APPROVAL at one threshold: applicants whose probability of being good is at least it are approved.' })
export class ThresholdPoint implements ThresholdPointData {
  @Field(() => Float) threshold!: number;
  @Field(() => Float) approvalRate!: number;
  @Field(() => Float, { nullable: true, description: 'Bad loans among the approved (null when none is).' }) badRate!: number | null;
  @Field(() => Float) expectedProfit!: number;
}

/** A trade as stored: its step's time kept beside it. */
export type StoredTrade = Trade & { at: number };

@ObjectType({ implements: Node, description: 'A back-test: a model version\'s decisions walked forward over a dataset version (the decision at t uses rows before t only), with the same figures for buy-and-hold; or, for a classifier, the credit-approval profit over score thresholds.' })
@Entity('backtest')
export class Backtest implements Node {
  static readonly idPrefix = 'bt';

  @Field(() => ID) @IdColumn() id!: string;
  @RefColumn('model_id') modelId!: string;
  @RefColumn('model_version_id') modelVersionId!: string;
  @RefColumn('dataset_version_id') datasetVersionId!: string;
  @Field(() => BacktestStrategy) @Column({ type: 'varchar', length: 20 }) strategy!: BacktestStrategy;
  /** The strategy's settings, as given. */
  @JsonColumn() parameters!: Record<string, unknown>;
  @Field(() => Date, { nullable: true }) @TimeColumn('range_from', { nullable: true }) from!: Date | null;
  @Field(() => Date, { nullable: true }) @TimeColumn('range_to', { nullable: true }) to!: Date | null;
  @Field(() => BacktestStatus) @Column({ type: 'varchar', length: 20 }) status!: BacktestStatus;
  @Field(() => Float) @Column({ type: 'double' }) progress!: number;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) error!: string | null;
  @Field(() => Int, { nullable: true, description: 'Rows (periods, or applicants) it covered.' }) @Column({ name: 'row_count', type: 'int', nullable: true }) rowCount!: number | null;
  @JsonColumn({ nullable: true }) metrics!: (Performance & { hitRate: number | null; trades: number; turnover: number; periodsPerYear: number }) | null;
  @JsonColumn({ nullable: true }) benchmark!: Performance | null;
  /** [time (ms), equity, benchmark] per period. */
  @JsonColumn({ name: 'equity', nullable: true }) equity!: [number, number, number][] | null;
  @JsonColumn({ name: 'trades', nullable: true }) tradeList!: StoredTrade[] | null;
  @JsonColumn({ name: 'threshold_curve', nullable: true }) curve!: ThresholdPointData[] | null;
  @RefColumn('created_by', { nullable: true }) createdBy!: string | null;
  @Field() @TimeColumn('created_at') createdAt!: Date;
  @Field(() => Date, { nullable: true }) @TimeColumn('finished_at', { nullable: true }) finishedAt!: Date | null;
}
