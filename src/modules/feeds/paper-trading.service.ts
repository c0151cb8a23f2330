import { MoreThan } from 'typeorm';
import { badInput, conflict, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { Database } from '../../engines/db/database';
import type { ModelCache } from '../../engines/serving/model-cache';
import { performance, targetPosition, tradeCost } from '../../ml/backtest';
import type { LiveRoutes } from '../deployments/live-routes';
import type { Environment } from '../deployments/environment';
import type { DatasetService } from '../datasets/dataset.service';
import { ModelTask } from '../models/model-enums';
import type { ModelVersion } from '../models/model-version.entity';
import type { ModelService } from '../models/model.service';
import type { EventBus } from '../shared/topics';
import { FeedTick, PaperSession, PaperStatus, type PaperDecision, type PaperState } from './feed.entities';
import type { FeedService } from './feed.service';

/** Equity points kept for the risk figures. */
const MAX_CURVE = 100_000;

export interface StartPaperInput {
  modelId: string; environment: Environment; feedId: string; strategy: 'LONG_ONLY' | 'LONG_SHORT';
  entryThreshold: number; positionSize: number; costBps: number; slippageBps: number; initialCapital: number; periodsPerYear: number;
}

/**
 * Paper trading: on every new tick of its feed, a session asks the model's live version for the
 * next price (from the last windowSize ticks), moves its simulated position as a back-test would,
 * and stores its state with the tick's sequence number in one conditional update. A tick is
 * therefore decided once, whichever process hears it and across restarts (a session catches up
 * from its last sequence at start).
 */
export class PaperTradingService {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: {
    db: Database; log: Logger; events: EventBus; feeds: FeedService; models: ModelService; datasets: DatasetService; routes: LiveRoutes; cache: ModelCache<ModelVersion>;
  }) {}

  async start(input: StartPaperInput, createdBy: string | null): Promise<PaperSession> {
    const { db, feeds, models, datasets, routes } = this.deps;
    const model = await models.byRef(input.modelId, 'input.modelId');
    if (model.task !== ModelTask.TIME_SERIES_FORECAST) throw badInput(`paper trading trades a forecast model's price; ${model.name} is ${model.task}`, { field: 'input.modelId' });
    const feed = await feeds.get(input.feedId);
    const dataset = await datasets.get(feed.datasetId);
    const version = await datasets.version(dataset.id, dataset.latestVersion);
    for (const name of [model.targetColumn, ...model.featureColumns]) if (!version.columns.some((c) => c.name === name)) throw badInput(`the feed's rows have no column ${JSON.stringify(name)}`, { field: 'input.feedId' });
    await routes.resolve(model.id, input.environment); // NOT_FOUND when nothing is live there
    const { strategy, entryThreshold, positionSize, costBps, slippageBps, initialCapital, periodsPerYear } = input;
    const session = Object.assign(new PaperSession(), {
      id: newId(PaperSession), modelId: model.id, environment: input.environment, feedId: feed.id, strategy,
      parameters: { entryThreshold, positionSize, costBps, slippageBps, initialCapital, periodsPerYear }, status: PaperStatus.RUNNING,
      lastSeq: feed.lastSeq, state: { equity: initialCapital, position: 0, lastPrice: null, window: [], curve: [initialCapital], trades: 0, decisions: 0, held: 0, hits: 0 },
      createdBy, createdAt: new Date(), stoppedAt: null,
    });
    await db.transaction((m) => m.insert(PaperSession, session as never));
    return session;
  }

  async stop(id: string): Promise<PaperSession> {
    const session = await this.get(id);
    if (session.status === PaperStatus.STOPPED) throw conflict('the session is already stopped');
    await this.deps.db.transaction((m) => m.update(PaperSession, { id, status: PaperStatus.RUNNING }, { status: PaperStatus.STOPPED, stoppedAt: new Date() }));
    const stopped = await this.get(id);
    this.announce(stopped, null);
    return stopped;
  }

  async get(id: string): Promise<PaperSession> {
    const found = await this.deps.db.manager.findOneBy(PaperSession, { id });
    if (!found) throw notFound('PaperSession', id);
    return found;
  }

  /** A feed got ticks: its running sessions decide them. */
  async onTick(feedId: string): Promise<void> {
    for (const session of await this.deps.db.manager.findBy(PaperSession, { feedId, status: PaperStatus.RUNNING })) await this.catchUp(session.id);
  }

  /** At start: every running session decides the ticks that arrived while nobody did. */
  async recover(): Promise<void> {
    for (const session of await this.deps.db.manager.findBy(PaperSession, { status: PaperStatus.RUNNING })) await this.catchUp(session.id);
  }

  /** One catch-up per session at a time in this process; the conditional update guards across processes. */
  private catchUp(id: string): Promise<void> {
    const next = (this.running.get(id) ?? Promise.resolve()).then(() => this.decideNewTicks(id)).catch((error) => this.deps.log.error({ err: error, sessionId: id }, 'paper trading step failed'));
    this.running.set(id, next);
    void next.then(() => { if (this.running.get(id) === next) this.running.delete(id); });
    return next;
  }

  private async decideNewTicks(id: string): Promise<void> {
    const { db, routes, cache, models } = this.deps;
    for (;;) {
      const session = await this.get(id);
      if (session.status !== PaperStatus.RUNNING) return;
      const ticks = await db.manager.find(FeedTick, { where: { feedId: session.feedId, seq: MoreThan(session.lastSeq) }, order: { seq: 'ASC' }, take: 100 });
      if (ticks.length === 0) return;
      const model = await models.get(session.modelId);
      const route = await routes.resolve(model.id, session.environment);
      const loaded = await cache.load(route.modelVersionId);
      const window = model.hyperparameters.windowSize;
      let state = session.state;
      let lastSeq = session.lastSeq;
      for (const tick of ticks) {
        const { next, decision } = await this.decide(session, state, tick, model.targetColumn, window, (rows) => loaded.score(rows, false).then((p) => p[0].value));
        // Stored with its sequence number, only if nobody decided it first.
        const moved = await db.transaction((m) => m.update(PaperSession, { id, lastSeq, status: PaperStatus.RUNNING }, { lastSeq: tick.seq, state: next as never }));
        if (!moved.affected) break; // another process moved on: read again
        state = next;
        lastSeq = tick.seq;
        this.announce({ ...session, state, lastSeq } as PaperSession, decision);
      }
    }
  }

  private async decide(session: PaperSession, state: PaperState, tick: FeedTick, priceColumn: string, windowSize: number, forecastOf: (rows: Record<string, unknown>[]) => Promise<number>): Promise<{ next: PaperState; decision: PaperDecision }> {
    const p = session.parameters;
    const price = Number(tick.data[priceColumn]);
    let { equity, position, trades, held, hits } = state;
    // The position held since the last tick earns (or loses) the move to this one.
    if (state.lastPrice !== null && position !== 0) {
      const realised = price / state.lastPrice - 1;
      equity = Math.max(0, equity * (1 + position * realised));
      held++;
      if (position * realised > 0) hits++;
    }
    const window = [...state.window, tick.data].slice(-windowSize);
    const forecast = window.length >= windowSize && equity > 0 ? await forecastOf(window) : null;
    const predicted = forecast === null ? 0 : forecast / price - 1;
    // The back-test's own rules, so paper and back-test trade alike.
    const rules = { ...p, strategy: session.strategy as 'LONG_ONLY' | 'LONG_SHORT' };
    const target = forecast === null ? 0 : targetPosition(rules, predicted, equity);
    if (target !== position) {
      equity -= tradeCost(rules, position, target, equity);
      position = target;
      trades++;
    }
    const curve = [...state.curve, equity].slice(-MAX_CURVE);
    const figures = performance(curve, p.periodsPerYear);
    const next: PaperState = { equity, position, lastPrice: price, window, curve, trades, decisions: state.decisions + 1, held, hits };
    return { next, decision: { seq: tick.seq, forecast, price, position, equity, sharpe: figures.sharpe, maxDrawdown: figures.maxDrawdown, totalReturn: figures.totalReturn, trades } };
  }

  /** The session's state as a decision-shaped snapshot (the stream's first message). */
  current(session: PaperSession): PaperDecision {
    const figures = performance(session.state.curve, session.parameters.periodsPerYear);
    return { seq: session.lastSeq, forecast: null, price: session.state.lastPrice ?? 0, position: session.state.position, equity: session.state.equity, sharpe: figures.sharpe, maxDrawdown: figures.maxDrawdown, totalReturn: figures.totalReturn, trades: session.state.trades };
  }

  private announce(session: PaperSession, decision: PaperDecision | null): void {
    this.deps.events.publish('PAPER_TRADING_UPDATED', session.id, { sessionId: session.id, status: session.status, decision: decision ?? this.current(session) });
  }
}
