import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { badInput } from '../../core/errors';
import { currentThenLive } from '../../engines/events/current-then-live';
import { downsampleMinMax } from '../../ml/downsample';
import { DatasetVersion } from '../datasets/dataset-version.entity';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { Backtest, BacktestTradePage, EquityPoint, PerformanceFigures, ThresholdPoint, TradingFigures } from './backtest.entity';
import { BacktestConnection } from './backtest.connection';
import { BacktestsArgs, RunBacktestInput } from './backtest.inputs';
import { isBacktestOver } from './backtest.service';

@Resolver(() => Backtest)
export class BacktestResolver {
  @Authorized(...Roles.BUILDERS)
  @Mutation(() => Backtest, { description: 'Checks the back-test (strategy against the model\'s task, the price and time columns, the range against the input window, costs) and queues it; returns at once, QUEUED. Follow it with backtestUpdated.' })
  runBacktest(@Arg('input') input: RunBacktestInput, @Ctx() { services, caller }: Context) {
    return services.backtests.start(input, caller?.keyId ?? null);
  }

  @Authorized(...Roles.READERS)
  @Query(() => Backtest, { nullable: true, description: 'One back-test; NOT_FOUND when the id is unknown.' })
  backtest(@Arg('id', () => ID) id: string, @Ctx() { services }: Context) {
    return services.backtests.get(id);
  }

  @Authorized(...Roles.READERS)
  @Query(() => BacktestConnection, { description: 'Back-tests, newest first; all of them, or one model\'s.' })
  async backtests(@Args() { filter, ...page }: BacktestsArgs, @Ctx() { services }: Context) {
    const modelId = filter?.modelId ? (await services.models.byRef(filter.modelId, 'filter.modelId')).id : null;
    return BacktestConnection.from(await services.backtests.list(modelId, page));
  }

  @Authorized(...Roles.READERS)
  @Subscription(() => Backtest, {
    subscribe: async ({ args, context }) => {
      const { events, backtests } = (context as Context).services;
      await backtests.get(args.backtestId);
      return currentThenLive(events.subscribe('BACKTEST_UPDATED', args.backtestId), async () => {
        const backtest = await backtests.get(args.backtestId);
        return { backtestId: backtest.id, status: backtest.status };
      }, { isLast: (event) => isBacktestOver(event.status) });
    },
    description: 'A back-test\'s status and progress: its current state first, then each change, completing once it has finished. NOT_FOUND for an unknown back-test.',
  })
  backtestUpdated(@Arg('backtestId', () => ID) _backtestId: string, @Root() event: { backtestId: string }, @Ctx() { services }: Context) {
    return services.backtests.get(event.backtestId);
  }

  @FieldResolver(() => Model)
  model(@Root() backtest: Backtest, @Ctx() { loaders }: Context) {
    return loaders.models.byId.load(backtest.modelId);
  }

  @FieldResolver(() => ModelVersion)
  modelVersion(@Root() backtest: Backtest, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(backtest.modelVersionId);
  }

  @FieldResolver(() => DatasetVersion)
  datasetVersion(@Root() backtest: Backtest, @Ctx() { loaders }: Context) {
    return loaders.datasets.versionById.load(backtest.datasetVersionId);
  }

  @FieldResolver(() => TradingFigures, { nullable: true, description: 'Trading: the strategy\'s figures (null for CREDIT_APPROVAL, and until it has finished).' })
  metrics(@Root() backtest: Backtest) {
    return backtest.metrics;
  }

  @FieldResolver(() => PerformanceFigures, { nullable: true, description: 'Trading: the same figures for buy-and-hold over the same periods.' })
  benchmark(@Root() backtest: Backtest) {
    return backtest.benchmark;
  }

  @FieldResolver(() => [EquityPoint], { description: 'Trading: equity and buy-and-hold per period, cut to at most maxPoints (2 to 10,000; the lowest and highest equity of each bucket are kept).' })
  equityCurve(@Root() backtest: Backtest, @Arg('maxPoints', () => Int, { defaultValue: 500 }) maxPoints: number): EquityPoint[] {
    if (maxPoints < 2 || maxPoints > 10_000) throw badInput('maxPoints must be from 2 to 10,000', { field: 'maxPoints' });
    const points = (backtest.equity ?? []).map(([at, equity, benchmark], step) => ({ step, value: equity, at, benchmark }));
    return downsampleMinMax(points, maxPoints).map((p) => {
      const point = p as unknown as { at: number; value: number; benchmark: number };
      return { at: new Date(point.at), equity: point.value, benchmark: point.benchmark };
    });
  }

  @FieldResolver(() => BacktestTradePage, { description: 'Trading: the position changes, oldest first; `first` up to 1,000.' })
  trades(@Root() backtest: Backtest, @Arg('first', () => Int, { defaultValue: 100 }) first: number, @Arg('after', () => String, { nullable: true }) after: string | null): BacktestTradePage {
    if (first < 1 || first > 1000) throw badInput('first must be from 1 to 1,000', { field: 'first' });
    const offset = after == null ? 0 : Number(after) + 1;
    if (!Number.isInteger(offset) || offset < 0) throw badInput('after is a cursor from a previous page', { field: 'after' });
    const all = backtest.tradeList ?? [];
    const items = all.slice(offset, offset + first).map((t) => ({ at: new Date(t.at), position: t.position, price: t.price, predictedReturn: t.predictedReturn, cost: t.cost }));
    const last = offset + items.length - 1;
    return { items, totalCount: all.length, endCursor: items.length ? String(last) : null, hasNextPage: last + 1 < all.length };
  }

  @FieldResolver(() => [ThresholdPoint], { nullable: true, description: 'CREDIT_APPROVAL: approval rate, bad rate and expected profit at thresholds 0, 0.01, …, 1.' })
  thresholdCurve(@Root() backtest: Backtest) {
    return backtest.curve;
  }

  @FieldResolver(() => ThresholdPoint, { nullable: true, description: 'CREDIT_APPROVAL: the profit-maximising threshold.' })
  bestThreshold(@Root() backtest: Backtest) {
    return backtest.curve?.reduce((a, b) => (b.expectedProfit > a.expectedProfit ? b : a)) ?? null;
  }
}
