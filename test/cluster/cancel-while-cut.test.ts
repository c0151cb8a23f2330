import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { alive, childPids } from '../support/processes';
import { killed, startServerProcess, startWorkerProcess } from '../support/server-process';
import { startTcpProxy, throughProxy } from '../support/tcp-proxy';
import { freshDatabase } from '../support/test-database';
import { testRedisUrl } from '../support/test-server';
import { START_RUN } from '../support/training';
import { until } from '../support/until';

/**
 * An API instance (RUN_WORKER=false) and a worker process; one of them reaches Redis through a
 * proxy the test cuts, so the TRAINING_CANCEL message of a cancel answered meanwhile never
 * reaches the worker. The cancel is stored, and the worker must honour it without the message:
 * - worker cut: its subscriber missed messages, and the bus says so once Redis is back (the
 *   heartbeat, its other safety net, is set too slow to help here);
 * - API cut: the message is never published and the worker's bus saw no outage, so only the
 *   worker's periodic check (at each heartbeat, 1 s here) finds it.
 */
async function cancelWhileCut(cut: 'worker' | 'api') {
  const { config, drop } = await freshDatabase();
  const direct = new URL(testRedisUrl()!);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 6379) });
  const redisOf = (side: 'worker' | 'api') => (side === cut ? throughProxy(testRedisUrl()!, proxy) : testRedisUrl()!);
  const cluster = { REDIS_PREFIX: `cancel-cut-${randomBytes(4).toString('hex')}`, WORKER_HEARTBEAT_SECONDS: cut === 'worker' ? '600' : '1', TRAINING_WARM_CHILDREN: '0' };
  const api = await startServerProcess(config, { ...cluster, REDIS_URL: redisOf('api'), RUN_WORKER: 'false' });
  const processes = [api.child];
  try {
    const worker = await startWorkerProcess(config, { ...cluster, REDIS_URL: redisOf('worker') });
    processes.push(worker.child);
    const { createDataset } = await api.request('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv: readDataset('UniversalBank.csv') } });
    const { createModel } = await api.request('mutation { createModel(input: { name: "slow", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income", "CCAvg"], targetColumn: "Personal Loan", hyperparameters: { epochs: 2000, patience: 0, batchSize: 8 } }) { id } }');
    const runId = (await api.request(START_RUN, { input: { modelId: createModel.id, datasetId: createDataset.id } })).startTrainingRun.id;
    const status = () => api.request('query($id: ID!) { trainingRun(id: $id) { status workerId epochsCompleted cancelRequestedAt } }', { id: runId }).then((d) => d.trainingRun);
    expect(await until(status, (r) => r.epochsCompleted >= 1)).toMatchObject({ status: 'RUNNING', workerId: worker.workerId, cancelRequestedAt: null });
    const training = childPids(worker.child.pid!, 'train-process');
    expect(training.length).toBeGreaterThan(0);

    proxy.cut();
    // Long enough for the cut side to notice its connections are gone.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const asked = Date.now();
    const { cancelTrainingRun } = await api.request('mutation($id: ID!) { cancelTrainingRun(id: $id) { status cancelRequestedAt } }', { id: runId });
    expect(cancelTrainingRun.status).toBe('RUNNING');
    expect(cancelTrainingRun.cancelRequestedAt).toEqual(expect.any(String));
    let ended;
    if (cut === 'worker') {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // Still training: the message was lost with the connection.
      expect((await status()).status).toBe('RUNNING');
      const restored = Date.now();
      proxy.restore();
      ended = await until(status, (r) => r.status !== 'RUNNING', 20_000).catch(() => status());
      console.log(`worker cut: cancelled ${Date.now() - restored} ms after Redis came back`);
    } else {
      // Redis stays away from the API until the run has ended: no message can carry this cancel.
      ended = await until(status, (r) => r.status !== 'RUNNING', 20_000).catch(() => status());
      console.log(`API cut: cancelled ${Date.now() - asked} ms after the cancel was answered`);
      proxy.restore();
    }
    expect(ended.status).toBe('CANCELLED');
    await until(async () => training.filter(alive), (left) => left.length === 0, 10_000);
  } finally {
    for (const child of processes) await killed(child);
    await proxy.close();
    await drop();
  }
}

describe('a cancel answered while Redis is cut', () => {
  it('the worker cut off: the run ends CANCELLED soon after Redis is back (the bus reports the missed messages), and its training child is gone', () => cancelWhileCut('worker'), 90_000);
  it('the API cut off: the run ends CANCELLED within seconds (the worker\'s heartbeat check), and its training child is gone', () => cancelWhileCut('api'), 90_000);
});
