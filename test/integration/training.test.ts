import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForRun } from '../support/training';
import { wsClient } from '../support/ws-client';

let server: TestServer;
let creditId: string;
let bankId: string;
let sp500Id: string;
let mlpId: string;
let slowId: string;

const FEATURES = ['CHK_ACCT', 'DURATION', 'HISTORY', 'AMOUNT', 'SAV_ACCT', 'EMPLOYMENT', 'INSTALL_RATE', 'AGE', 'OTHER_INSTALL', 'RENT', 'OWN_RES', 'NUM_CREDITS', 'JOB', 'FOREIGN', 'REAL_ESTATE', 'GUARANTOR'];

async function create(query: string, input: Record<string, unknown>) {
  const data = await server.query(query, { input });
  return (Object.values(data)[0] as { id: string }).id;
}
const CREATE_DATASET = 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }';
const CREATE_MODEL = 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }';

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2' } });
  creditId = await create(CREATE_DATASET, { name: 'german-credit', csv: readDataset('GermanCredit.csv') });
  bankId = await create(CREATE_DATASET, { name: 'universal-bank', csv: readDataset('UniversalBank.csv') });
  sp500Id = await create(CREATE_DATASET, { name: 'sp500', csv: readDataset('SP500.csv') });
  mlpId = await create(CREATE_MODEL, { name: 'credit-mlp', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [16], epochs: 12, batchSize: 32, learningRate: 0.01 } });
  slowId = await create(CREATE_MODEL, { name: 'bank-slow', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: ['Age', 'Income', 'Family', 'CCAvg', 'Education', 'Mortgage'], targetColumn: 'Personal Loan', hyperparameters: { hiddenUnits: [32, 32], epochs: 2000, patience: 0, batchSize: 8 } });
});
afterAll(() => server?.close());

