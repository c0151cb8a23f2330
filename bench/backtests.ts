import fs from 'node:fs';
import path from 'node:path';
import { performance as perf, tradingBacktest, periodsPerYearOf } from '../src/ml/backtest';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { TrainingStatus } from '../src/modules/training/training-run.entity';
import type { Services } from '../src/modules/shared/context';
import { scratchServices } from './lib/fixtures';
import { BENCH_KEY_ENV } from './api-throughput';
import { gql, startAimass } from './lib/graphql-client';
import { gaussian, round, seededRandom } from './lib/training-data';
import { median } from './lib/training-run';

const DAYS = 2520; // ten years of trading days

/** A seeded random walk of daily closes, one row a day. */
function dailyPrices(): string {
  const noise = gaussian(seededRandom(7));
  let price = 100;
  const start = Date.UTC(2015, 0, 1);
  const lines = ['Date,Close'];
  for (let d = 0; d < DAYS; d++) {
    price *= 1 + 0.0003 + 0.01 * noise();
    lines.push(`${new Date(start + d * 86_400_000).toISOString().slice(0, 10)},${price.toFixed(4)}`);
  }
  return lines.join('\n');
}

async function trained(services: Services, csv: string): Promise<{ versionId: string; datasetId: string }> {
  const dataset = await services.datasets.create({ name: 'bench-daily', csv } as never);
  const model = await services.models.create({ name: 'bench-lstm', task: ModelTask.TIME_SERIES_FORECAST, architecture: Architecture.LSTM, featureColumns: [], targetColumn: 'Close', hyperparameters: { windowSize: 20, horizon: 1, epochs: 1, hiddenUnits: [8], batchSize: 64 } } as never);
  const run = await services.training.start({ modelId: model.id, datasetId: dataset.id, seed: 1 } as never, null);
  for (;;) {
    const r = await services.training.get(run.id);
    if (r.status === TrainingStatus.SUCCEEDED) return { versionId: r.modelVersionId!, datasetId: dataset.id };
    if (r.status !== TrainingStatus.QUEUED && r.status !== TrainingStatus.RUNNING) throw new Error(`bench training ${r.status}: ${r.error}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Back-test speed: a LONG_ONLY walk-forward over ten years of daily closes (2,520 rows, LSTM with
 * a 20-day window) through the API (runBacktest → SUCCEEDED: a queue job reading the rows from
 * the database, forecasting, computing and storing the figures and curves), against the limit: the
 * same forecasts and the same strategy loop in this process over rows already in memory. Rows per
 * second, alternated over three rounds.
 */
export async function benchBacktestSpeed() {
  const csv = dailyPrices();
  const { services, file, close } = await scratchServices('backtests', BENCH_KEY_ENV);
  const { versionId, datasetId } = await trained(services, csv);
  const rows = csv.split('\n').slice(1).map((line) => { const [date, close] = line.split(','); return { Close: Number(close), at: Date.parse(date) }; });
  const loaded = await services.modelCache.load(versionId);
  const plainLoop = async () => {
    const started = performance.now();
    const forecasts = await loaded.forecastEach(rows, 2048);
    const times = rows.map((r) => r.at);
    const result = tradingBacktest({ prices: rows.map((r) => r.Close), forecasts, strategy: 'LONG_ONLY', entryThreshold: 0, positionSize: 1, costBps: 5, slippageBps: 0, initialCapital: 10_000 }, periodsPerYearOf(times));
    perf(result.equity, 252);
    return performance.now() - started;
  };
  // The scratch services stay open for the in-process side; the server reads the same file.
  const server = await startAimass(`sqlite:${file}`);
  try {
    const viaApi = async () => {
      const started = performance.now();
      const { runBacktest } = await gql(server.url, 'mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }', { input: { modelVersionId: versionId, datasetId, strategy: 'LONG_ONLY', costBps: 5 } });
      for (;;) {
        const { backtest } = await gql(server.url, 'query($id: ID!) { backtest(id: $id) { status error } }', { id: runBacktest.id });
        if (backtest.status === 'SUCCEEDED') return performance.now() - started;
        if (backtest.status === 'FAILED') throw new Error(`bench back-test failed: ${backtest.error}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await plainLoop();
    await viaApi(); // warm-up: model loaded, code compiled on both sides
    const rounds: { apiMs: number; plainMs: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const apiMs = await viaApi();
      const plainMs = await plainLoop();
      rounds.push({ apiMs: Number(apiMs.toFixed(1)), plainMs: Number(plainMs.toFixed(1)) });
      console.log(JSON.stringify({ round: round + 1, apiMs, plainMs }));
    }
    const api = median(rounds.map((r) => r.apiMs));
    const plain = median(rounds.map((r) => r.plainMs));
    return {
      rows: DAYS, rounds,
      rowsPerSecond: { api: Math.round(DAYS / (api / 1000)), plainLoop: Math.round(DAYS / (plain / 1000)) },
      apiOverPlain: round(plain / api, 2), goal: '>= 0.5 of the plain loop',
    };
  } finally {
    await server.stop();
    services.modelCache.clear();
    await close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
