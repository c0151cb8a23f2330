import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/core/config';
import { Database } from '../src/engines/db/database';
import { newId } from '../src/core/ids';
import { createLogger } from '../src/core/logger';
import { DatasetKind } from '../src/modules/datasets/dataset.entity';
import { resolveHyperparameters } from '../src/modules/models/hyperparameters';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { MetricStore } from '../src/modules/training/metric-store';
import { SplitStrategy, TrainingRun, TrainingStatus } from '../src/modules/training/training-run.entity';
import type { MetricEvent } from '../src/modules/training/metric.types';
import { databaseSchema } from '../src/server/registry';
import { startServer } from '../src/server/start-server';
import { onScratchMysql } from './lib/fixtures';
import { forcedStops, gql, startAimass } from './lib/graphql-client';
import { gaussian, percentile, round, seededRandom } from './lib/training-data';
import { mean } from './lib/training-run';

const HISTORY_QUERY = `query($id: ID!) { trainingRun(id: $id) { metrics(names: ["loss"]) { name count max points(maxPoints: 500) { step value } } } }`;
const INSERT_BATCH = 5_000;

interface Spike { step: number; value: number }

/**
 * The chart query over a long history: `points` of one metric for one run (maxPoints 500,
 * downsampled in SQL), timed over HTTP against a server in its own process, after 1,000,000
 * points (a random walk with spikes) were bulk-inserted into a freshly migrated database.
 * SQLite always; MariaDB/MySQL too when BENCH_MYSQL_URL names a database (created and dropped here).
 */