describe('training a credit model', () => {
  it('streams per-epoch metrics over graphql-ws, ends SUCCEEDED with a model version and a test AUC above 0.70', async () => {
    const client = wsClient(server.wsUrl, server.adminAuth);
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: mlpId, datasetId: creditId, seed: 7 } });
    expect(run.status).toBe('QUEUED');
    const received: any[] = [];
    const statuses: string[] = [];
    const importance: (string | null)[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      // The run's stream completes once the run has ended and its permutation importance has arrived.
      client.subscribe({ query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status epochsCompleted evaluation { importanceStatus } } }', variables: { id: run.id } }, {
        next: ({ data }: any) => { statuses.push(data.trainingRunUpdated.status); importance.push(data.trainingRunUpdated.evaluation?.importanceStatus ?? null); },
        error: reject, complete: resolve,
      });
    });
    const metricsDone = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription($id: ID!) { trainingMetrics(runId: $id) { name step epoch value timestamp } }', variables: { id: run.id } }, {
        next: ({ data, errors }: any) => { if (errors) reject(errors); received.push(data.trainingMetrics); if (data.trainingMetrics.name === 'val_loss' && data.trainingMetrics.epoch === 12) resolve(); },
        error: reject, complete: () => {},
      });
    });
    await finished;
    await metricsDone;
    await client.dispose();
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    expect(statuses).toContain('RUNNING');
    expect(importance.at(-1)).toBe('READY');

    const losses = received.filter((p) => p.name === 'loss');
    expect(losses.map((p) => p.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const steps = losses.map((p) => p.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(new Set(received.map((p) => `${p.name}:${p.step}`)).size).toBe(received.length);
    expect(new Set(received.map((p) => p.name))).toEqual(new Set(['loss', 'accuracy', 'val_loss', 'val_accuracy', 'samples_per_second', 'learning_rate']));

    const { trainingRun } = await server.query(`query($id: ID!) { trainingRun(id: $id) {
      status progress epochsCompleted seed backend libraryVersions finishedAt
      datasetVersion { version }
      modelVersion { version metrics model { name } }
      evaluation { split rowCount threshold metrics { accuracy precision recall f1 auc logLoss ks } rocCurve { fpr tpr threshold } confusionMatrix featureImportance { feature importance } importanceStatus importanceError }
      metrics { name count last min max points(maxPoints: 4) { step value } }
    } }`, { id: run.id });
    expect(trainingRun).toMatchObject({ status: 'SUCCEEDED', progress: 1, epochsCompleted: 12, seed: 7, datasetVersion: { version: 1 }, modelVersion: { version: 1, model: { name: 'credit-mlp' } } });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(trainingRun.backend);
    expect(trainingRun.libraryVersions.tfjs).toMatch(/^4\./);
    const ev = trainingRun.evaluation;
    expect(ev.split).toBe('TEST');
    expect(ev.rowCount).toBe(200);
    expect(ev.metrics.auc).toBeGreaterThan(0.7);
    expect(ev.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(200);
    expect(ev.rocCurve.length).toBeLessThanOrEqual(200);
    expect(ev.rocCurve[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(ev.rocCurve.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    expect(ev).toMatchObject({ importanceStatus: 'READY', importanceError: null });
    expect(ev.featureImportance.map((f: any) => f.feature).sort()).toEqual([...FEATURES].sort());
    expect(trainingRun.modelVersion.metrics.auc).toBeCloseTo(ev.metrics.auc, 9);
    const loss = trainingRun.metrics.find((m: any) => m.name === 'loss');
    expect(loss.count).toBe(12);
    expect(loss.last).toBeCloseTo(losses.at(-1).value, 6);
    expect(loss.points.length).toBeLessThanOrEqual(4);
    expect(loss.points.map((p: any) => p.value)).toContain(loss.max);
    expect(loss.points.map((p: any) => p.value)).toContain(loss.min);

    const { systemInfo } = await server.query('{ systemInfo { tfjsBackend } }');
    expect(systemInfo.tfjsBackend).toBe(trainingRun.backend);
  });

  it('replays from sinceStep with no gap and no duplicate', async () => {
    const { trainingRuns } = await server.query('query($m: ID!) { trainingRuns(filter: { modelId: $m, status: SUCCEEDED }) { edges { node { id metrics(names: ["loss"]) { points(maxPoints: 100) { step } } } } } }', { m: mlpId });
    const run = trainingRuns.edges[0].node;
    const steps = run.metrics[0].points.map((p: any) => p.step);
    const since = steps[4];
    const client = wsClient(server.wsUrl, server.adminAuth);
    const replayed: any[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription($id: ID!, $since: Int) { trainingMetrics(runId: $id, sinceStep: $since, names: ["loss"]) { step } }', variables: { id: run.id, since } }, {
        next: ({ data }: any) => { replayed.push(data.trainingMetrics.step); if (replayed.length === steps.length - 5) resolve(); },
        error: reject, complete: () => {},
      });
    });
    await client.dispose();
    expect(replayed).toEqual(steps.slice(5));
  });
});

