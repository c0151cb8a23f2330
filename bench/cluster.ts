import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { BENCH_AUTH } from './api-throughput';
import { createDatasetAndModel, gql, startAimass } from './lib/graphql-client';
import { loadGraphQL, type LoadResult } from './lib/load';
import { round } from './lib/training-data';
import { median } from './lib/training-run';
import { measureFanout, startBenchServer, type BenchServer } from './monitoring';
import { PREDICT_ONE, servingFixture } from './serving';

/** The Redis the cluster benchmarks use (BENCH_REDIS_URL, else the local default). */
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = 3;
/** Each benchmark server in its own Redis namespace, so nothing of one round reaches another. */
const clusterEnv = () => ({ REDIS_URL, REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}`, RUN_WORKER: 'false' });

/** Null when Redis answers; otherwise why these benchmarks cannot run. */
export async function redisMissing(): Promise<string | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return `no Redis at ${REDIS_URL} (${(error as Error).message}): set BENCH_REDIS_URL`;
  } finally {
    redis.disconnect();
  }
}

/**
 * Fan-out across instances: BENCH_FANOUT_CLIENTS (1,000) trainingMetrics subscribers split over
 * two API instances, hearing over Redis the points a third process publishes (20 a second, as a
 * worker training the run would), against the same subscribers on one embedded instance that
 * publishes them itself; alternated over three rounds. Four processes share this machine's two
 * cores in the cluster form (the publisher, two instances, and this one with its 1,000 sockets).
 */
export async function benchClusterFanout() {
  const clients = Number(process.env.BENCH_FANOUT_CLIENTS ?? 1000);
  const seconds = process.env.BENCH_FANOUT_SECONDS ?? '15';
  const rounds: { embedded: unknown; cluster: unknown }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-cluster-fanout-'));
    // A database per form: each server creates the run it publishes on.
    const database = (form: string) => `sqlite:${path.join(dir, `${form}.sqlite`)}`;
    const servers: BenchServer[] = [];
    try {
      const embedded = await startBenchServer(database('embedded'), { BENCH_FANOUT_SECONDS: seconds });
      servers.push(embedded);
      const alone = await measureFanout(embedded, [embedded], clients);
      await embedded.stop();

      // The publisher first: it migrates the database and creates the run the instances serve.
      const env = { ...clusterEnv(), BENCH_FANOUT_SECONDS: seconds };
      const publisher = await startBenchServer(database('cluster'), env);
      servers.push(publisher);
      const instances = [await startBenchServer(database('cluster'), { ...env, BENCH_FANOUT_RUN: '0' }), await startBenchServer(database('cluster'), { ...env, BENCH_FANOUT_RUN: '0' })];
      servers.push(...instances);
      const spread = await measureFanout(publisher, instances, clients);
      rounds.push({ embedded: alone, cluster: spread });
      console.log(JSON.stringify({ round: round + 1, embedded: summary(alone), cluster: summary(spread) }));
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const p99 = (form: 'embedded' | 'cluster') => median(rounds.map((r) => (r[form] as { latencyMs: { p99: number } }).latencyMs.p99));
  return {
    clients, secondsPerRound: Number(seconds), rounds,
    medianP99Ms: { embedded: p99('embedded'), cluster: p99('cluster') },
    goals: { clusterP99Ms: '<= 150', clientsWithMissingEvent: 0 },
  };
}

const summary = (result: Awaited<ReturnType<typeof measureFanout>>) => ({
  p99Ms: result.latencyMs.p99, missing: result.clientsWithMissingEvent, rssMb: result.serverRssMb, errors: result.errors.length,
});

/**
 * Queue overhead: 50 tiny training jobs (100 rows, 1 epoch) through one aimass process with its
 * in-process queue, and through one with REDIS_URL set (BullMQ on Redis, the worker in the same
 * process), in turn over three rounds. Total time from the first startTrainingRun to the last
 * run's end; both forms fork the same training children, TRAINING_CONCURRENCY=2.
 */
export async function benchQueueOverhead(jobs = Number(process.env.BENCH_QUEUE_JOBS ?? 50)) {
  const csv = 'a,b,y\n' + Array.from({ length: 100 }, (_, i) => `${i},${(i * 7) % 13},${i % 2}`).join('\n') + '\n';
  const measure = async (env: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-queue-'));
    const server = await startAimass(`sqlite:${path.join(dir, 'bench.sqlite')}`, { TRAINING_CONCURRENCY: '2', ...env });
    try {
      const { datasetId, modelId } = await createDatasetAndModel(server.url, 'bench-queue', csv, { features: ['a', 'b'], target: 'y', hyperparameters: { epochs: 1, batchSize: 8 } });
      const started = performance.now();
      for (let i = 0; i < jobs; i++) await gql(server.url, 'mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id } }', { input: { modelId, datasetId, seed: i + 1 } });
      const enqueueSeconds = (performance.now() - started) / 1000;
      for (;;) {
        const { trainingRuns } = await gql(server.url, '{ trainingRuns(first: 100) { edges { node { status queuedAt startedAt } } } }');
        const runs = trainingRuns.edges.map((e: any) => e.node);
        if (runs.some((r: any) => r.status === 'FAILED' || r.status === 'CANCELLED')) throw new Error('a benchmark training run did not succeed');
        if (runs.length === jobs && runs.every((r: any) => r.status === 'SUCCEEDED')) {
          return { totalSeconds: round((performance.now() - started) / 1000, 2), enqueueSeconds: round(enqueueSeconds, 2) };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const rounds: { inProcess: Awaited<ReturnType<typeof measure>>; bullmq: Awaited<ReturnType<typeof measure>> }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const inProcess = await measure({});
    const bullmq = await measure({ REDIS_URL, REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}` });
    rounds.push({ inProcess, bullmq });
    console.log(JSON.stringify({ round: round + 1, inProcess, bullmq }));
  }
  const totals = (form: 'inProcess' | 'bullmq') => median(rounds.map((r) => r[form].totalSeconds));
  return { jobs, rounds, medianSeconds: { inProcess: totals('inProcess'), bullmq: totals('bullmq') }, bullmqOverInProcess: round(totals('bullmq') / totals('inProcess'), 3) };
}

