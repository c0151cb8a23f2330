import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evaluation } from '../../src/modules/evaluations/evaluation.entity';
import { ImportanceStatus } from '../../src/modules/evaluations/importance-status';
import { TrainingRun, TrainingStatus } from '../../src/modules/training/training-run.entity';
import { caller, codeOf, creditDatasetAndModel, runToEnd } from '../support/service-fixtures';
import { startTestServices, type TestServices } from '../support/test-services';

// The training run state machine, driven through TrainingRunService on a real database with the
// queue left unconsumed (start: false), so every transition happens when the test says.
let t: TestServices;
let modelId: string;
let datasetId: string;
const alice = caller('alice');

beforeAll(async () => {
  t = await startTestServices({ start: false });
  const { dataset, model } = await creditDatasetAndModel(t.services, 'states');
  modelId = model.id;
  datasetId = dataset.id;
});
afterAll(() => t?.close());

const start = (overrides: Record<string, unknown> = {}) =>
  t.services.training.start({ modelId, datasetId, seed: 7, priority: 0, batchMetrics: false, ...overrides } as never, alice.keyId);

/** Run status changes as published on the bus, for one run. */
function statusesOf(runId: string): string[] {
  const seen: string[] = [];
  const iterator = t.services.events.subscribe('TRAINING_RUN_UPDATED', runId)[Symbol.asyncIterator]();
  void (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const run = await t.services.training.get(next.value.runId);
      if (seen.at(-1) !== run.status) seen.push(run.status);
    }
  })();
  return seen;
}

describe('training run states', () => {
  it('records a started run as QUEUED, with the exact dataset version, seed and who started it', async () => {
    const run = await start();
    expect(run.status).toBe(TrainingStatus.QUEUED);
    const stored = await t.services.training.get(run.id);
    expect(stored).toMatchObject({ status: TrainingStatus.QUEUED, seed: 7, createdBy: alice.keyId, progress: 0, startedAt: null });
    expect(stored.datasetVersionId).toBe((await t.services.datasets.version(datasetId)).id);
    expect((await t.services.trainingQueue.counts()).waiting).toBeGreaterThanOrEqual(1);
  });

  it('cancels a QUEUED run at once: CANCELLED, out of the queue, and a late claim by the queue does nothing', async () => {
    const run = await start();
    const { waiting } = await t.services.trainingQueue.counts();
    const cancelled = await t.services.training.cancel(run.id);
    expect(cancelled.status).toBe(TrainingStatus.CANCELLED);
    expect((await t.services.trainingQueue.counts()).waiting).toBe(waiting - 1);
    // The queue's handler reaching it anyway (it was claimed just before the cancel) must not train it.
    await t.services.training.execute(run.id);
    const after = await t.services.training.get(run.id);
    expect(after.status).toBe(TrainingStatus.CANCELLED);
    expect(after.startedAt).toBeNull();
  });

  it('refuses to cancel a run that has already ended (CONFLICT), and an unknown run (NOT_FOUND)', async () => {
    const run = await start();
    await t.services.training.cancel(run.id);
    expect(await codeOf(t.services.training.cancel(run.id))).toBe('CONFLICT');
    expect(await codeOf(t.services.training.cancel('run_01JZZZZZZZZZZZZZZZZZZZZZZZ'))).toBe('NOT_FOUND');
  });

  it('refuses to train an archived model, writing no run', async () => {
    const { dataset, model } = await creditDatasetAndModel(t.services, 'archived');
    await t.services.models.archive(model.id);
    const before = (await t.services.training.list({ modelId: model.id }, { first: 10 })).items.length;
    expect(await codeOf(t.services.training.start({ modelId: model.id, datasetId: dataset.id, priority: 0, batchMetrics: false } as never, null))).toBe('BAD_USER_INPUT');
    expect((await t.services.training.list({ modelId: model.id }, { first: 10 })).items.length).toBe(before);
  });

  it('after a restart, a RUNNING run (its process died with the server) is FAILED and QUEUED runs queue again', async () => {
    const dead = await start();
    // What a process that died mid-run leaves behind: RUNNING in the database, nothing in memory.
    await t.services.db.manager.update(TrainingRun, { id: dead.id }, { status: TrainingStatus.RUNNING, startedAt: new Date() });
    const queued = await start();
    await t.services.training.recover();
    const failed = await t.services.training.get(dead.id);
    expect(failed.status).toBe(TrainingStatus.FAILED);
    expect(failed.error).toMatch(/server restarted/);
    expect(failed.finishedAt).toBeInstanceOf(Date);
    expect((await t.services.training.get(queued.id)).status).toBe(TrainingStatus.QUEUED);
  });

  it('once the queue is consumed, moves QUEUED → RUNNING → SUCCEEDED, with a version and its TEST evaluation', async () => {
    // Everything still queued from the tests above is cancelled, so only this run trains.
    for (const run of (await t.services.training.list({ modelId, status: TrainingStatus.QUEUED }, { first: 100 })).items) await t.services.training.cancel(run.id);
    const run = await start({ seed: 11 });
    const statuses = statusesOf(run.id);
    await t.services.training.startProcessing();
    try {
      const ended = await runToEnd(t.services, run.id);
      expect(ended.status, ended.error ?? '').toBe(TrainingStatus.SUCCEEDED);
      expect(ended).toMatchObject({ progress: 1, epochsCompleted: 2 });
      expect(ended.backend).toMatch(/^(tensorflow|wasm|cpu)$/);
      const version = await t.services.modelVersions.get(ended.modelVersionId!);
      expect(version).toMatchObject({ modelId, trainingRunId: run.id, datasetVersionId: ended.datasetVersionId });
      expect(version.metrics.auc).toBeGreaterThan(0);
      const evaluations = await t.services.evaluations.list({ modelVersionId: version.id }, { first: 10 });
      expect(evaluations.items.map((e) => e.split)).toEqual(['TEST']);
      expect(await t.services.training.trainedBy(version.id)).toBe(alice.keyId);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statuses).toEqual([TrainingStatus.RUNNING, TrainingStatus.SUCCEEDED]);
    } finally {
      await t.services.training.stopProcessing();
    }
  });
});

