import { Backtests1765500000000 } from '../../../migrations/1765500000000-backtests';
import { byIdLoader } from '../../engines/db/grouped-page-loader';
import { defineModule } from '../shared/module-definition';
import { Backtest, type BacktestStatus } from './backtest.entity';
import { BacktestResolver } from './backtest.resolver';
import { BacktestService } from './backtest.service';

declare module '../shared/context' {
  interface ServiceMap {
    backtests: BacktestService;
  }
  interface LoaderMap {
    backtests: { byId: ReturnType<typeof byIdLoader<Backtest>> };
  }
}

declare module '../shared/topics' {
  interface Topics {
    /** A back-test's status or progress changed; routed by back-test id. */
    BACKTEST_UPDATED: [backtestId: string, payload: { backtestId: string; status: BacktestStatus }];
  }
}

/** Back-tests: trading strategies on forecasts and credit approval on classifiers, walked forward with no look-ahead, as queue jobs. */
export const backtestsModule = defineModule({
  name: 'backtests',
  entities: [Backtest],
  migrations: [Backtests1765500000000],
  resolvers: [BacktestResolver],
  nodes: [{ entity: Backtest, load: (loaders) => loaders.backtests.byId, modelOf: (backtest: Backtest) => backtest.modelId }],
  topics: ['BACKTEST_UPDATED'],
  loaders: ({ db }) => ({ backtests: { byId: byIdLoader(db, Backtest) } }),
  services: ({ db, log, events, queues, config }, { modelCache, models, modelVersions, datasets, datasetRows, deployments }) => {
    const backtests = new BacktestService({
      db, log, events, cache: modelCache, models, modelVersions, datasets, datasetRows, runWorker: config.training.runWorker, maxPageSize: config.maxPageSize,
      queue: queues('backtests', { concurrency: 1, onError: (error, id) => log.error({ err: error, backtestId: id }, 'back-test crashed') }),
    });
    // A promotion gate may name a back-test figure ("sharpe at least 0.5").
    deployments.addMetricsSource((versionId) => backtests.latestFigures(versionId));
    return { backtests };
  },
  start: ({ backtests }) => backtests.startProcessing(),
  stop: ({ backtests }) => backtests.stopProcessing(),
});