describe('evaluateModelVersion', () => {
  it('scores a trained version on every row of a dataset version with the saved encoders', async () => {
    const { model } = await server.query('query($id: ID) { model(id: $id) { latestVersion { id evaluation { metrics { auc } } } } }', { id: mlpId });
    const { evaluateModelVersion: ev } = await server.query('mutation($v: ID!, $d: ID!) { evaluateModelVersion(input: { modelVersionId: $v, datasetId: $d }) { split rowCount metrics { auc accuracy } confusionMatrix datasetVersion { version } modelVersion { id } } }', { v: model.latestVersion.id, d: creditId });
    expect(ev).toMatchObject({ split: 'FULL', rowCount: 1000, datasetVersion: { version: 1 }, modelVersion: { id: model.latestVersion.id } });
    expect(ev.metrics.auc).toBeGreaterThan(0.7);
    expect(ev.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    const { evaluations } = await server.query('query($v: ID!) { evaluations(filter: { modelVersionId: $v }) { totalCount } }', { v: model.latestVersion.id });
    expect(evaluations.totalCount).toBe(2);
    const wrong = await server.request('mutation($v: ID!, $d: ID!) { evaluateModelVersion(input: { modelVersionId: $v, datasetId: $d }) { id } }', { v: model.latestVersion.id, d: bankId });
    expect(wrong.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrong.errors?.[0].message).toMatch(/is not in dataset version/);
  });
});

describe('cancel, crash and reconnect', () => {
  it('cancels a running run, and a reconnecting subscriber loses nothing', async () => {
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: slowId, datasetId: bankId } });
    await waitForRun(server, run.id, (r) => r.epochsCompleted >= 1);
    const collect = (since: number | null, count: number) => new Promise<any[]>((resolve, reject) => {
      const client = wsClient(server.wsUrl, server.adminAuth);
      const points: any[] = [];
      client.subscribe({ query: 'subscription($id: ID!, $since: Int) { trainingMetrics(runId: $id, sinceStep: $since, names: ["loss"]) { step epoch } }', variables: { id: run.id, since } }, {
        next: ({ data }: any) => { points.push(data.trainingMetrics); if (points.length === count) void client.dispose().then(() => resolve(points)); },
        error: reject, complete: () => resolve(points),
      });
    });
    const first = await collect(null, 2);
    const second = await collect(first.at(-1).step, 2);
    const { cancelTrainingRun } = await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: run.id });
    expect(cancelTrainingRun.id).toBe(run.id);
    const ended = await waitForRun(server, run.id, (r) => r.status !== 'RUNNING');
    expect(ended.status).toBe('CANCELLED');
    const epochs = [...first, ...second].map((p) => p.epoch);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    const again = await server.request('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: run.id });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('marks a run FAILED with a readable error when its process is killed, keeping the metrics so far', async () => {
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: slowId, datasetId: bankId } });
    await waitForRun(server, run.id, (r) => r.epochsCompleted >= 1);
    process.kill(server.services.trainer.pidOf(run.id)!, 'SIGKILL');
    const ended = await waitForRun(server, run.id, (r) => r.status !== 'RUNNING');
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toMatch(/SIGKILL/);
    const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { metrics(names: ["loss"]) { count } } }', { id: run.id });
    expect(trainingRun.metrics[0].count).toBeGreaterThanOrEqual(1);
    expect((await server.query('{ systemInfo { version } }')).systemInfo.version).toBeTruthy();
  });

  it('cancels a QUEUED run at once', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await server.query(START_RUN, { input: { modelId: slowId, datasetId: bankId } })).startTrainingRun.id);
    const { cancelTrainingRun } = await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { status } }', { id: ids[2] });
    expect(cancelTrainingRun.status).toBe('CANCELLED');
    for (const id of ids.slice(0, 2)) {
      await waitForRun(server, id, (r) => r.status === 'RUNNING');
      await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id });
      await waitForRun(server, id, (r) => r.status === 'CANCELLED');
    }
  });
});

describe('forecasting', () => {
  it('trains an LSTM on SP500.csv and evaluates it in price units', async () => {
    const modelId = await create(CREATE_MODEL, { name: 'sp500-lstm', task: 'TIME_SERIES_FORECAST', architecture: 'LSTM', featureColumns: [], targetColumn: 'Close', hyperparameters: { windowSize: 6, horizon: 1, epochs: 5, batchSize: 8, hiddenUnits: [8] } });
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId: sp500Id, seed: 1 } });
    const ended = await waitForRun(server, run.id, (r) => !['QUEUED', 'RUNNING'].includes(r.status));
    expect(ended.error).toBeNull();
    expect(ended.status).toBe('SUCCEEDED');
    const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { evaluation { rowCount metrics { rmse mae mape r2 auc } } } }', { id: run.id });
    const m = trainingRun.evaluation.metrics;
    expect(trainingRun.evaluation.rowCount).toBe(19);
    expect(m.auc).toBeNull();
    expect(m.rmse).toBeGreaterThan(0);
    expect(m.rmse).toBeLessThan(1000); // prices are ~800-1500: the scale is the target's, not standardised
    expect(m.mae).toBeLessThanOrEqual(m.rmse);
  });
});