describe('queue caps', () => {
  let capped: TestServices;
  beforeAll(async () => {
    capped = await startTestServices({ start: false, env: { MAX_QUEUED_RUNS: '3', MAX_QUEUED_RUNS_PER_KEY: '2' } });
  });
  afterAll(() => capped?.close());

  it('refuses a key past MAX_QUEUED_RUNS_PER_KEY (RATE_LIMITED) and anyone past MAX_QUEUED_RUNS (SERVICE_UNAVAILABLE), writing nothing', async () => {
    const { dataset, model } = await creditDatasetAndModel(capped.services, 'capped');
    const startAs = (key: string) => capped.services.training.start({ modelId: model.id, datasetId: dataset.id, priority: 0, batchMetrics: false } as never, key);
    const first = await startAs('key_a');
    await startAs('key_a');
    expect(await codeOf(startAs('key_a'))).toBe('RATE_LIMITED');
    await startAs('key_b');
    expect(await codeOf(startAs('key_c'))).toBe('SERVICE_UNAVAILABLE');
    expect((await capped.services.training.list({ modelId: model.id }, { first: 10 })).items).toHaveLength(3);
    // A finished run frees its place.
    await capped.services.training.cancel(first.id);
    expect((await startAs('key_a')).status).toBe(TrainingStatus.QUEUED);
  });
});