export async function benchTrainingHistory() {
  const quick = process.env.BENCH_QUICK === '1';
  const points = Number(process.env.BENCH_HISTORY_POINTS ?? (quick ? 100_000 : 1_000_000));
  const requests = quick ? 10 : 30;
  const results: Record<string, unknown> = {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-history-'));
  try {
    results.sqlite = await historyOn(`sqlite:${path.join(dir, 'bench.sqlite')}`, points, requests);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  results.mysql = await onScratchMysql((url) => historyOn(url, points, requests));
  return { points, requests, maxPoints: 500, goal: 'p50 <= 100 ms', ...results, serversKilledAfterSigtermTimeout: forcedStops() };
}

async function historyOn(databaseUrl: string, count: number, requests: number) {
  const { runId, spike, insertSeconds, insertPath } = await seed(databaseUrl, count);

  const server = await startAimass(databaseUrl);
  const times: number[] = [];
  let firstMs = NaN;
  let last: any;
  try {
    for (let i = 0; i <= requests; i++) {
      const started = performance.now();
      last = await gql(server.url, HISTORY_QUERY, { id: runId });
      const ms = performance.now() - started;
      // The first request also warms the server (schema, connection, page cache): reported apart.
      if (i === 0) firstMs = ms;
      else times.push(ms);
    }
  } finally {
    await server.stop();
  }
  if (last.trainingRun.metrics.length !== 1) throw new Error(`expected the loss series, got ${JSON.stringify(last.trainingRun.metrics).slice(0, 300)}`);
  const [series] = last.trainingRun.metrics as { count: number; max: number; points: { step: number; value: number }[] }[];
  const hit = series.points.find((p) => p.step === spike.step);
  const breakdown = await sqlBreakdown(databaseUrl, runId);
  return {
    insertPath,
    insertSeconds: round(insertSeconds, 1),
    insertRowsPerSecond: round(count / insertSeconds, 0),
    firstRequestMs: round(firstMs, 1),
    p50Ms: round(percentile(times, 50), 1),
    p95Ms: round(percentile(times, 95), 1),
    meanMs: round(mean(times), 1),
    returnedPoints: series.points.length,
    seriesCount: series.count,
    globalMaxSpike: { step: spike.step, value: spike.value, returned: hit !== undefined && hit.value === spike.value, seriesMax: series.max },
    sqlBreakdownMs: breakdown,
  };
}

/** A migrated database with one model, dataset and run, and `count` loss points for the run. */
async function seed(databaseUrl: string, count: number): Promise<{ runId: string; spike: Spike; insertSeconds: number; insertPath: string }> {
  const config = loadConfig({ LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl });
  const server = await startServer(config, { listen: false });
  const { services } = server;
  const { db } = services;
  try {
    const dataset = await services.datasets.create({ name: 'history', kind: DatasetKind.STATIC, csv: 'x,y\n1,0\n2,1\n3,0\n4,1\n' });
    const version = await services.datasets.version(dataset.id);
    const model = await services.models.create({ name: 'history', task: ModelTask.BINARY_CLASSIFICATION, architecture: Architecture.MLP, featureColumns: ['x'], targetColumn: 'y' });
    const now = new Date();
    // Inserted as a finished run, not started: nothing must train in this process.
    const run = Object.assign(new TrainingRun(), {
      id: newId(TrainingRun), modelId: model.id, datasetVersionId: version.id, status: TrainingStatus.SUCCEEDED, progress: 1, epochsCompleted: 1000,
      hyperparameters: resolveHyperparameters(model), split: { validation: 0.15, test: 0.2, strategy: SplitStrategy.RANDOM }, seed: 1, priority: 0,
      backend: 'wasm', libraryVersions: null, error: null, modelVersionId: null, createdBy: null, queuedAt: now, startedAt: now, finishedAt: now,
    });
    await db.transaction((manager) => manager.insert(TrainingRun, run));

    // A decaying random walk with noise, a few spikes, and one larger spike: the global maximum.
    const random = seededRandom(99);
    const normal = gaussian(random);
    const spikes = new Map<number, number>();
    for (let i = 0; i < 8; i++) spikes.set(1 + Math.floor(random() * count), 5 + random() * 10);
    const spike: Spike = { step: 1 + Math.floor(random() * count), value: 42.5 };
    spikes.set(spike.step, spike.value);
    let walk = 0;
    const startedAt = Date.now() - count * 10;
    // Through MetricStore.write when it exists (it keeps derived tables such as rollups in step with
    // the points, as a real run's flushes do); otherwise straight multi-row INSERTs.
    const store = new MetricStore(db) as unknown as { write?: (points: MetricEvent[]) => Promise<void> };
    const started = performance.now();
    for (let from = 1; from <= count; from += INSERT_BATCH) {
      const batch: MetricEvent[] = [];
      const to = Math.min(count, from + INSERT_BATCH - 1);
      for (let step = from; step <= to; step++) {
        walk = Math.max(-0.2, Math.min(0.2, walk + normal() * 0.002));
        const value = spikes.get(step) ?? Math.max(0.01, 0.3 + 1.5 * Math.exp(-step / (count / 6)) + walk + normal() * 0.01);
        batch.push({ runId: run.id, name: 'loss', step, epoch: Math.ceil(step / 1000), value, timestamp: startedAt + step * 10 });
      }
      if (store.write) await store.write(batch);
      else {
        await db.write(
          `INSERT INTO training_metric (run_id, name, step, epoch, value, recorded_at) VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
          batch.flatMap((p) => [p.runId, p.name, p.step, p.epoch, p.value, p.timestamp]),
        );
      }
    }
    const insertSeconds = (performance.now() - started) / 1000;
    if (db.kind === 'sqlite') await db.dataSource.query('ANALYZE');
    else {
      const tables: Record<string, string>[] = await db.dataSource.query("SHOW TABLES LIKE 'training\\_metric%'");
      for (const table of tables.map((t) => Object.values(t)[0])) await db.dataSource.query(`ANALYZE TABLE \`${table}\``);
    }
    return { runId: run.id, spike, insertSeconds, insertPath: store.write ? 'MetricStore.write' : 'INSERT INTO training_metric' };
  } finally {
    await server.close();
  }
}

/** Where a request's time goes: MetricStore's two calls timed in this process (server stopped), median of 5. */
async function sqlBreakdown(databaseUrl: string, runId: string) {
  const config = loadConfig({ LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl });
  const db = await Database.open(config.database, databaseSchema(), createLogger('warn'));
  try {
    const store = new MetricStore(db);
    const time = async (work: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await work();
        ms.push(performance.now() - started);
      }
      return round(percentile(ms, 50), 1);
    };
    // A request runs summaries (the metrics field) then points, whatever statements they use inside.
    return { summariesCall: await time(() => store.summaries(runId, ['loss'])), pointsCall: await time(() => store.points(runId, 'loss', 500)) };
  } finally {
    await db.close();
  }
}
