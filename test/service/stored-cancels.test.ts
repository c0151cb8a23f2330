import { afterAll, beforeAll, expect, it } from 'vitest';
import { TrainingRun, TrainingStatus } from '../../src/modules/training/training-run.entity';
import { caller, creditDatasetAndModel, runToEnd } from '../support/service-fixtures';
import { startTestServices, type TestServices } from '../support/test-services';

// A stored cancel (training_run.cancel_requested_at) honoured without the bus message, as a worker
// that missed it must: the message is never sent here, the request is written straight to the
// database, as cancel() on another instance leaves it.
let t: TestServices;
let modelId: string;
let datasetId: string;

beforeAll(async () => {
  t = await startTestServices({ start: false });
  const { dataset, model } = await creditDatasetAndModel(t.services, 'stored-cancels');
  modelId = model.id;
  datasetId = dataset.id;
});
afterAll(() => t?.close());

const start = (hyperparameters: Record<string, unknown> = {}) =>
  t.services.training.start({ modelId, datasetId, seed: 3, priority: 0, batchMetrics: false, hyperparameters } as never, caller('alice').keyId);
const storeCancel = (runId: string) => t.services.db.manager.update(TrainingRun, { id: runId }, { cancelRequestedAt: new Date() });

it('a run claimed after its cancel was stored does not start: CANCELLED, no training process, no version', async () => {
  const run = await start();
  // What a cancel leaves when it found the run RUNNING on a worker that stopped, just before the
  // run was put back in the queue: QUEUED, with the request stored.
  await storeCancel(run.id);
  await t.services.training.execute(run.id);
  const ended = await t.services.training.get(run.id);
  expect(ended).toMatchObject({ status: TrainingStatus.CANCELLED, backend: null, modelVersionId: null });
});

it('a run delivered again after its worker stopped, with its cancel stored, ends CANCELLED under either TRAINING_STALLED_POLICY', async () => {
  const fail = await startTestServices({ start: false, env: { TRAINING_STALLED_POLICY: 'FAIL' } });
  try {
    const { dataset, model } = await creditDatasetAndModel(fail.services, 'stored-cancels-fail');
    for (const services of [t.services, fail.services]) {
      const run = await services.training.start({ modelId: services === t.services ? modelId : model.id, datasetId: services === t.services ? datasetId : dataset.id, priority: 0, batchMetrics: false } as never, null);
      // What a worker that stopped mid-run leaves, once a cancel of its run was answered.
      await services.db.manager.update(TrainingRun, { id: run.id }, { status: TrainingStatus.RUNNING, workerId: 'gone:1:x', attempts: 1, startedAt: new Date(), cancelRequestedAt: new Date() });
      await services.training.execute(run.id);
      expect(await services.training.get(run.id)).toMatchObject({ status: TrainingStatus.CANCELLED, backend: null, modelVersionId: null, error: null });
    }
  } finally {
    await fail.close();
  }
});

it('honourStoredCancels stops a run training here whose cancel is stored (the bus message was missed)', async () => {
  const run = await start({ epochs: 500, patience: 0 });
  let cancelledAt: number | null = null;
  t.services.training.onEpoch(async (epochRun, epochs) => {
    if (epochRun.id !== run.id || epochs !== 1) return;
    await storeCancel(run.id);
    await t.services.training.honourStoredCancels();
    cancelledAt = epochs;
  });
  await t.services.training.startProcessing();
  try {
    const ended = await runToEnd(t.services, run.id, 30_000);
    expect(cancelledAt).toBe(1);
    expect(ended.status).toBe(TrainingStatus.CANCELLED);
    expect(ended.epochsCompleted).toBeLessThan(500);
  } finally {
    await t.services.training.stopProcessing();
  }
});
