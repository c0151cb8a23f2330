import { Feeds1765800000000 } from '../../../migrations/1765800000000-feeds';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { defineModule } from '../shared/module-definition';
import { Feed, FeedDeadLetter, FeedTick, PaperSession, type PaperDecision, type PaperStatus } from './feed.entities';
import { FeedResolver, PaperSessionResolver } from './feed.resolver';
import { FeedService } from './feed.service';
import { PaperTradingService } from './paper-trading.service';

declare module '../shared/context' {
  interface ServiceMap {
    feeds: FeedService;
    paperTrading: PaperTradingService;
  }
  interface LoaderMap {
    feeds: { byId: ReturnType<typeof byIdLoader<Feed>>; sessionById: ReturnType<typeof byIdLoader<PaperSession>> };
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** A paper-trading session decided a tick, or stopped; routed by session id. */
    PAPER_TRADING_UPDATED: [sessionId: string, payload: { sessionId: string; status: PaperStatus; decision: PaperDecision }];
  }
}

/** Live feeds (Redis streams, pushed ticks) with dead letters, and paper trading on them. */
export const feedsModule = defineModule({
  name: 'feeds',
  entities: [Feed, FeedTick, FeedDeadLetter, PaperSession],
  migrations: [Feeds1765800000000],
  resolvers: [FeedResolver, PaperSessionResolver],
  nodes: [
    { entity: Feed, load: (loaders) => loaders.feeds.byId },
    { entity: PaperSession, load: (loaders) => loaders.feeds.sessionById, modelOf: (session: PaperSession) => session.modelId },
  ],
  topics: ['PAPER_TRADING_UPDATED'],
  loaders: ({ db }) => ({ feeds: { byId: byIdLoader(db, Feed), sessionById: byIdLoader(db, PaperSession) } }),
  services: ({ db, log, events, redis, instanceId }, { datasets, models, liveRoutes, modelCache }) => {
    const feeds = new FeedService({ db, log, redis, datasets, instanceId });
    return { feeds, paperTrading: new PaperTradingService({ db, log, events, feeds, models, datasets, routes: liveRoutes, cache: modelCache }) };
  },
  start: async ({ feeds, paperTrading }) => {
    feeds.onTick((feedId) => paperTrading.onTick(feedId));
    await paperTrading.recover();
    feeds.start();
  },
  stop: async ({ feeds }) => feeds.stop(),
});
