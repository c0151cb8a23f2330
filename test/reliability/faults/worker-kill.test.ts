import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import type { WorkerProcess } from '../../../scripts/cluster/processes';
import { killed, startServerProcess, startWorkerProcess, type ServerProcess } from '../../support/server-process';
import { freshDatabase } from '../../support/test-database';
import { until } from '../../support/until';
import { createBankDataset, FEATURES, startRun } from './fixture';
import { randomMs, runTrials, sleep, trialCount } from './trials';

// The scaled form: `npm start` with RUN_WORKER=false and `npm run worker` processes over MariaDB
// and Redis (BullMQ). A worker is SIGKILLed at a random moment of a run; the run must end as the
// policy says (RETRY: trained again and SUCCEEDED; FAIL: FAILED, saying why), never be left
// RUNNING or QUEUED, and never be trained to completion twice.
const redisUrl = process.env.TEST_REDIS_URL;
const mysqlUrl = process.env.TEST_MYSQL_URL;
const processes: { child: WorkerProcess['child'] }[] = [];
afterAll(async () => {
  for (const { child } of processes) await killed(child);
});

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

it.skipIf(!redisUrl || !mysqlUrl).each(['RETRY', 'FAIL'] as const)('SIGKILL of a BullMQ worker mid-run (%s): each run ends as the policy says, never lost, never completed twice', async (policy) => {
  const db = await freshDatabase('mysql');
  drops.push(db.drop);
  const cluster = {
    REDIS_URL: redisUrl!, REDIS_PREFIX: `wkill-${randomBytes(4).toString('hex')}`, WORKER_LOCK_SECONDS: '2', WORKER_STALLED_CHECK_SECONDS: '1',
    TRAINING_STALLED_POLICY: policy, WORKER_HEARTBEAT_SECONDS: '1', HEALTH_INTERVAL_SECONDS: '1', SCHEDULER_LEASE_SECONDS: '2', TRAINING_WARM_CHILDREN: '0',
  };
  const api: ServerProcess = await startServerProcess(db.config, { ...cluster, RUN_WORKER: 'false' });
  processes.push(api);
  const workers = new Map<string, WorkerProcess>();
  const addWorker = async () => {
    const worker = await startWorkerProcess(db.config, cluster);
    workers.set(worker.workerId, worker);
    processes.push(worker);
  };
  await Promise.all([addWorker(), addWorker()]);
  const datasetId = await createBankDataset(api);
  // A run of a few seconds: long enough to be killed mid-way, short enough to finish after a retry.
  const { createModel } = await api.request('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'retried', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: FEATURES, targetColumn: 'Personal Loan', hyperparameters: { epochs: 30, patience: 0, batchSize: 32 } },
  });
  const runIds: string[] = [];
  const status = (id: string) => api.request('query($id: ID!) { trainingRun(id: $id) { status attempts workerId error epochsCompleted modelVersion { id } } }', { id }).then((d) => d.trainingRun);

  const failures = await runTrials(`SIGKILL BullMQ worker mid-run (${policy})`, trialCount(2), async () => {
    const runId = await startRun(api, createModel.id, datasetId);
    runIds.push(runId);
    const running = await until(() => status(runId), (r) => r.status === 'RUNNING' && r.workerId, 60_000);
    await sleep(randomMs(0, 2500));
    const victim = workers.get(running.workerId);
    if (!victim) throw new Error(`run on an unknown worker ${running.workerId}`);
    workers.delete(running.workerId);
    const wasRunning = (await status(runId)).status === 'RUNNING';
    await killed(victim.child);
    await addWorker();
    const ended = await until(() => status(runId), (r) => r.status !== 'RUNNING' && r.status !== 'QUEUED', 120_000);
    if (policy === 'RETRY') {
      expect(ended.status, ended.error).toBe('SUCCEEDED');
      // Killed while it trained: trained again from the start, once more.
      if (wasRunning) expect(ended.attempts).toBe(2);
    } else if (wasRunning) {
      // Killed while it trained: FAILED by another process, saying why, with no version.
      expect(ended.status).toBe('FAILED');
      expect(ended.error).toMatch(/TRAINING_STALLED_POLICY=FAIL/);
      expect(ended.attempts).toBe(1);
      expect(ended.modelVersion).toBeNull();
    } else {
      // It finished in the moment between the last look and the kill: a whole run, untouched.
      expect(ended.status, ended.error).toBe('SUCCEEDED');
    }
  });
  // Never completed twice: one version per succeeded run, and no run left behind.
  const { model } = await api.request('query($id: ID!) { model(id: $id) { versions(first: 50) { totalCount } } }', { id: createModel.id });
  const finals = await Promise.all(runIds.map(status));
  expect(finals.filter((r) => r.status === 'RUNNING' || r.status === 'QUEUED')).toEqual([]);
  expect(model.versions.totalCount).toBe(finals.filter((r) => r.status === 'SUCCEEDED').length);
  expect(failures).toEqual([]);
});
