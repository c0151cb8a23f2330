import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { alive } from '../support/processes';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForRun } from '../support/training';

let server: TestServer;
let bankId: string;
let quickId: string;
let slowId: string;

const CREATE_DATASET = 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }';
const CREATE_MODEL = 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }';
const BANK_FEATURES = ['Age', 'Income', 'Family', 'CCAvg', 'Education', 'Mortgage'];

async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const warmPid = () => until(() => server.services.trainer.warmPids[0], 'an idle warm training child');

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '1', TRAINING_WARM_CHILDREN: '1' } });
  bankId = (await server.query(CREATE_DATASET, { input: { name: 'universal-bank', csv: readDataset('UniversalBank.csv') } })).createDataset.id;
  quickId = (await server.query(CREATE_MODEL, { input: { name: 'bank-quick', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: BANK_FEATURES, targetColumn: 'Personal Loan', hyperparameters: { hiddenUnits: [8], epochs: 2, batchSize: 64 } } })).createModel.id;
  slowId = (await server.query(CREATE_MODEL, { input: { name: 'bank-slow', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: BANK_FEATURES, targetColumn: 'Personal Loan', hyperparameters: { hiddenUnits: [32, 32], epochs: 2000, patience: 0, batchSize: 8 } } })).createModel.id;
});
let closed = false;
afterAll(async () => { if (!closed) await server?.close(); });

describe('warm training children (TRAINING_WARM_CHILDREN)', () => {
  it('starts a run in the child that was already waiting, and starts a fresh one to replace it', async () => {
    const pid = await warmPid();
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: quickId, datasetId: bankId, seed: 3 } });
    const trainedBy = await until(() => server.services.trainer.pidOf(run.id), 'the run to have a child');
    expect(trainedBy).toBe(pid);
    const ended = await waitForRun(server, run.id, (r) => !['QUEUED', 'RUNNING'].includes(r.status));
    expect(ended.status).toBe('SUCCEEDED');
    const next = await warmPid();
    expect(next).not.toBe(pid);
    // Idle children are not running jobs (the run's child counts until it has sent the importance and exited).
    await until(() => server.services.trainer.running === 0, 'the run\'s child to exit');
    expect(server.services.trainer.warmPids).toContain(next);
  });

  it('a pooled child killed while training fails only its own run, with a reason; the next run succeeds', async () => {
    const pid = await warmPid();
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: slowId, datasetId: bankId } });
    await waitForRun(server, run.id, (r) => r.epochsCompleted >= 1);
    expect(server.services.trainer.pidOf(run.id)).toBe(pid);
    process.kill(pid, 'SIGKILL');
    const ended = await waitForRun(server, run.id, (r) => r.status !== 'RUNNING');
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toMatch(/SIGKILL/);

    const { startTrainingRun: next } = await server.query(START_RUN, { input: { modelId: quickId, datasetId: bankId, seed: 4 } });
    expect((await waitForRun(server, next.id, (r) => !['QUEUED', 'RUNNING'].includes(r.status))).status).toBe('SUCCEEDED');
  });

  it('a pooled child that dies after it was handed a job but before it took it: the job goes to a fresh child once, and the run succeeds', async () => {
    const pid = await warmPid();
    // Frozen, the child stays in the pool as if alive and is handed the next job, which it never reads.
    process.kill(pid, 'SIGSTOP');
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: quickId, datasetId: bankId, seed: 5 } });
    expect(await until(() => server.services.trainer.pidOf(run.id), 'the run to be handed a child')).toBe(pid);
    process.kill(pid, 'SIGKILL');
    const ended = await waitForRun(server, run.id, (r) => !['QUEUED', 'RUNNING'].includes(r.status));
    expect(ended.error).toBeNull();
    expect(ended.status).toBe('SUCCEEDED');
    expect(alive(pid)).toBe(false);
  });

  it('replaces an idle child that dies', async () => {
    const pid = await warmPid();
    process.kill(pid, 'SIGKILL');
    const replacement = await until(() => server.services.trainer.warmPids.find((p) => p !== pid), 'a replacement warm child');
    expect(alive(replacement)).toBe(true);
  });

  it('leaves no training child running after the server stops', async () => {
    const pids = new Set([await warmPid()]);
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: slowId, datasetId: bankId } });
    await waitForRun(server, run.id, (r) => r.epochsCompleted >= 1);
    pids.add(server.services.trainer.pidOf(run.id)!);
    for (const pid of server.services.trainer.warmPids) pids.add(pid);
    expect(pids.size).toBeGreaterThanOrEqual(2);
    closed = true;
    await server.close();
    await until(() => [...pids].every((pid) => !alive(pid)), 'every training child to exit', 10_000);
    expect(server.services.trainer.warmPids).toEqual([]);
  });
});
