import fs from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../src/ml/backend';
import { transformRows, type Preprocessor } from '../src/ml/preprocessing';
import { tf, type TF } from '../src/ml/tf';
import { loadNetwork } from '../src/ml/algorithms/tfjs-network';
import { artifactShape } from '../src/ml/model-artifact';
import { Environment } from '../src/modules/deployments/environment';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { loadModelArtifact } from '../src/engines/db/model-artifacts';
import { ModelVersion } from '../src/modules/models/model-version.entity';
import { TrainingStatus } from '../src/modules/training/training-run.entity';
import type { Services } from '../src/modules/shared/context';
import { BENCH_AUTH, BENCH_KEY_ENV } from './api-throughput';
import { startChildServer, type ChildServer } from './lib/child-server';
import { scratchServices } from './lib/fixtures';
import { gql } from './lib/graphql-client';
import { loadGraphQL, type LoadResult } from './lib/load';
import { SYNTHETIC_TARGET, syntheticBinaryCsv, syntheticFeatureNames } from './lib/training-data';

const BATCH_ROWS = 10_000;
/** Calls before timing, on both sides of a comparison. */
const WARM_UP = 10;
const MODEL = 'bench-serving';
export const PREDICT_ONE = (row: Record<string, unknown>, environment = 'PRODUCTION') => `mutation { predict(input: { model: "${MODEL}", environment: ${environment}, rows: [${JSON.stringify(row).replace(/"(\w+)":/g, '$1:')}] }) { predictions { value } } }`;

/**
 * Serving, servers in child processes, alternated over three rounds:
 * (1) one request of 10,000 rows through GraphQL against raw model.predict on the same rows'
 *     tensor, same backend, every side warmed until its call time settles: rows answering
 *     `predictions` as shipped (PRODUCTION's log DURABLE, scored on the worker pool), without the
 *     pool, and with the log ASYNC and sampled to nothing; rows answering `compact`; columns
 *     answering `compact`, with and without the log (BENCH_SERVING_BATCH_ONLY=1: this part alone);
 * (2) 64 clients sending single-row predicts: micro-batching off, on with the DURABLE log (the
 *     default), on with the ASYNC log, without any log, and without the worker pool;
 * (3) PRODUCTION's latency alone and while TEST is flooded (single-row predicts from 64 clients,
 *     or 1,000-row explanations from 4);
 * (4) predict with security on vs off.
 */