describe('shutdown', () => {
  let s: TestServices;
  beforeAll(async () => {
    // 5 s: long enough for the quick run's last epochs on a loaded machine (2 s lost it there, 1
    // run in 3 at load average 6), short next to the slow run's 5,000 epochs.
    s = await startTestServices({ start: false, env: { TRAINING_SHUTDOWN_GRACE_SECONDS: '5', TRAINING_CONCURRENCY: '2' } });
  });
  afterAll(() => s?.close());

  it('lets a run that ends within the grace period finish, and puts one still training back in the queue with no history', async () => {
    const { dataset, model } = await creditDatasetAndModel(s.services, 'graceful');
    const slowModel = await s.services.models.create({ name: 'graceful-slow', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: ['age', 'income'], targetColumn: 'default', hyperparameters: { epochs: 5000, patience: 0, hiddenUnits: [8], batchSize: 16 } } as never);
    const slow = await s.services.training.start({ modelId: slowModel.id, datasetId: dataset.id, priority: 0, batchMetrics: false } as never, 'key_a');
    await s.services.training.startProcessing();
    for (let i = 0; i < 200 && (await s.services.training.get(slow.id)).epochsCompleted < 1; i++) await new Promise((r) => setTimeout(r, 50));
    const quick = await s.services.training.start({ modelId: model.id, datasetId: dataset.id, priority: 0, batchMetrics: false } as never, 'key_a');
    // Training, not only claimed: its child has started and finished an epoch (a cold child's
    // start alone can take seconds under load), so what is left fits in the grace period.
    for (let i = 0; i < 500 && (await s.services.training.get(quick.id)).epochsCompleted < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await s.services.trainingMetrics.since(slow.id, -1)).length).toBeGreaterThan(0);

    await s.services.training.stopProcessing();
    expect((await s.services.training.get(quick.id)).status).toBe(TrainingStatus.SUCCEEDED);
    const requeued = await s.services.training.get(slow.id);
    expect(requeued).toMatchObject({ status: TrainingStatus.QUEUED, epochsCompleted: 0, progress: 0, startedAt: null, error: null });
    expect(await s.services.trainingMetrics.since(slow.id, -1)).toEqual([]);
  });
});

describe('restart during the permutation importance', () => {
  it('after a restart, a permutation importance left PENDING (its child died with the server) is FAILED; the run stays SUCCEEDED', async () => {
    const [run] = (await t.services.training.list({ modelId, status: TrainingStatus.SUCCEEDED }, { first: 1 })).items;
    const [evaluation] = (await t.services.evaluations.list({ modelVersionId: run.modelVersionId }, { first: 1 })).items;
    // What a process that died during the importance leaves behind.
    await t.services.db.manager.update(Evaluation, { id: evaluation.id }, { importanceStatus: ImportanceStatus.PENDING, featureImportance: null });
    await t.services.training.recover();
    const after = await t.services.db.manager.findOneByOrFail(Evaluation, { id: evaluation.id });
    expect(after).toMatchObject({ importanceStatus: ImportanceStatus.FAILED, importanceError: expect.stringMatching(/server restarted/), featureImportance: null });
    expect((await t.services.training.get(run.id)).status).toBe(TrainingStatus.SUCCEEDED);
  });
});

describe('requests refused before queueing', () => {
  it('refuses a network that cannot fit TRAINING_MAX_MEMORY_MB, with the numbers, and values too large to standardise', async () => {
    const { dataset } = await creditDatasetAndModel(t.services, 'too-big-data');
    const huge = await t.services.models.create({ name: 'too-big', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: ['age', 'income'], targetColumn: 'default', hyperparameters: { hiddenUnits: Array(8).fill(4096), batchSize: 1 } } as never);
    const refused = await t.services.training.start({ modelId: huge.id, datasetId: dataset.id, priority: 0, batchMetrics: false } as never, null).catch((e) => e);
    expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limitMb: 2048 });
    expect(refused.message).toMatch(/needs about [\d,]+ MB to train .* over TRAINING_MAX_MEMORY_MB \(2,048 MB\)/);

    const rows = Array.from({ length: 60 }, (_, i) => `${i === 7 ? '1e308' : i},${i % 2}`).join('\n');
    const extreme = await t.services.datasets.create({ name: 'extreme', csv: `x,y\n${rows}\n` } as never);
    const model = await t.services.models.create({ name: 'extreme-model', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: ['x'], targetColumn: 'y' } as never);
    const tooLarge = await t.services.training.start({ modelId: model.id, datasetId: extreme.id, priority: 0, batchMetrics: false } as never, null).catch((e) => e);
    expect(tooLarge.extensions).toMatchObject({ code: 'BAD_USER_INPUT', column: 'x' });
    expect(tooLarge.message).toMatch(/cannot be standardised/);
  });
});
