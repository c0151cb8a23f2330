import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Environment } from '../src/modules/deployments/environment';
import { Architecture, ModelTask } from '../src/modules/models/model-enums';
import { TrainingStatus } from '../src/modules/training/training-run.entity';
import type { Services } from '../src/modules/shared/context';
import { BENCH_AUTH, BENCH_KEY_ENV } from './api-throughput';
import { startChildServer } from './lib/child-server';
import { scratchServices } from './lib/fixtures';
import { loadGraphQL, type LoadResult } from './lib/load';
import { gaussian, seededRandom } from './lib/training-data';
import { median } from './lib/training-run';
import { PREDICT_ONE, servingFixture } from './serving';

const LSTM_MODEL = 'bench-serving-lstm';
const WINDOW = 12;
const UNITS = 32;

/** Micro-batching off, the fixed window that was the only policy before, and the adaptive policy (the default). */
const MODES = {
  off: { MICRO_BATCHING: 'false' },
  fixedWindow: { MICRO_BATCH_POLICY: 'FIXED' },
  adaptive: { MICRO_BATCH_POLICY: 'ADAPTIVE' },
} as const;
type Mode = keyof typeof MODES;

/**
 * Single-row predicts from 64 clients (autocannon), micro-batching off vs the fixed 2 ms window vs
 * the adaptive policy, on (1) the serving benchmark's MLP (64-64, 20 features: ~0.2 ms a call, so
 * the model is not what limits it) and (2) an LSTM forecast (window 12, 32 units: a call costs
 * milliseconds, Goal B's case; each request sends the 12 rows of one window and gets one forecast).
 * Each server in its own process, as shipped (PRODUCTION's log DURABLE); one second of load before
 * each timed run, so the model's first load is not in its p99. Modes alternate over 3 rounds.
 */