export async function benchServing(seconds: number, batchingSeconds = Number(process.env.BENCH_SERVING_SECONDS ?? 8)) {
  const { file, rows, versionId, services, close } = await servingFixture();
  const raw = await rawPredictor(services, versionId, rows);
  await close();

  const script = path.resolve(__dirname, 'servers/aimass-server.js');
  const env = { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV };
  const withoutLog = { PREDICTION_LOG_DURABILITY_PRODUCTION: 'ASYNC', PREDICTION_LOG_SAMPLE_RATE: '0' };

  // Raw and API alternate, three rounds: this machine's speed drifts more than the difference.
  // BENCH_SERVING_BEFORE_DIST: another build's dist/ (a copy with package.json and node_modules
  // linked beside it), served on the same database as one more side: an optimisation's before and after in one run.
  const before = process.env.BENCH_SERVING_BEFORE_DIST;
  const servers = {
    shipped: await startChildServer(script, env), withoutPool: await startChildServer(script, { ...env, PREDICT_POOL_THREADS: '0' }), withoutLog: await startChildServer(script, { ...env, ...withoutLog }),
    ...(before ? { before: await startChildServer(path.resolve(before, 'bench/servers/aimass-server.js'), env) } : {}),
  };
  // Each side: a server and the shape of the request (rows or columns in, predictions or compact out).
  const batchSides: Record<string, readonly [ChildServer, 'rows' | 'rowsCompact' | 'columnsCompact']> = {
    api: [servers.shipped, 'rows'], apiWithoutPool: [servers.withoutPool, 'rows'], apiWithoutLog: [servers.withoutLog, 'rows'],
    apiRowsCompact: [servers.shipped, 'rowsCompact'], apiColumnsCompact: [servers.shipped, 'columnsCompact'], apiColumnsCompactWithoutLog: [servers.withoutLog, 'columnsCompact'],
    ...(servers.before ? { beforeColumnsCompact: [servers.before, 'columnsCompact'] as const } : {}),
  };
  type Side = string;
  type BatchRun = { seconds: number; rowsPerSecond: number; serverLatencyMs?: number; warmUpCalls: number };
  const apiSides = Object.fromEntries((Object.entries(batchSides) as [Side, (typeof batchSides)[Side]][]).map(([side, [server, shape]]) => [side, apiBatchPredict(server.url, rows, shape)])) as Record<Side, ReturnType<typeof apiBatchPredict>>;
  const rounds: ({ raw: BatchRun } & Record<Side, BatchRun>)[] = [];
  for (let round = 0; round < 3; round++) {
    // Every side warmed until settled, then their timed calls interleaved one by one, so that
    // every side sees the same neighbours on this shared machine.
    const warm: Record<string, number> = { raw: await raw.settle() };
    for (const side of Object.keys(apiSides) as Side[]) warm[side] = await apiSides[side].settle();
    const times: Record<string, number[]> = { raw: [] };
    const latencies: Record<string, number[]> = {};
    for (let i = 0; i < 10; i++) {
      times.raw.push(...(await timed(1, raw.once)));
      for (const side of Object.keys(apiSides) as Side[]) {
        const started = performance.now();
        (latencies[side] ??= []).push(await apiSides[side].send());
        (times[side] ??= []).push((performance.now() - started) / 1000);
      }
    }
    const result = Object.fromEntries(Object.entries(times).map(([side, list]) => [side, { seconds: median(list), rowsPerSecond: rows.length / median(list), serverLatencyMs: latencies[side] ? median(latencies[side]) : undefined, warmUpCalls: warm[side] }])) as (typeof rounds)[number];
    rounds.push(result);
    console.log(JSON.stringify({ round: round + 1, raw: result.raw.rowsPerSecond, ...Object.fromEntries(Object.keys(batchSides).map((side) => [side, Number((result[side as Side].rowsPerSecond / result.raw.rowsPerSecond).toFixed(3))])) }));
  }
  for (const server of Object.values(servers)) await server.stop();
  raw.dispose();
  const ratio = (key: Side) => rounds.map((r) => r[key].rowsPerSecond / r.raw.rowsPerSecond);
  const spread = (values: number[]) => [Math.min(...values), Math.max(...values)].map((v) => Number(v.toFixed(3)));
  const batch10k = {
    rounds: rounds.map((r) => ({
      rawRowsPerSecond: r.raw.rowsPerSecond, rawSecondsPerCall: r.raw.seconds, rawWarmUpCalls: r.raw.warmUpCalls,
      ...Object.fromEntries(Object.keys(batchSides).map((key) => [key, { rowsPerSecond: r[key as Side].rowsPerSecond, secondsPerRequest: r[key as Side].seconds, serverLatencyMs: r[key as Side].serverLatencyMs, warmUpCalls: r[key as Side].warmUpCalls }])),
    })),
    medianRatioApiVsRaw: median(ratio('api')),
    medianRatioApiWithoutPoolVsRaw: median(ratio('apiWithoutPool')),
    medianRatioApiWithoutLogVsRaw: median(ratio('apiWithoutLog')),
    medianRatioRowsCompactVsRaw: median(ratio('apiRowsCompact')),
    medianRatioColumnsCompactVsRaw: median(ratio('apiColumnsCompact')),
    medianRatioColumnsCompactWithoutLogVsRaw: median(ratio('apiColumnsCompactWithoutLog')),
    ...(before ? { beforeDist: before, medianRatioBeforeColumnsCompactVsRaw: median(ratio('beforeColumnsCompact')), medianRatioColumnsCompactAfterVsBefore: median(rounds.map((r) => r.apiColumnsCompact.rowsPerSecond / r.beforeColumnsCompact.rowsPerSecond)) } : {}),
    spreadOfRatios: Object.fromEntries(Object.keys(batchSides).map((key) => [key, spread(ratio(key as Side))])),
    goal: 'columns + compact ≥ 0.5 of raw at steady state (stretch 0.8), median of 3 alternating rounds',
  };
  if (process.env.BENCH_SERVING_BATCH_ONLY === '1') return { backend: raw.backend, batch10k };

  const one = PREDICT_ONE(rows[0]);
  const batchingModes = {
    off: { MICRO_BATCHING: 'false' },
    onDurableLog: {},
    onAsyncLog: { PREDICTION_LOG_DURABILITY_PRODUCTION: 'ASYNC' },
    onWithoutLog: withoutLog,
    onWithoutPool: { PREDICT_POOL_THREADS: '0' },
  };
  const batching = Object.fromEntries(Object.keys(batchingModes).map((mode) => [mode, [] as LoadResult[]])) as Record<keyof typeof batchingModes, LoadResult[]>;
  for (let round = 0; round < 3; round++) {
    for (const [mode, extra] of Object.entries(batchingModes) as [keyof typeof batchingModes, Record<string, string>][]) {
      const server = await startChildServer(script, { ...env, ...extra });
      batching[mode].push(await loadGraphQL(server.url, one, { seconds: batchingSeconds, connections: 64, headers: BENCH_AUTH }));
      await server.stop();
    }
  }
  const rpsRatio = (a: keyof typeof batchingModes, b: keyof typeof batchingModes) => median(batching[a].map((r, i) => r.requestsPerSecond / batching[b][i].requestsPerSecond));

  const isolation = await environmentIsolation(script, env, rows, batchingSeconds);

  const security: Record<'secure' | 'insecure', LoadResult[]> = { secure: [], insecure: [] };
  for (let round = 0; round < 2; round++) {
    for (const mode of ['insecure', 'secure'] as const) {
      const server = await startChildServer(script, { ...env, BENCH_INSECURE: mode === 'insecure' ? '1' : '0' });
      security[mode].push(await loadGraphQL(server.url, one, { seconds, headers: BENCH_AUTH }));
      await server.stop();
    }
  }
  const rps = (list: LoadResult[]) => list.reduce((sum, r) => sum + r.requestsPerSecond, 0) / list.length;
  return {
    backend: raw.backend,
    batch10k,
    microBatching: {
      requestsPerSecond: Object.fromEntries(Object.entries(batching).map(([mode, list]) => [mode, list.map((r) => Math.round(r.requestsPerSecond))])),
      p99Ms: Object.fromEntries(Object.entries(batching).map(([mode, list]) => [mode, list.map((r) => r.p99Ms)])),
      medianRatioOnVsOff: rpsRatio('onDurableLog', 'off'),
      medianRatioDurableVsAsyncLog: rpsRatio('onDurableLog', 'onAsyncLog'),
      medianRatioAsyncLogVsNoLog: rpsRatio('onAsyncLog', 'onWithoutLog'),
      medianRatioPoolVsNoPool: rpsRatio('onDurableLog', 'onWithoutPool'),
    },
    environmentIsolation: isolation,
    predictSecurity: { requestsPerSecond: { securityOn: rps(security.secure), securityOff: rps(security.insecure) }, ratioOnVsOff: rps(security.secure) / rps(security.insecure) },
    failures: [...Object.values(batching).flat(), ...security.secure, ...security.insecure].reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

/** Only the environment-isolation part of benchServing (`run.js serving-isolation`). */
export async function benchServingIsolation(seconds = Number(process.env.BENCH_SERVING_SECONDS ?? 8)) {
  const { file, rows, close } = await servingFixture();
  await close();
  const env = { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV };
  return environmentIsolation(path.resolve(__dirname, 'servers/aimass-server.js'), env, rows, seconds);
}

/**
 * PRODUCTION's single-row predict latency from 4 clients, alone and while TEST (the same version,
 * its own concurrency limit and queue) is flooded, alternating over three rounds.
 */
async function environmentIsolation(script: string, env: Record<string, string>, rows: Record<string, unknown>[], seconds: number) {
  const server = await startChildServer(script, env);
  try {
    const production = PREDICT_ONE(rows[0]);
    const testOne = PREDICT_ONE(rows[1], 'TEST');
    const testExplain = `mutation($rows: [JSONObject!]!) { predict(input: { model: "${MODEL}", environment: TEST, explain: true, rows: $rows }) { predictions { value } } }`;
    const floods = {
      none: null,
      testSingleRows64Clients: { query: testOne, connections: 64 },
      testExplain1kRows4Clients: { query: testExplain, connections: 4, variables: { rows: rows.slice(0, 1000) } },
    };
    const runs = Object.fromEntries(Object.keys(floods).map((k) => [k, [] as LoadResult[]])) as Record<keyof typeof floods, LoadResult[]>;
    const refusedFlood: Record<string, number> = {};
    for (let round = 0; round < 3; round++) {
      for (const [name, flood] of Object.entries(floods) as [keyof typeof floods, { query: string; connections: number; variables?: Record<string, unknown> } | null][]) {
        const background = flood ? loadGraphQL(server.url, flood.query, { seconds: seconds + 1, connections: flood.connections, headers: BENCH_AUTH, variables: flood.variables }) : null;
        runs[name].push(await loadGraphQL(server.url, production, { seconds, connections: 4, headers: BENCH_AUTH }));
        const done = await background;
        if (done) refusedFlood[name] = (refusedFlood[name] ?? 0) + done.non2xx;
      }
    }
    const p99 = (name: keyof typeof floods) => median(runs[name].map((r) => r.p99Ms));
    return {
      goal: 'PRODUCTION p99 under a TEST flood ≤ 1.5 × its idle p99',
      productionP99Ms: Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.map((r) => r.p99Ms)])),
      productionRequestsPerSecond: Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.map((r) => Math.round(r.requestsPerSecond))])),
      medianP99RatioVsIdle: { testSingleRows64Clients: p99('testSingleRows64Clients') / p99('none'), testExplain1kRows4Clients: p99('testExplain1kRows4Clients') / p99('none') },
      floodResponsesNon2xx: refusedFlood,
      productionFailures: Object.values(runs).flat().reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    };
  } finally {
    await server.stop();
  }
}