/**
 * Throughput scaling: single-row PRODUCTION predicts from 64 connections (two load generators of
 * 32) against one API instance, then against two instances (32 each), alternated over three
 * rounds. Both instances run the cluster form over one SQLite file (ASYNC prediction log, so two
 * processes do not queue on SQLite's one writer). This machine has two cores, which the load
 * generators share with the servers: the ratio says what a third process per core costs here,
 * not what two machines would give.
 */
export async function benchThroughputScaling(seconds = Number(process.env.BENCH_SECONDS ?? 8)) {
  const { file, rows, close } = await servingFixture();
  await close();
  const env = { ...clusterEnv(), PREDICTION_LOG_DURABILITY_PRODUCTION: 'ASYNC' };
  const instances = [await startAimass(`sqlite:${file}`, env), await startAimass(`sqlite:${file}`, env)];
  const predict = PREDICT_ONE(rows[0]);
  const load = async (urls: string[]) => {
    const results = await Promise.all(urls.map((url) => loadGraphQL(url, predict, { seconds, connections: 32, headers: BENCH_AUTH })));
    return {
      requestsPerSecond: round(results.reduce((sum, r) => sum + r.requestsPerSecond, 0), 0),
      p99Ms: Math.max(...results.map((r: LoadResult) => r.p99Ms)),
      errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    };
  };
  try {
    const [a, b] = instances.map((server) => server.url);
    await load([a, b]); // warm-up: models loaded and code compiled on both
    const rounds: { one: Awaited<ReturnType<typeof load>>; two: Awaited<ReturnType<typeof load>> }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const one = await load([a, a]);
      const two = await load([a, b]);
      rounds.push({ one, two });
      console.log(JSON.stringify({ round: round + 1, one, two }));
    }
    const rps = (form: 'one' | 'two') => median(rounds.map((r) => r[form].requestsPerSecond));
    return { seconds, connections: 64, cores: os.cpus().length, rounds, medianRequestsPerSecond: { one: rps('one'), two: rps('two') }, twoOverOne: round(rps('two') / rps('one'), 3) };
  } finally {
    await Promise.all(instances.map((server) => server.stop()));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/**
 * Deploy coherence: a version deployed to TEST through instance A, and the time until instance B
 * (polling predict every 5 ms) answers with it, against the time until A itself does; two
 * versions deployed in turn, ten times each. Both instances over one SQLite file and one Redis.
 */
export async function benchDeployCoherence(deploys = 20) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-deploy-'));
  const env = { ...clusterEnv(), RUN_WORKER: 'true', TRAINING_CONCURRENCY: '2' };
  const a = await startAimass(`sqlite:${path.join(dir, 'bench.sqlite')}`, env);
  const b = await startAimass(`sqlite:${path.join(dir, 'bench.sqlite')}`, { ...env, RUN_WORKER: 'false' });
  try {
    const csv = 'a,b,y\n' + Array.from({ length: 100 }, (_, i) => `${i},${(i * 7) % 13},${i % 2}`).join('\n') + '\n';
    const { datasetId, modelId } = await createDatasetAndModel(a.url, 'bench-deploy', csv, { features: ['a', 'b'], target: 'y', hyperparameters: { epochs: 1, batchSize: 8 } });
    const versions: string[] = [];
    for (const seed of [1, 2]) {
      const { startTrainingRun } = await gql(a.url, 'mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id } }', { input: { modelId, datasetId, seed } });
      for (;;) {
        const { trainingRun } = await gql(a.url, 'query($id: ID!) { trainingRun(id: $id) { status modelVersion { id } } }', { id: startTrainingRun.id });
        if (trainingRun.status === 'SUCCEEDED') { versions.push(trainingRun.modelVersion.id); break; }
        if (trainingRun.status !== 'QUEUED' && trainingRun.status !== 'RUNNING') throw new Error(`bench training ${trainingRun.status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const served = async (url: string) => (await gql(url, 'mutation { predict(input: { model: "bench-deploy", environment: TEST, rows: [{ a: 1, b: 2 }] }) { modelVersion { id } } }')).predict.modelVersion.id as string;
    const until = async (url: string, version: string, since: number) => {
      while ((await served(url)) !== version) await new Promise((resolve) => setTimeout(resolve, 5));
      return performance.now() - since;
    };
    const onA: number[] = [];
    const onB: number[] = [];
    for (let i = 0; i < deploys; i++) {
      const version = versions[i % 2];
      const since = performance.now();
      await gql(a.url, 'mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId: version, environment: 'TEST' } });
      const [here, there] = await Promise.all([until(a.url, version, since), until(b.url, version, since)]);
      onA.push(here);
      onB.push(there);
    }
    const ms = (values: number[]) => ({ median: round(median(values), 1), max: round(Math.max(...values), 1) });
    return { deploys, deployToServedMs: { sameInstance: ms(onA), otherInstance: ms(onB) }, goal: 'other instance within 1,000 ms' };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
