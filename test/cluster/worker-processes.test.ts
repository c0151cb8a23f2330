import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { killed, startServerProcess, startWorkerProcess } from '../support/server-process';
import { freshDatabase } from '../support/test-database';
import { testRedisUrl } from '../support/test-server';
import { START_RUN } from '../support/training';
import { until } from '../support/until';

/**
 * `npm start` with RUN_WORKER=false and `npm run worker` processes over one database and one
 * Redis: a worker killed mid-run (SIGKILL: no cleanup) leaves its run to another worker, which
 * trains it again (RETRY) or fails it (FAIL); the run never stays RUNNING.
 */
async function killMidRun(policy: 'RETRY' | 'FAIL') {
  const { config, drop } = await freshDatabase();
  // Short locks: a dead worker's job is taken up within ~3 s rather than ~45 s.
  // Quick heartbeats, snapshots and lease hand-over, so a lost worker is noticed within seconds.
  const cluster = {
    REDIS_URL: testRedisUrl()!, REDIS_PREFIX: `procs-${randomBytes(4).toString('hex')}`, WORKER_LOCK_SECONDS: '2', WORKER_STALLED_CHECK_SECONDS: '1', TRAINING_STALLED_POLICY: policy,
    WORKER_HEARTBEAT_SECONDS: '1', HEALTH_INTERVAL_SECONDS: '1', SCHEDULER_LEASE_SECONDS: '2',
  };
  const api = await startServerProcess(config, { ...cluster, RUN_WORKER: 'false' });
  const processes = [api.child];
  try {
    const first = await startWorkerProcess(config, cluster);
    processes.push(first.child);
    const { createDataset } = await api.request('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv: readDataset('UniversalBank.csv') } });
    const { createModel } = await api.request('mutation { createModel(input: { name: "slow", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income", "CCAvg"], targetColumn: "Personal Loan", hyperparameters: { epochs: 2000, patience: 0, batchSize: 8 } }) { id } }');
    const runId = (await api.request(START_RUN, { input: { modelId: createModel.id, datasetId: createDataset.id } })).startTrainingRun.id;
    const status = () => api.request('query($id: ID!) { trainingRun(id: $id) { status workerId attempts epochsCompleted error } }', { id: runId }).then((d) => d.trainingRun);
    expect(await until(status, (r) => r.epochsCompleted >= 1)).toMatchObject({ status: 'RUNNING', workerId: first.workerId, attempts: 1 });
    const workers = () => api.request('{ systemInfo { instance workers { id capacity running } } }').then((d) => d.systemInfo);
    // The heartbeat after the run started says the worker is busy with it.
    const before = await until(workers, (info) => info.workers[0]?.running === 1, 10_000);
    // The API instance trains nothing, so it is not a worker; the first worker is, busy with the run.
    expect(before.workers).toEqual([{ id: first.workerId, capacity: expect.any(Number), running: 1 }]);
    expect(before.workers.map((w: any) => w.id)).not.toContain(before.instance);

    await killed(first.child);
    const second = await startWorkerProcess(config, cluster);
    processes.push(second.child);
    // The first worker leaves the list, and the built-in worker-lost alert opens (once: one process evaluates rules).
    await until(workers, (info) => !info.workers.some((w: any) => w.id === first.workerId), 20_000);
    const lostAlerts = () => api.request('{ alerts(first: 50) { edges { node { metric severity message } } } }')
      .then((d) => d.alerts.edges.map((e: any) => e.node).filter((alert: any) => alert.metric === 'WORKERS_LOST'));
    const alerts = await until(lostAlerts, (found) => found.length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await lostAlerts()).toHaveLength(1);
    expect(alerts[0].severity).toBe('CRITICAL');
    if (policy === 'RETRY') {
      const retried = await until(status, (r) => r.workerId === second.workerId && r.status === 'RUNNING', 30_000);
      expect(retried.attempts).toBe(2);
      await api.request('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: runId });
      expect(await until(status, (r) => r.status !== 'RUNNING', 20_000)).toMatchObject({ status: 'CANCELLED' });
    } else {
      const failed = await until(status, (r) => r.status !== 'RUNNING', 30_000);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toContain(first.workerId);
      expect(failed.error).toMatch(/TRAINING_STALLED_POLICY=FAIL/);
    }
  } finally {
    for (const child of processes) await killed(child);
    await drop();
  }
}

describe('worker processes', () => {
  it('a run whose worker is killed mid-run is trained again from the start by another worker (RETRY)', () => killMidRun('RETRY'), 90_000);
  it('a run whose worker is killed mid-run is FAILED, naming the worker, by another (FAIL)', () => killMidRun('FAIL'), 90_000);
});
