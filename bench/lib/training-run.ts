import type { Client } from 'graphql-ws';
import { gql, subscribe } from './graphql-client';

/** A metric point as the subscriber got it, with the subscriber's clock at arrival. */
export interface ReceivedPoint {
  name: string;
  step: number;
  epoch: number;
  value: number;
  /** The training child's Date.now() when it measured the value. */
  timestamp: number;
  /** This process's Date.now() when the point arrived (same machine, same clock). */
  receivedAt: number;
}

/** One API training run seen from outside: milliseconds since the startTrainingRun request. */
export interface ApiRunTiming {
  runId: string;
  backend: string | null;
  /** Request → SUCCEEDED seen by the trainingRunUpdated subscriber. */
  seconds: number;
  /** Request → the mutation's response (QUEUED). */
  mutationSeconds: number;
  /** Request → RUNNING seen (the queue took it). */
  toRunningSeconds: number;
  /** Request → backend seen: rows read and sent, child forked, tfjs and its backend loaded. */
  toChildReadySeconds: number;
  /** Request → end of the first epoch (child clock, first per-epoch metric's timestamp). */
  toFirstEpochSeconds: number;
  /** Request → end of the last epoch (child clock): fit done. */
  toFitEndSeconds: number;
  /** Fit end → SUCCEEDED seen: test metrics, saving, database writes, notification. */
  afterFitSeconds: number;
  /** SUCCEEDED seen → the permutation importance seen on the same stream (it follows SUCCEEDED). */
  importanceAfterSucceededSeconds: number;
  importanceStatus: string | null;
  /** samples_per_second of each epoch, as the child reported it. */
  samplesPerSecond: number[];
  /** Date.now() when the trainingMetrics subscription was opened (earlier points are a replay). */
  metricsSubscribedAt: number;
  points: ReceivedPoint[];
}

const RUN_UPDATED = `subscription($modelId: ID) { trainingRunUpdated(modelId: $modelId) { id status backend epochsCompleted error evaluation { importanceStatus } } }`;
const METRICS = `subscription($runId: ID!) { trainingMetrics(runId: $runId) { name step epoch value timestamp } }`;

/**
 * Starts a run through the API and follows it with two graphql-ws subscriptions on `client`:
 * trainingRunUpdated (by model, opened before the request, so RUNNING is never missed) and
 * trainingMetrics (opened when the run id is known; its replay covers anything earlier).
 */
export async function followApiRun(url: string, client: Client, input: { modelId: string; datasetId: string; seed: number; batchMetrics: boolean; epochs: number }): Promise<ApiRunTiming> {
  let runId: string | null = null;
  const early: any[] = [];
  let toRunning = NaN;
  let toChildReady = NaN;
  let backend: string | null = null;
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const finished = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
  let doneAt = NaN;
  let importanceAt = NaN;
  let importanceStatus: string | null = null;
  let importanceSeen!: () => void;
  const importanceKnown = new Promise<void>((resolve) => { importanceSeen = resolve; });
  const onRun = (run: any) => {
    const now = performance.now();
    if (run.status === 'RUNNING' && Number.isNaN(toRunning)) toRunning = now;
    if (run.backend && Number.isNaN(toChildReady)) { toChildReady = now; backend = run.backend; }
    if (run.status === 'SUCCEEDED' && Number.isNaN(doneAt)) { doneAt = now; settle.resolve(); }
    const importance = run.evaluation?.importanceStatus;
    if (run.status === 'SUCCEEDED' && importance && importance !== 'PENDING' && Number.isNaN(importanceAt)) { importanceAt = now; importanceStatus = importance; importanceSeen(); }
    if (run.status === 'FAILED' || run.status === 'CANCELLED') settle.reject(new Error(`training run ${run.id} ended ${run.status}: ${run.error}`));
  };
  const updates = subscribe(client, RUN_UPDATED, { modelId: input.modelId }, ({ trainingRunUpdated: run }) => {
    if (runId === null) early.push(run);
    else if (run.id === runId) onRun(run);
  });
  updates.done.catch((error) => settle.reject(error));
  // graphql-ws subscribes asynchronously: give the subscribe message time to reach the server.
  await new Promise((resolve) => setTimeout(resolve, 100));

  const points: ReceivedPoint[] = [];
  const startedWall = Date.now();
  const started = performance.now();
  const created = await gql(url, 'mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id status } }', {
    input: { modelId: input.modelId, datasetId: input.datasetId, seed: input.seed, batchMetrics: input.batchMetrics, split: { validation: 0.15, test: 0.2 } },
  });
  const mutationMs = performance.now() - started;
  runId = created.startTrainingRun.id as string;
  for (const run of early.filter((r) => r.id === runId)) onRun(run);
  const metricsSubscribedAt = Date.now();
  const metrics = subscribe(client, METRICS, { runId }, ({ trainingMetrics: p }) => { points.push({ ...p, receivedAt: Date.now() }); });
  metrics.done.catch((error) => settle.reject(error));
  try {
    await finished;
    await Promise.race([importanceKnown, new Promise((resolve) => setTimeout(resolve, 60_000))]);
    // The last epoch's points travel on the other subscription: let them arrive (normally already there).
    for (let waited = 0; points.filter((p) => p.name === 'loss').length < input.epochs && waited < 3000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    updates.stop();
    metrics.stop();
  }

  const epochLoss = points.filter((p) => p.name === 'loss').sort((a, b) => a.epoch - b.epoch);
  if (epochLoss.length !== input.epochs) throw new Error(`expected ${input.epochs} per-epoch loss points, got ${epochLoss.length}`);
  const fitEndWall = epochLoss[epochLoss.length - 1].timestamp;
  const s = (ms: number) => ms / 1000;
  const seconds = s(doneAt - started);
  return {
    runId,
    backend,
    seconds,
    mutationSeconds: s(mutationMs),
    toRunningSeconds: s(toRunning - started),
    toChildReadySeconds: s(toChildReady - started),
    toFirstEpochSeconds: s(epochLoss[0].timestamp - startedWall),
    toFitEndSeconds: s(fitEndWall - startedWall),
    afterFitSeconds: seconds - s(fitEndWall - startedWall),
    importanceAfterSucceededSeconds: s(importanceAt - doneAt),
    importanceStatus,
    samplesPerSecond: points.filter((p) => p.name === 'samples_per_second').sort((a, b) => a.epoch - b.epoch).map((p) => p.value),
    metricsSubscribedAt,
    points,
  };
}

export const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
