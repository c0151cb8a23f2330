import { ArrayMaxSize, ArrayMinSize, IsNumber, IsOptional, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { currentThenLive } from '../../engines/events/current-then-live';
import { badInput } from '../../core/errors';
import { Environment } from '../deployments/environment';
import { Model } from '../models/model.entity';
import type { Context } from '../shared/context';
import { Role, Roles } from '../shared/role';
import { BacktestStrategy } from '../backtests/backtest.entity';
import { Feed, FeedDeadLetter, FeedKind, PaperDecision, PaperSession, PaperStatus } from './feed.entities';

@InputType()
class CreateFeedInput {
  @Field({ description: 'A unique name, at most 200 characters.' }) @MaxLength(200) name!: string;
  @Field(() => ID, { description: 'The dataset whose columns every row must have: its id or its name.' }) datasetId!: string;
  @Field(() => FeedKind) kind!: FeedKind;
  @Field(() => String, { nullable: true, description: 'REDIS_STREAM: the stream key; `<REDIS_PREFIX>:feeds:<name>` when omitted.' }) @IsOptional() @MaxLength(300) streamKey?: string | null;
}

@InputType()
class TickInput {
  @Field(() => ID, { nullable: true, description: 'The sender\'s id of the tick (at most 200 characters): a tick sent twice with one id is stored once.' }) @IsOptional() @MaxLength(200) id?: string | null;
  @Field(() => GraphQLJSONObject, { description: 'The row: a value for every column of the feed\'s dataset.' }) row!: Record<string, unknown>;
}

@InputType()
class PushTicksInput {
  @Field(() => ID) feedId!: string;
  @Field(() => [TickInput], { description: '1 to 1,000 ticks, in order.' }) @ArrayMinSize(1) @ArrayMaxSize(1000) @ValidateNested({ each: true }) ticks!: TickInput[];
}

@ObjectType({ description: 'What pushTicks did with the ticks.' })
class PushTicksResult {
  @Field(() => Int) accepted!: number;
  @Field(() => Int, { description: 'Already stored under the same id.' }) duplicates!: number;
  @Field(() => Int, { description: 'Refused (see feedDeadLetters for why).' }) deadLettered!: number;
}

@InputType({ description: 'Paper trading of a forecast model on a feed: a back-test\'s strategy, live.' })
class StartPaperTradingInput {
  @Field(() => ID, { description: 'The model: its id or its name.' }) modelId!: string;
  @Field(() => Environment, { defaultValue: Environment.PRODUCTION }) environment!: Environment;
  @Field(() => ID) feedId!: string;
  @Field(() => BacktestStrategy, { description: 'LONG_ONLY or LONG_SHORT.' }) strategy!: BacktestStrategy;
  @Field(() => Float, { defaultValue: 0 }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) entryThreshold!: number;
  @Field(() => Float, { defaultValue: 1 }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.0001) @Max(1) positionSize!: number;
  @Field(() => Float, { defaultValue: 0 }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10_000) costBps!: number;
  @Field(() => Float, { defaultValue: 0 }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10_000) slippageBps!: number;
  @Field(() => Float, { defaultValue: 10_000 }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.01) @Max(1e15) initialCapital!: number;
  @Field(() => Float, { defaultValue: 252, description: 'Ticks per year, for the annualised figures.' }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1) @Max(1e8) periodsPerYear!: number;
}

@Resolver(() => Feed)
export class FeedResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Feed, { description: 'A live feed of rows for a dataset\'s columns. CONFLICT for a name taken; BAD_USER_INPUT for a REDIS_STREAM without REDIS_URL.' })
  createFeed(@Arg('input') input: CreateFeedInput, @Ctx() { services, caller }: Context) {
    return services.feeds.create(input, caller?.keyId ?? null);
  }

  @Authorized(Role.DATA_SCIENTIST, Role.ADMIN, Role.PARTNER)
  @Mutation(() => PushTicksResult, { description: 'Sends ticks to an HTTP_PUSH feed (partners included). Each row is checked against the feed\'s columns: a bad one is dead-lettered with the reason, never dropped; one already sent with the same id is stored once.' })
  pushTicks(@Arg('input') input: PushTicksInput, @Ctx() { services }: Context) {
    return services.feeds.push(input.feedId, input.ticks);
  }

  @Authorized(...Roles.READERS)
  @Query(() => [FeedDeadLetter], { description: 'The rows a feed refused, newest first, with why.' })
  async feedDeadLetters(@Arg('feedId', () => ID) feedId: string, @Arg('first', () => Int, { defaultValue: 50 }) first: number, @Ctx() { services }: Context) {
    await services.feeds.get(feedId);
    return services.feeds.deadLetters(feedId, Math.min(Math.max(first, 1), 500));
  }
}

@Resolver(() => PaperSession)
export class PaperSessionResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => PaperSession, { description: 'Starts paper trading: on every new tick of the feed, the model\'s live version in `environment` forecasts from the last windowSize ticks and the strategy moves a simulated portfolio. Decided once per tick, across restarts.' })
  startPaperTrading(@Arg('input') input: StartPaperTradingInput, @Ctx() { services, caller }: Context) {
    if (input.strategy === BacktestStrategy.CREDIT_APPROVAL) throw badInput('paper trading trades a price: LONG_ONLY or LONG_SHORT', { field: 'input.strategy' });
    return services.paperTrading.start({ ...input, strategy: input.strategy }, caller?.keyId ?? null);
  }

  @Authorized(...Roles.BUILDERS)
  @Mutation(() => PaperSession, { description: 'Stops a session (its figures stay). CONFLICT when already stopped.' })
  stopPaperTrading(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.paperTrading.stop(id);
  }

  @Authorized(...Roles.READERS)
  @Query(() => PaperSession, { nullable: true })
  paperTradingSession(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.paperTrading.get(id);
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => PaperDecision, {
    subscribe: async ({ args, context }) => {
      const { events, paperTrading } = (context as Context).services;
      const session = await paperTrading.get(args.sessionId);
      return currentThenLive(events.subscribe('PAPER_TRADING_UPDATED', args.sessionId), async () => ({ sessionId: session.id, status: (await paperTrading.get(session.id)).status, decision: paperTrading.current(await paperTrading.get(session.id)) }),
        { isLast: (event) => event.status === PaperStatus.STOPPED, limit: 10_000 });
    },
    description: 'A session\'s running figures first, then each decision (tick, forecast, position, equity, Sharpe, drawdown), completing when it stops. NOT_FOUND for an unknown session.',
  })
  paperTradingUpdated(@Arg('sessionId', () => ID) _sessionId: string, @Root() event: { decision: PaperDecision }): PaperDecision {
    return event.decision;
  }

  @FieldResolver(() => Model)
  model(@Root() session: PaperSession, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(session.modelId);
  }

  @FieldResolver(() => PaperDecision, { description: 'The running figures now.' })
  figures(@Root() session: PaperSession, @Ctx() { services }: Context) {
    return services.paperTrading.current(session);
  }

  @FieldResolver(() => Int, { description: 'Ticks decided.' })
  decisions(@Root() session: PaperSession) {
    return session.state.decisions;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Share of ticks in a position whose move had the position\'s sign.' })
  hitRate(@Root() session: PaperSession) {
    return session.state.held ? session.state.hits / session.state.held : null;
  }
}

