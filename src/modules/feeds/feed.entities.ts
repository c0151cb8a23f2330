import { GraphQLJSONObject } from 'graphql-scalars';
import { Column, Entity } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Environment } from '../deployments/environment';
import { Node } from '../shared/node';

export enum FeedKind { REDIS_STREAM = 'REDIS_STREAM', HTTP_PUSH = 'HTTP_PUSH' }
registerEnumType(FeedKind, { name: 'FeedKind', description: 'REDIS_STREAM: rows read with XREADGROUP from a Redis stream (the cluster form; each entry a field `row` holding JSON). HTTP_PUSH: rows sent with pushTicks.' });

export enum PaperStatus { RUNNING = 'RUNNING', STOPPED = 'STOPPED' }
registerEnumType(PaperStatus, { name: 'PaperStatus' });

@ObjectType({ implements: Node, description: 'A live source of rows for a dataset\'s columns: each row is checked against them; a bad one goes to the dead letters with its reason.' })
@Entity('feed')
export class Feed implements Node {
  static readonly idPrefix = 'feed';
  @Field(() => ID) @IdColumn() id!: string;
  @Field() @Column({ type: 'varchar', length: 200 }) name!: string;
  @RefColumn('dataset_id') datasetId!: string;
  @Field(() => FeedKind) @Column({ type: 'varchar', length: 20 }) kind!: FeedKind;
  @Field(() => String, { nullable: true, description: 'REDIS_STREAM: the stream key read (XADD rows to it).' }) @Column({ name: 'stream_key', type: 'varchar', length: 300, nullable: true }) streamKey!: string | null;
  @Field(() => Int, { description: 'Ticks stored so far.' }) @Column({ name: 'last_seq', type: 'int' }) lastSeq!: number;
  @RefColumn('created_by', { nullable: true }) createdBy!: string | null;
  @Field() @TimeColumn('created_at') createdAt!: Date;
}

@Entity('feed_tick')
export class FeedTick {
  static readonly idPrefix = 'tick';
  @IdColumn() id!: string;
  @RefColumn('feed_id') feedId!: string;
  @Column({ type: 'int' }) seq!: number;
  @Column({ name: 'source_id', type: 'varchar', length: 200 }) sourceId!: string;
  @JsonColumn() data!: Record<string, unknown>;
  @TimeColumn('received_at') receivedAt!: Date;
}

@ObjectType({ description: 'A row a feed refused, with why.' })
@Entity('feed_dead_letter')
export class FeedDeadLetter {
  static readonly idPrefix = 'dl';
  @Field(() => ID) @IdColumn() id!: string;
  @RefColumn('feed_id') feedId!: string;
  @Field(() => String, { nullable: true }) @Column({ name: 'source_id', type: 'varchar', length: 200, nullable: true }) sourceId!: string | null;
  @Field(() => GraphQLJSONObject, { description: 'The row as received.' }) @JsonColumn() data!: Record<string, unknown>;
  @Field() @Column({ type: 'text' }) reason!: string;
  @Field() @TimeColumn('received_at') receivedAt!: Date;
}

/** A paper portfolio's running state, stored with the last tick it decided. */
export interface PaperState {
  equity: number;
  position: number;
  lastPrice: number | null;
  /** The last windowSize rows, oldest first: the model's input at the next tick. */
  window: Record<string, unknown>[];
  /** Equity after each decided tick (for the risk figures), newest last; bounded. */
  curve: number[];
  trades: number;
  decisions: number;
  held: number;
  hits: number;
}

@ObjectType({ implements: Node, description: 'Paper trading: a model\'s live version deciding on every new tick of a feed, with a simulated portfolio.' })
@Entity('paper_session')
export class PaperSession implements Node {
  static readonly idPrefix = 'pts';
  @Field(() => ID) @IdColumn() id!: string;
  @RefColumn('model_id') modelId!: string;
  @Field(() => Environment) @Column({ type: 'varchar', length: 20 }) environment!: Environment;
  @RefColumn('feed_id') feedId!: string;
  @Field() @Column({ type: 'varchar', length: 20 }) strategy!: string;
  @JsonColumn() parameters!: { entryThreshold: number; positionSize: number; costBps: number; slippageBps: number; initialCapital: number; periodsPerYear: number };
  @Field(() => PaperStatus) @Column({ type: 'varchar', length: 20 }) status!: PaperStatus;
  @Field(() => Int, { description: 'The last tick (sequence number) decided.' }) @Column({ name: 'last_seq', type: 'int' }) lastSeq!: number;
  @JsonColumn() state!: PaperState;
  @RefColumn('created_by', { nullable: true }) createdBy!: string | null;
  @Field() @TimeColumn('created_at') createdAt!: Date;
  @Field(() => Date, { nullable: true }) @TimeColumn('stopped_at', { nullable: true }) stoppedAt!: Date | null;
}

@ObjectType({ description: 'One decision on one tick, with the running figures.' })
export class PaperDecision {
  @Field(() => Int) seq!: number;
  @Field(() => Float, { nullable: true, description: 'The forecast price (null while the window fills).' }) forecast!: number | null;
  @Field(() => Float) price!: number;
  @Field(() => Float) position!: number;
  @Field(() => Float) equity!: number;
  @Field(() => Float, { nullable: true }) sharpe!: number | null;
  @Field(() => Float) maxDrawdown!: number;
  @Field(() => Float) totalReturn!: number;
  @Field(() => Int) trades!: number;
}