/** A trained MLP (20 features, 64-64-1) on 20k synthetic rows, live in PRODUCTION without approval; with `challenger`, a second version beside it, not deployed. */
export async function servingFixture({ challenger = false } = {}) {
  const { services, file, close } = await scratchServices('serving', BENCH_KEY_ENV);
  const csv = syntheticBinaryCsv(20_000);
  const dataset = await services.datasets.create({ name: 'bench-serving-data', csv } as never);
  const features = syntheticFeatureNames();
  const model = await services.models.create({ name: MODEL, task: ModelTask.BINARY_CLASSIFICATION, architecture: Architecture.MLP, featureColumns: features, targetColumn: SYNTHETIC_TARGET, hyperparameters: { hiddenUnits: [64, 64], epochs: 2, batchSize: 256 } } as never);
  const run = await services.training.start({ modelId: model.id, datasetId: dataset.id, seed: 1 } as never, null);
  const versionId = await finishedVersion(services, run.id);
  await services.models.setControls({ modelId: model.id, requiresApproval: false, clearPromotionGate: false });
  for (const environment of [Environment.TEST, Environment.PRODUCTION]) await services.deployments.deploy({ modelVersionId: versionId, environment, reason: 'benchmark' }, null);
  const lines = csv.trim().split('\n');
  const rows = lines.slice(1, 1 + BATCH_ROWS).map((line) => Object.fromEntries(line.split(',').slice(0, features.length).map((v, i) => [features[i], Number(v)])));
  // A second version of the same model, trained but not deployed (a challenger to be).
  const challengerVersionId = challenger ? await finishedVersion(services, (await services.training.start({ modelId: model.id, datasetId: dataset.id, seed: 2 } as never, null)).id) : null;
  return { services, file, rows, versionId, challengerVersionId, close: async () => { services.modelCache.clear(); await close(); } };
}

