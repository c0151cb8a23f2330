import path from 'node:path';
import { selectBackend } from '../src/ml/backend';
import { transformRows, type Preprocessor } from '../src/ml/preprocessing';
import { tf } from '../src/ml/tf';
import { Environment } from '../src/modules/deployments/environment';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { loadModelArtifact } from '../src/engines/db/model-artifacts';
import { ModelVersion } from '../src/modules/models/model-version.entity';
import { TrainingStatus } from '../src/modules/training/training-run.entity';
import type { Services } from '../src/modules/shared/context';
import { BENCH_AUTH, BENCH_KEY_ENV } from './api-throughput';
import { startChildServer } from './lib/child-server';
import { scratchServices } from './lib/fixtures';
import { loadGraphQL, type LoadResult } from './lib/load';
import { SYNTHETIC_TARGET, syntheticBinaryCsv, syntheticFeatureNames } from './lib/training-data';

const BATCH_ROWS = 10_000;
/** Calls before timing, on both sides of a comparison. */
const WARM_UP = 10;
const MODEL = 'bench-serving';
export const PREDICT_ONE = (row: Record<string, unknown>) => `mutation { predict(input: { model: "${MODEL}", rows: [${JSON.stringify(row).replace(/"(\w+)":/g, '$1:')}] }) { predictions { value } } }`;

/**
 * Serving: (1) one request of 10,000 rows through GraphQL against raw model.predict on the same
 * rows' tensor, same backend; (2) 64 clients sending single-row predicts with micro-batching on vs
 * off; (3) predict with security on vs off. Servers run in child processes, alternated.
 */
