import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { START_RUN, waitForRun } from '../support/training';
import { startTestServer, type TestServer } from '../support/test-server';
import { wsClient } from '../support/ws-client';

// An API-only instance (RUN_WORKER=false) and a worker instance, over one database and one Redis:
// runs started through the API instance are trained by the worker, and everything is seen
// through the API instance.
let api: TestServer;
let worker: TestServer;
let modelId: string;
let datasetId: string;

beforeAll(async () => {
  api = await startTestServer({ redisPrefix: `training-${process.pid}-${Date.now()}`, env: { RUN_WORKER: 'false' } });
  worker = await startTestServer({ database: api.services.config.database, redisPrefix: api.services.config.redis!.prefix, env: { TRAINING_CONCURRENCY: '2' } });
  ({ createDataset: { id: datasetId } } = await api.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv: readDataset('UniversalBank.csv') } }));
  ({ createModel: { id: modelId } } = await api.query('mutation { createModel(input: { name: "loans", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income", "CCAvg"], targetColumn: "Personal Loan", hyperparameters: { epochs: 3, batchSize: 64 } }) { id } }'));
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

describe('training on a worker', () => {
  it('trains a run started through the API instance on the worker, streaming every epoch and the end to the API instance\'s subscriber', async () => {
    const client = wsClient(api.wsUrl, api.adminAuth);
    try {
      const { startTrainingRun: run } = await api.query(START_RUN, { input: { modelId, datasetId, batchMetrics: true } });
      const statuses: string[] = [];
      const points: { name: string; step: number; epoch: number }[] = [];
      const ended = Promise.all([
        new Promise<void>((resolve, reject) => client.subscribe({ query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', variables: { id: run.id } }, {
          next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : statuses.push(data.trainingRunUpdated.status)),
          error: reject, complete: resolve,
        })),
        new Promise<void>((resolve, reject) => client.subscribe({ query: 'subscription($id: ID!) { trainingMetrics(runId: $id) { name step epoch } }', variables: { id: run.id } }, {
          next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : points.push(data.trainingMetrics)),
          error: reject, complete: resolve,
        })),
      ]);
      await ended;
      expect(statuses.at(-1)).toBe('SUCCEEDED');
      const { trainingRun } = await api.query('query($id: ID!) { trainingRun(id: $id) { workerId attempts batchMetrics epochsCompleted } }', { id: run.id });
      expect(trainingRun).toMatchObject({ workerId: worker.services.instanceId, attempts: 1, batchMetrics: true, epochsCompleted: 3 });
      // Every epoch's loss, once each, in order; per-batch points too (the option travelled with the run).
      expect(points.filter((p) => p.name === 'loss').map((p) => p.epoch)).toEqual([1, 2, 3]);
      expect(points.some((p) => p.name === 'batch_loss')).toBe(true);
      const keys = points.map((p) => `${p.name}:${p.step}`);
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      await client.dispose();
    }
  });

  it('cancels through the API instance a run the worker is training', async () => {
    const { createModel } = await api.query('mutation { createModel(input: { name: "slow-loans", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income"], targetColumn: "Personal Loan", hyperparameters: { epochs: 2000, patience: 0, batchSize: 8 } }) { id } }');
    const { startTrainingRun: run } = await api.query(START_RUN, { input: { modelId: createModel.id, datasetId } });
    await waitForRun(api, run.id, (r) => r.epochsCompleted >= 1);
    await api.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: run.id });
    const done = await waitForRun(api, run.id, (r) => r.status !== 'RUNNING', 20_000);
    expect(done.status).toBe('CANCELLED');
  });

  it('counts the cluster\'s queue in systemInfo on the API instance, which trains nothing itself', async () => {
    const { systemInfo } = await api.query('{ systemInfo { trainingQueued trainingRunning } }');
    expect(systemInfo).toEqual({ trainingQueued: 0, trainingRunning: 0 });
    const { trainingRuns } = await api.query('{ trainingRuns(first: 10) { edges { node { workerId } } } }');
    expect(trainingRuns.edges.every((e: any) => e.node.workerId === worker.services.instanceId)).toBe(true);
  });
});