async function finishedVersion(services: Services, runId: string): Promise<string> {
  for (;;) {
    const run = await services.training.get(runId);
    if (run.status === TrainingStatus.SUCCEEDED) return run.modelVersionId!;
    if (run.status === TrainingStatus.FAILED || run.status === TrainingStatus.CANCELLED) throw new Error(`bench training ${run.status}: ${run.error}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The baseline: model.predict on one tensor of the same rows, encoded once, in this process on the same backend. */
async function rawPredictor(services: Services, versionId: string, rows: Record<string, unknown>[]) {
  const backend = await selectBackend(services.config.training.backend);
  const version = await services.db.manager.findOneByOrFail(ModelVersion, { id: versionId });
  const artifact = await loadModelArtifact(services.artifacts, version.artifactId!);
  const model = (await loadNetwork({ state: artifact.model, bytes: artifact.weightData }, artifactShape(artifact))) as unknown as { network: TF.LayersModel };
  if (!('network' in model)) throw new Error('the raw baseline needs a tfjs network');
  const p = artifact.preprocessor as Preprocessor;
  const input = tf.tensor(transformRows(p, rows), [rows.length, p.outputSize]);
  const once = async () => {
    const output = model.network.predict(input) as TF.Tensor;
    await output.data();
    output.dispose();
  };
  // WebAssembly kernels and tfjs buffers need passes to reach their steady speed: settle() before timing.
  return { backend, once, settle: () => settle(once), dispose: () => { input.dispose(); model.network.dispose(); } };
}

/**
 * Warms a side up until its call time has settled: at least WARM_UP calls, then until the median
 * of the last 5 calls is within 5 % of the 5 before (at most 60 calls). A fixed count left the raw
 * side's wasm kernels still speeding up in some runs and not in others.
 */
async function settle(call: () => Promise<unknown>): Promise<number> {
  const times = await timed(WARM_UP, call);
  while (times.length < 60) {
    const last = median(times.slice(-5));
    const before = median(times.slice(-10, -5));
    if (Math.abs(last - before) <= 0.05 * before) break;
    times.push(...(await timed(1, call)));
  }
  return times.length;
}

/**
 * The same rows as one GraphQL predict request, timed from send to parsed response: `rows` asking
 * for `predictions { value }` (as before), `rowsCompact` asking for `compact { values }`, or
 * `columnsCompact`, the rows sent as columns, asking for `compact { values }`.
 */
function apiBatchPredict(url: string, rows: Record<string, unknown>[], shape: 'rows' | 'rowsCompact' | 'columnsCompact' = 'rows') {
  const names = Object.keys(rows[0]);
  const body = JSON.stringify(shape === 'columnsCompact'
    ? { query: 'mutation($columns: [PredictColumn!]!) { predict(input: { model: "bench-serving", columns: $columns }) { latencyMs compact { values } } }', variables: { columns: names.map((name) => ({ name, numbers: rows.map((row) => row[name]) })) } }
    : { query: `mutation($rows: [JSONObject!]!) { predict(input: { model: "bench-serving", rows: $rows }) { latencyMs ${shape === 'rows' ? 'predictions { value }' : 'compact { values }'} } }`, variables: { rows } });
  const post = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...BENCH_AUTH }, body });
  const send = async () => {
    // Interleaved sides leave a connection idle past the server's keep-alive timeout: the socket
    // may be closed under a request (EPIPE), which is then sent once more on a new one.
    const res = await post().catch(() => post());
    const json = (await res.json()) as { data?: { predict: { latencyMs: number; predictions?: unknown[]; compact?: { values: number[] } } }; errors?: unknown };
    const answered = json.data?.predict.predictions?.length ?? json.data?.predict.compact?.values.length;
    if (!json.data || answered !== rows.length) throw new Error(`batch predict failed: ${JSON.stringify(json.errors)}`);
    return json.data.predict.latencyMs;
  };
  return { send, settle: () => settle(send) };
}

/** Each call's duration in seconds. */
async function timed(repeats: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await call();
    out.push((performance.now() - started) / 1000);
  }
  return out;
}

/** The median: one slow call (a GC, a neighbour on the machine) does not move it. */
function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/**
 * Shadow overhead: PRODUCTION single-row predicts from 64 connections, with the second version
 * attached as a SHADOW (scoring a copy of each request after the answer) against without one,
 * alternated over three rounds (the shadow is started and ended between runs).
 */
export async function benchShadowOverhead(seconds = Number(process.env.BENCH_SERVING_SECONDS ?? 8)) {
  const { file, rows, challengerVersionId, close } = await servingFixture({ challenger: true });
  await close();
  const server = await startChildServer(path.resolve(__dirname, 'servers/aimass-server.js'), { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV });
  try {
    const predict = PREDICT_ONE(rows[0]);
    const shadow = (on: boolean) => gql(server.url, on
      ? `mutation { deployModelVersion(input: { modelVersionId: "${challengerVersionId}", environment: PRODUCTION, mode: SHADOW }) { __typename } }`
      : `mutation { endChallenger(input: { modelId: "${MODEL}", environment: PRODUCTION }) { id } }`);
    const shadowRows = async () => (await gql(server.url, `{ predictions(filter: { modelVersionId: "${challengerVersionId}" }) { totalCount } }`)).predictions.totalCount as number;
    await loadGraphQL(server.url, predict, { seconds: 2, connections: 64, headers: BENCH_AUTH }); // warm-up
    const runs: { without: LoadResult[]; withShadow: LoadResult[] } = { without: [], withShadow: [] };
    let mirrored = 0;
    let servedWithShadow = 0;
    for (let round = 0; round < 3; round++) {
      runs.without.push(await loadGraphQL(server.url, predict, { seconds, connections: 64, headers: BENCH_AUTH }));
      await shadow(true);
      const before = await shadowRows();
      const result = await loadGraphQL(server.url, predict, { seconds, connections: 64, headers: BENCH_AUTH });
      runs.withShadow.push(result);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the log's last flush
      mirrored += (await shadowRows()) - before;
      servedWithShadow += Math.round(result.requestsPerSecond * seconds);
      await shadow(false);
      console.log(JSON.stringify({ round: round + 1, without: runs.without.at(-1), withShadow: result }));
    }
    const med = (list: LoadResult[], pick: (r: LoadResult) => number) => median(list.map(pick));
    return {
      seconds, connections: 64, runs,
      p50Ms: { without: med(runs.without, (r) => r.p50Ms), withShadow: med(runs.withShadow, (r) => r.p50Ms) },
      p99Ms: { without: med(runs.without, (r) => r.p99Ms), withShadow: med(runs.withShadow, (r) => r.p99Ms) },
      requestsPerSecond: { without: med(runs.without, (r) => r.requestsPerSecond), withShadow: med(runs.withShadow, (r) => r.requestsPerSecond) },
      p99Ratio: Number((med(runs.withShadow, (r) => r.p99Ms) / med(runs.without, (r) => r.p99Ms)).toFixed(2)),
      shareMirrored: Number((mirrored / Math.max(1, servedWithShadow)).toFixed(3)),
      goal: 'p99 within 1.1x',
    };
  } finally {
    await server.stop();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