export async function benchServing(seconds: number, batchingSeconds = Number(process.env.BENCH_SERVING_SECONDS ?? 20)) {
  const { file, rows, versionId, services, close } = await servingFixture();
  const raw = await rawPredictor(services, versionId, rows);
  await close();

  const script = path.resolve(__dirname, 'servers/aimass-server.js');
  const env = { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${file}`, ...BENCH_KEY_ENV };

  // Raw and API alternate, three rounds: this machine's speed drifts more than the difference.
  const batch = await startChildServer(script, env);
  const unlogged = await startChildServer(script, { ...env, PREDICTION_LOG_SAMPLE_RATE: '0' });
  const rounds: { raw: Awaited<ReturnType<typeof raw.measure>>; api: Awaited<ReturnType<typeof apiBatchPredict>>; apiWithoutLog: Awaited<ReturnType<typeof apiBatchPredict>> }[] = [];
  for (let round = 0; round < 3; round++) {
    rounds.push({ raw: await raw.measure(), api: await apiBatchPredict(batch.url, rows), apiWithoutLog: await apiBatchPredict(unlogged.url, rows) });
  }
  await batch.stop();
  await unlogged.stop();
  raw.dispose();
  const ratios = rounds.map((r) => r.api.rowsPerSecond / r.raw.rowsPerSecond);
  const ratiosWithoutLog = rounds.map((r) => r.apiWithoutLog.rowsPerSecond / r.raw.rowsPerSecond);

  const one = PREDICT_ONE(rows[0]);
  const batching: Record<'on' | 'off' | 'onWithoutLog', LoadResult | null> = { on: null, off: null, onWithoutLog: null };
  for (const mode of ['off', 'on', 'onWithoutLog'] as const) {
    const server = await startChildServer(script, { ...env, MICRO_BATCHING: mode === 'off' ? 'false' : 'true', PREDICTION_LOG_SAMPLE_RATE: mode === 'onWithoutLog' ? '0' : '1' });
    batching[mode] = await loadGraphQL(server.url, one, { seconds: batchingSeconds, connections: 64, headers: BENCH_AUTH });
    await server.stop();
  }

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
    batch10k: {
      rounds: rounds.map((r, i) => ({
        rawRowsPerSecond: r.raw.rowsPerSecond, apiRowsPerSecond: r.api.rowsPerSecond, ratio: ratios[i], apiWithoutLogRowsPerSecond: r.apiWithoutLog.rowsPerSecond, ratioWithoutLog: ratiosWithoutLog[i],
        rawSecondsPerCall: r.raw.seconds, apiSecondsPerRequest: r.api.seconds, serverLatencyMs: r.api.serverLatencyMs, serverLatencyWithoutLogMs: r.apiWithoutLog.serverLatencyMs,
      })),
      medianRatioApiVsRaw: median(ratios),
      medianRatioApiWithoutLogVsRaw: median(ratiosWithoutLog),
    },
    microBatching: {
      on: batching.on, off: batching.off, onWithoutPredictionLog: batching.onWithoutLog,
      throughputRatioOnVsOff: batching.on!.requestsPerSecond / batching.off!.requestsPerSecond,
    },
    predictSecurity: { requestsPerSecond: { securityOn: rps(security.secure), securityOff: rps(security.insecure) }, ratioOnVsOff: rps(security.secure) / rps(security.insecure) },
    failures: [batching.on!, batching.off!, batching.onWithoutLog!, ...security.secure, ...security.insecure].reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

/** A trained MLP (20 features, 64-64-1) on 20k synthetic rows, live in PRODUCTION without approval. */
export async function servingFixture() {
  const { services, file, close } = await scratchServices('serving', BENCH_KEY_ENV);
  const csv = syntheticBinaryCsv(20_000);
  const dataset = await services.datasets.create({ name: 'bench-serving-data', csv } as never);
  const features = syntheticFeatureNames();
  const model = await services.models.create({ name: MODEL, task: ModelTask.BINARY_CLASSIFICATION, architecture: Architecture.MLP, featureColumns: features, targetColumn: SYNTHETIC_TARGET, hyperparameters: { hiddenUnits: [64, 64], epochs: 2, batchSize: 256 } } as never);
  const run = await services.training.start({ modelId: model.id, datasetId: dataset.id, seed: 1 } as never, null);
  const versionId = await finishedVersion(services, run.id);
  await services.models.setControls({ modelId: model.id, requiresApproval: false, clearPromotionGate: false });
  await services.deployments.deploy({ modelVersionId: versionId, environment: Environment.PRODUCTION, reason: 'benchmark' }, null);
  const lines = csv.trim().split('\n');
  const rows = lines.slice(1, 1 + BATCH_ROWS).map((line) => Object.fromEntries(line.split(',').slice(0, features.length).map((v, i) => [features[i], Number(v)])));
  return { services, file, rows, versionId, close: async () => { services.modelCache.clear(); await close(); } };
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
async function rawPredictor(services: Services, versionId: string, rows: Record<string, unknown>[], repeats = 10) {
  const backend = await selectBackend(services.config.training.backend);
  const version = await services.db.manager.findOneByOrFail(ModelVersion, { id: versionId });
  const artifact = await loadModelArtifact(services.artifacts, version.artifactId!);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifact.modelTopology as object, weightSpecs: artifact.weightSpecs as never, weightData: artifact.weightData }));
  const p = artifact.preprocessor as Preprocessor;
  const input = tf.tensor(transformRows(p, rows), [rows.length, p.outputSize]);
  const once = async () => {
    const output = model.predict(input) as tf.Tensor;
    await output.data();
    output.dispose();
  };
  const measure = async () => {
    // WebAssembly kernels and tfjs buffers need a few passes to reach their steady speed.
    for (let i = 0; i < WARM_UP; i++) await once();
    const seconds = median(await timed(repeats, once));
    return { seconds, rowsPerSecond: rows.length / seconds };
  };
  return { backend, measure, dispose: () => { input.dispose(); model.dispose(); } };
}

/** The same rows as one GraphQL predict request, timed from send to parsed response. */
async function apiBatchPredict(url: string, rows: Record<string, unknown>[], repeats = 10) {
  const body = JSON.stringify({ query: 'mutation($rows: [JSONObject!]!) { predict(input: { model: "bench-serving", rows: $rows }) { latencyMs predictions { value } } }', variables: { rows } });
  const send = async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...BENCH_AUTH }, body });
    const json = (await res.json()) as { data?: { predict: { latencyMs: number; predictions: unknown[] } }; errors?: unknown };
    if (!json.data || json.data.predict.predictions.length !== rows.length) throw new Error(`batch predict failed: ${JSON.stringify(json.errors)}`);
    return json.data.predict.latencyMs;
  };
  for (let i = 0; i < WARM_UP; i++) await send();
  const latencies: number[] = [];
  const seconds = median(await timed(repeats, async () => { latencies.push(await send()); }));
  return { seconds, rowsPerSecond: rows.length / seconds, serverLatencyMs: median(latencies) };
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
