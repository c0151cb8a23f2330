import 'reflect-metadata';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import readline from 'node:readline';
import { loadConfig } from '../../src/core/config';
import { newId } from '../../src/core/ids';
import { resolveHyperparameters } from '../../src/modules/models/hyperparameters';
import { Architecture, ModelTask } from '../../src/modules/models/model-enums';
import { SplitStrategy, TrainingRun, TrainingStatus } from '../../src/modules/training/training-run.entity';
import type { Services } from '../../src/modules/shared/context';
import { startServer } from '../../src/server/start-server';

/** Metric events published per second once told `go` (BENCH_FANOUT_RATE, default 20). */
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 20);
/** How often `warmup` points go out: enough to see every subscriber live within a second. */
const WARMUP_MS = 250;

/**
 * aimass started through startServer as main.ts starts it, over a scratch database, with one
 * RUNNING training run that nothing trains: the fan-out benchmark publishes that run's
 * TRAINING_METRICS events itself, so only pub/sub → graphql-ws is measured. With
 * BENCH_FANOUT_RUN=0 it is only that start (the monitoring benchmark's server).
 *
 * stdout: `run <id>` (fan-out only), then `listening on <url>`; after `go`, `done <json>`.
 * stdin, one command a line (stdin keeps the control channel off the HTTP port being measured):
 * - `warmup`: a `warmup` point every 250 ms (steps 1, 2, …) so the bench sees who is subscribed;
 * - `go`: stops the warm-up and publishes `loss` points, steps 1…RATE×BENCH_FANOUT_SECONDS (default
 *   30), RATE (BENCH_FANOUT_RATE, 20) a second on a fixed schedule, `timestamp: Date.now()` at publish; then prints
 *   `done {"published", "seconds", "maxPublishLagMs", "rssAtGoMb", "peakRssMb"}`.
 * SIGTERM stops it as main.ts does. Never used outside bench/.
 */
async function main() {
  const seconds = Number(process.env.BENCH_FANOUT_SECONDS ?? 30);
  const fanout = process.env.BENCH_FANOUT_RUN !== '0';
  // RSS sampled from the start: the peak covers startup, the idle sockets and the fan-out.
  let peakRss = process.memoryUsage().rss;
  if (fanout) setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100).unref();

  const app = await startServer(loadConfig());
  const { services } = app;
  // After the start (training recovery would mark a RUNNING run left from before as FAILED).
  const runId = fanout ? await runningRun(services) : null;
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0), () => process.exit(1));
  });
  if (runId) console.log(`run ${runId}`);
  console.log(`listening on ${app.url}`);
  if (!runId) return;

  const publish = (name: string, step: number) =>
    services.events.publish('TRAINING_METRICS', runId, { runId, name, step, epoch: 1, value: 1 / step, timestamp: Date.now() });
  let warmup: NodeJS.Timeout | null = null;
  let started = false;
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const command = line.trim();
    if (command === 'warmup' && !warmup) {
      let step = 0;
      warmup = setInterval(() => publish('warmup', ++step), WARMUP_MS);
    } else if (command === 'go' && !started) {
      started = true;
      if (warmup) clearInterval(warmup);
      void profiled(() => fanOut(publish, seconds * RATE)).then((result) => {
        console.log(`done ${JSON.stringify({ ...result, peakRssMb: mb(Math.max(peakRss, process.memoryUsage().rss)) })}`);
      });
    }
  });
}

/**
 * `count` points at 1000/RATE ms apart on an absolute schedule, so a slow tick does not stretch
 * the run; a late tick publishes at once (the lag is reported), never two at once to catch up.
 */
async function fanOut(publish: (name: string, step: number) => void, count: number) {
  const rssAtGo = process.memoryUsage().rss;
  const interval = 1000 / RATE;
  const start = performance.now();
  let maxLag = 0;
  for (let step = 1; step <= count; step++) {
    const due = start + (step - 1) * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLag = Math.max(maxLag, performance.now() - due);
    publish('loss', step);
  }
  return { published: count, seconds: (performance.now() - start) / 1000, maxPublishLagMs: Math.round(maxLag), rssAtGoMb: mb(rssAtGo) };
}

/**
 * `work` with the time spent in garbage collection meanwhile (gcMs); with BENCH_FANOUT_PROFILE=<file>,
 * also a CPU profile of just that stretch (not the start or the sockets opening), written there.
 */
async function profiled<T extends object>(work: () => Promise<T>): Promise<T & { gcMs: number }> {
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) gcMs += entry.duration; });
  observer.observe({ entryTypes: ['gc'] });
  const file = process.env.BENCH_FANOUT_PROFILE;
  const session = file ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const result = await work();
  // The last points are still on their way out: a second more of profile covers them.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  observer.disconnect();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file!, JSON.stringify(profile));
    session.disconnect();
  }
  return { ...result, gcMs: Math.round(gcMs) };
}

/** A tiny dataset and model made through the services, and a RUNNING run row for them (never trained). */
async function runningRun(services: Services): Promise<string> {
  const csv = 'a,b,y\n' + Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 13},${i % 2}`).join('\n') + '\n';
  const dataset = await services.datasets.create({ name: 'bench-fanout-data', csv } as never);
  const version = await services.datasets.version(dataset.id);
  const model = await services.models.create({ name: 'bench-fanout', task: ModelTask.BINARY_CLASSIFICATION, architecture: Architecture.MLP, featureColumns: ['a', 'b'], targetColumn: 'y' } as never);
  const id = newId(TrainingRun);
  const now = new Date();
  await services.db.manager.insert(TrainingRun, {
    id, modelId: model.id, datasetVersionId: version.id, status: TrainingStatus.RUNNING, progress: 0, epochsCompleted: 0,
    hyperparameters: resolveHyperparameters(model, null, model.hyperparameters), split: { validation: 0.15, test: 0.2, strategy: SplitStrategy.RANDOM },
    seed: 1, priority: 0, backend: null, libraryVersions: null, error: null, modelVersionId: null, createdBy: null, queuedAt: now, startedAt: now, finishedAt: null,
  });
  return id;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

void main();
