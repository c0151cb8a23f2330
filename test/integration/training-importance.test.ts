import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, DEPLOY, PREDICT, creditCsv, creditRows, featuresOf } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForRun } from '../support/training';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

// Permutation importance follows SUCCEEDED. The training child here is the real one wrapped so
// that it stops itself (SIGSTOP) right after it sent the model and test figures: every run below
// is SUCCEEDED with its importance PENDING for as long as the test wants.
const PAUSED_CHILD = path.resolve(__dirname, '../fixtures/processes/pause-before-importance.cjs');

let server: TestServer;
let modelId: string;
let datasetId: string;

const EVALUATION = `query($id: ID!) { trainingRun(id: $id) { status error modelVersion { id }
  evaluation { metrics { auc } featureImportance { feature importance } importanceStatus importanceError } } }`;
const runOf = async (id: string) => (await server.query(EVALUATION, { id })).trainingRun;

/** Starts a run and returns it once SUCCEEDED, with the pid of its (stopped) child. */
async function succeededRun(seed: number) {
  const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed } });
  const ended = await waitForRun(server, run.id, (r) => !['QUEUED', 'RUNNING'].includes(r.status));
  expect(ended.status).toBe('SUCCEEDED');
  const pid = server.services.trainer.pidOf(run.id);
  expect(pid).toBeTypeOf('number');
  return { id: run.id as string, pid: pid! };
}

/** The version scores rows through a deployment: it is usable. */
async function predictsWith(versionId: string, environment: string) {
  const { deployModelVersion } = await server.query(DEPLOY, { input: { modelVersionId: versionId, environment, reason: 'usable before its importance' } });
  expect(deployModelVersion.__typename).toBe('Deployment');
  const { predict } = await server.query(PREDICT, { input: { model: 'credit-importance', environment, rows: creditRows().slice(0, 3).map(featuresOf) } });
  expect(predict.modelVersion.id).toBe(versionId);
  expect(predict.predictions).toHaveLength(3);
}

beforeAll(async () => {
  server = await startTestServer({ trainingProcess: PAUSED_CHILD, env: { TRAINING_CONCURRENCY: '2', TRAINING_WARM_CHILDREN: '0' } });
  datasetId = (await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-importance', csv: creditCsv() } })).createDataset.id;
  modelId = (await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', { input: {
    name: 'credit-importance', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE',
    hyperparameters: { hiddenUnits: [8], epochs: 3, batchSize: 64 },
  } })).createModel.id;
});
afterAll(() => server?.close());

describe('permutation importance after SUCCEEDED', () => {
  it('a run is SUCCEEDED and its version deployable while the importance is PENDING; the importance then arrives, and the run\'s stream completes only after it', async () => {
    const run = await succeededRun(11);
    const client = wsClient(server.wsUrl, server.adminAuth);
    const updates: any[] = [];
    let completed = false;
    const streamEnded = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status evaluation { importanceStatus } } }', variables: { id: run.id } }, {
        next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : updates.push(data.trainingRunUpdated)),
        error: reject,
        complete: () => { completed = true; resolve(); },
      });
    });
    try {
      const pending = await runOf(run.id);
      expect(pending).toMatchObject({ status: 'SUCCEEDED', error: null, evaluation: { featureImportance: null, importanceStatus: 'PENDING', importanceError: null } });
      expect(pending.evaluation.metrics.auc).toBeGreaterThan(0);
      await predictsWith(pending.modelVersion.id, 'TEST');
      // The current state came first; the stream waits for the importance.
      await until(async () => updates.length, (n) => n >= 1);
      expect(updates[0]).toEqual({ status: 'SUCCEEDED', evaluation: { importanceStatus: 'PENDING' } });
      expect(completed).toBe(false);

      process.kill(run.pid, 'SIGCONT');
      await streamEnded;
      expect(updates.at(-1)).toEqual({ status: 'SUCCEEDED', evaluation: { importanceStatus: 'READY' } });
      const ready = await runOf(run.id);
      expect(ready.status).toBe('SUCCEEDED');
      expect(ready.evaluation.importanceStatus).toBe('READY');
      expect(ready.evaluation.featureImportance.map((f: any) => f.feature).sort()).toEqual([...CREDIT_FEATURES].sort());
      await until(async () => server.services.trainer.pidOf(run.id), (pid) => pid === undefined);
    } finally {
      await client.dispose();
    }
  });

  it('a child that crashes while computing the importance leaves the run SUCCEEDED and its version usable; the importance is FAILED with the reason', async () => {
    const run = await succeededRun(12);
    process.kill(run.pid, 'SIGKILL');
    await until(() => runOf(run.id), (r) => r.evaluation.importanceStatus !== 'PENDING');
    const after = await runOf(run.id);
    expect(after).toMatchObject({ status: 'SUCCEEDED', error: null, evaluation: { featureImportance: null, importanceStatus: 'FAILED' } });
    expect(after.evaluation.importanceError).toMatch(/SIGKILL/);
    expect(after.evaluation.metrics.auc).toBeGreaterThan(0);
    await predictsWith(after.modelVersion.id, 'PREVIEW');
    // The per-run stream of a run that has ended with its importance settled: its state, then complete.
    const client = wsClient(server.wsUrl, server.adminAuth);
    const seen: any[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status evaluation { importanceStatus } } }', variables: { id: run.id } }, {
        next: ({ data }: any) => seen.push(data.trainingRunUpdated), error: reject, complete: resolve,
      });
    });
    await client.dispose();
    expect(seen).toEqual([{ status: 'SUCCEEDED', evaluation: { importanceStatus: 'FAILED' } }]);
  });

});
