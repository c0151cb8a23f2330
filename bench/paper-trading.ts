import fs from 'node:fs';
import path from 'node:path';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { Environment } from '../src/modules/deployments/environment';
import { TrainingStatus } from '../src/modules/training/training-run.entity';
import { BENCH_KEY_ENV } from './api-throughput';
import { scratchServices } from './lib/fixtures';
import { gql, startAimass, subscribe, wsClient } from './lib/graphql-client';
import { gaussian, percentile, round, seededRandom } from './lib/training-data';

/**
 * Feed latency: ticks pushed one per request at 100 a second for BENCH_FEED_SECONDS (10) to an
 * HTTP_PUSH feed, each decided by a paper-trading session (an LSTM with a 20-tick window on the
 * live version) and streamed out over graphql-ws; latency = the decision's arrival − the push's
 * send, in this process. The server runs in its own process.
 */
export async function benchFeedLatency(seconds = Number(process.env.BENCH_FEED_SECONDS ?? 10)) {
  const noise = gaussian(seededRandom(11));
  let price = 100;
  const start = Date.UTC(2020, 0, 1);
  const day = (d: number) => new Date(start + d * 86_400_000).toISOString().slice(0, 10);
  const history = ['Date,Close', ...Array.from({ length: 500 }, (_, d) => `${day(d)},${(price *= 1 + 0.01 * noise()).toFixed(4)}`)].join('\n');
  const { services, file, close } = await scratchServices('feeds', BENCH_KEY_ENV);
  const dataset = await services.datasets.create({ name: 'bench-ticks', csv: history } as never);
  const model = await services.models.create({ name: 'bench-live', task: ModelTask.TIME_SERIES_FORECAST, architecture: Architecture.LSTM, featureColumns: [], targetColumn: 'Close', hyperparameters: { windowSize: 20, horizon: 1, epochs: 1, hiddenUnits: [8] } } as never);
  const run = await services.training.start({ modelId: model.id, datasetId: dataset.id, seed: 1 } as never, null);
  for (;;) {
    const r = await services.training.get(run.id);
    if (r.status === TrainingStatus.SUCCEEDED) { await services.deployments.deploy({ modelVersionId: r.modelVersionId!, environment: Environment.TEST }, null); break; }
    if (r.status !== TrainingStatus.QUEUED && r.status !== TrainingStatus.RUNNING) throw new Error(`bench training ${r.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  services.modelCache.clear();
  await close();
  const server = await startAimass(`sqlite:${file}`);
  const client = wsClient(server.url);
  try {
    const { createFeed } = await gql(server.url, 'mutation($d: ID!) { createFeed(input: { name: "bench", datasetId: $d, kind: HTTP_PUSH }) { id } }', { d: dataset.id });
    const { startPaperTrading } = await gql(server.url, 'mutation($f: ID!) { startPaperTrading(input: { modelId: "bench-live", environment: TEST, feedId: $f, strategy: LONG_SHORT }) { id } }', { f: createFeed.id });
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    const stream = subscribe(client, 'subscription($id: ID!) { paperTradingUpdated(sessionId: $id) { seq } }', { id: startPaperTrading.id }, (data: { paperTradingUpdated: { seq: number } }) => {
      const sent = sentAt.get(data.paperTradingUpdated.seq);
      if (sent !== undefined) latencies.push(performance.now() - sent);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const total = seconds * 100;
    const began = performance.now();
    const pushes: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = began + i * 10;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sentAt.set(i + 1, performance.now()); // sequence numbers follow the pushes one by one
      pushes.push(gql(server.url, 'mutation($input: PushTicksInput!) { pushTicks(input: $input) { accepted } }', { input: { feedId: createFeed.id, ticks: [{ id: `b${i}`, row: { Date: day(500 + i), Close: (price *= 1 + 0.01 * noise()).toFixed(4) } }] } }));
      await pushes[pushes.length - 1]; // in order: the sequence must match the send order
    }
    await Promise.all(pushes);
    for (let waited = 0; latencies.length < total && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    stream.stop();
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      ticks: total, decided: latencies.length, achievedTicksPerSecond: round(total / ((performance.now() - began) / 1000), 1),
      latencyMs: { p50: round(percentile(sorted, 50), 1), p99: round(percentile(sorted, 99), 1), max: round(sorted.at(-1) ?? NaN, 1) },
    };
  } finally {
    await client.dispose();
    await server.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