export async function benchServingBatching(seconds = Number(process.env.BENCH_SERVING_SECONDS ?? 8)) {
  const loadBefore = os.loadavg();
  const mlp = await servingFixture();
  const lstm = await lstmFixture();
  const lstmCost = await callCost(lstm.services, lstm.versionId);
  await mlp.close();
  await lstm.close();
  const script = path.resolve(__dirname, 'servers/aimass-server.js');
  const env = { PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...BENCH_KEY_ENV };
  const models = {
    mlp: { file: mlp.file, query: PREDICT_ONE(mlp.rows[0]) },
    lstm: { file: lstm.file, query: lstm.query },
  };
  const runs = { mlp: emptyRuns(), lstm: emptyRuns() };
  for (let round = 0; round < 3; round++) {
    for (const [name, model] of Object.entries(models) as [keyof typeof models, (typeof models)[keyof typeof models]][]) {
      for (const [mode, extra] of Object.entries(MODES) as [Mode, Record<string, string>][]) {
        const server = await startChildServer(script, { ...env, DATABASE_URL: `sqlite:${model.file}`, ...extra });
        await loadGraphQL(server.url, model.query, { seconds: 1, connections: 64, headers: BENCH_AUTH });
        runs[name][mode].push(await loadGraphQL(server.url, model.query, { seconds, connections: 64, headers: BENCH_AUTH }));
        await server.stop();
        const last = runs[name][mode].at(-1)!;
        console.log(JSON.stringify({ round: round + 1, model: name, mode, requestsPerSecond: Math.round(last.requestsPerSecond), p50Ms: last.p50Ms, p99Ms: last.p99Ms, failures: last.errors + last.non2xx }));
      }
    }
  }
  for (const file of [mlp.file, lstm.file]) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return {
    seconds, connections: 64, loadAverageBefore: loadBefore.map((v) => Number(v.toFixed(2))), loadAverageAfter: os.loadavg().map((v) => Number(v.toFixed(2))),
    lstmCallMs: lstmCost,
    mlp: summary(runs.mlp),
    lstm: { ...summary(runs.lstm), goal: 'Goal B: adaptive ≥ 4× off, p99 ≤ 50 ms; and p99 no worse than off' },
    failures: Object.values(runs).flatMap((byMode) => Object.values(byMode).flat()).reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

function emptyRuns(): Record<Mode, LoadResult[]> {
  return { off: [], fixedWindow: [], adaptive: [] };
}

/** Per mode: every round's figures; per pair: the median of the per-round ratios and their spread [min, max]. */
function summary(runs: Record<Mode, LoadResult[]>) {
  const ratio = (a: Mode, b: Mode) => {
    const values = runs[a].map((r, i) => r.requestsPerSecond / runs[b][i].requestsPerSecond);
    return { median: round3(median(values)), spread: [round3(Math.min(...values)), round3(Math.max(...values))] };
  };
  const modes = Object.keys(runs) as Mode[];
  return {
    requestsPerSecond: Object.fromEntries(modes.map((mode) => [mode, runs[mode].map((r) => Math.round(r.requestsPerSecond))])),
    p50Ms: Object.fromEntries(modes.map((mode) => [mode, runs[mode].map((r) => r.p50Ms)])),
    p99Ms: Object.fromEntries(modes.map((mode) => [mode, runs[mode].map((r) => r.p99Ms)])),
    medianP99Ms: Object.fromEntries(modes.map((mode) => [mode, median(runs[mode].map((r) => r.p99Ms))])),
    throughputRatio: { adaptiveVsOff: ratio('adaptive', 'off'), fixedWindowVsOff: ratio('fixedWindow', 'off'), adaptiveVsFixedWindow: ratio('adaptive', 'fixedWindow') },
  };
}

const round3 = (value: number) => Number(value.toFixed(3));

/** An LSTM forecast (window 12, 32 units, one step) trained one epoch on a seeded random walk, live in PRODUCTION. */
export async function lstmFixture() {
  const { services, file, close } = await scratchServices('serving-lstm', BENCH_KEY_ENV);
  const noise = gaussian(seededRandom(11));
  let price = 100;
  const closes: number[] = [];
  for (let d = 0; d < 2000; d++) closes.push(Number((price *= 1 + 0.0003 + 0.01 * noise()).toFixed(4)));
  const dataset = await services.datasets.create({ name: 'bench-serving-prices', csv: ['Close', ...closes].join('\n') } as never);
  const model = await services.models.create({
    name: LSTM_MODEL, task: ModelTask.TIME_SERIES_FORECAST, architecture: Architecture.LSTM, featureColumns: [], targetColumn: 'Close',
    hyperparameters: { windowSize: WINDOW, horizon: 1, epochs: 1, hiddenUnits: [UNITS], batchSize: 64 },
  } as never);
  const run = await services.training.start({ modelId: model.id, datasetId: dataset.id, seed: 1 } as never, null);
  let versionId: string;
  for (;;) {
    const r = await services.training.get(run.id);
    if (r.status === TrainingStatus.SUCCEEDED) { versionId = r.modelVersionId!; break; }
    if (r.status !== TrainingStatus.QUEUED && r.status !== TrainingStatus.RUNNING) throw new Error(`bench LSTM training ${r.status}: ${r.error}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await services.models.setControls({ modelId: model.id, requiresApproval: false, clearPromotionGate: false });
  await services.deployments.deploy({ modelVersionId: versionId, environment: Environment.PRODUCTION, reason: 'benchmark' }, null);
  const history = closes.slice(-WINDOW).map((close) => `{ Close: ${close} }`).join(', ');
  const query = `mutation { predict(input: { model: "${LSTM_MODEL}", rows: [${history}] }) { predictions { value } } }`;
  return { services, file, versionId, query, close: async () => { services.modelCache.clear(); await close(); } };
}

/** The model call alone (LoadedModel.run, this process, same backend): median ms for 1 and 64 windows, to show the LSTM qualifies (≥ 1 ms). */
async function callCost(services: Services, versionId: string) {
  const loaded = await services.modelCache.load(versionId);
  const time = async (units: number) => {
    const x = new Float32Array(units * loaded.inputWidth).map((_, i) => Math.sin(i));
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await loaded.run(x, units);
      times.push(performance.now() - started);
    }
    return round3(median(times.slice(50)));
  };
  return { oneWindow: await time(1), windows64: await time(64) };
}
