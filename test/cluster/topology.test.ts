import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchCluster, type LocalCluster } from '../../scripts/cluster/launch';
import { readDataset } from '../support/csv';
import { adminRequest, testProcessEnv } from '../support/server-process';
import { freshDatabase } from '../support/test-database';
import { TEST_ADMIN_KEY, testRedisUrl } from '../support/test-server';
import { START_RUN } from '../support/training';
import { until } from '../support/until';
import { wsClient, wsSubscribeOutcome } from '../support/ws-client';

/**
 * The scaled form as `npm run cluster` starts it: API instances A and B (RUN_WORKER=false) and a
 * worker W, each its own process, over one database and one Redis, with one port in front.
 */
let cluster: LocalCluster;
let drop: () => Promise<void>;
let A: string;
let B: string;
let datasetId: string;
const versions: string[] = [];

const wsOf = (url: string) => url.replace('http', 'ws');
const runOf = (url: string, id: string) => adminRequest(url, 'query($id: ID!) { trainingRun(id: $id) { status epochsCompleted workerId modelVersion { id } } }', { id }).then((d) => d.trainingRun);

interface Point { name: string; step: number }

/** A trainingMetrics subscription collecting every point until the stream completes. */
function collectMetrics(client: Client, runId: string): Promise<Point[]> {
  const points: Point[] = [];
  return new Promise((resolve, reject) => client.subscribe({ query: 'subscription($id: ID!) { trainingMetrics(runId: $id) { name step } }', variables: { id: runId } }, {
    next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : points.push(data.trainingMetrics)),
    error: reject,
    complete: () => resolve(points),
  }));
}

beforeAll(async () => {
  const database = await freshDatabase();
  drop = database.drop;
  cluster = await launchCluster({
    apis: 2, workers: 1, port: 0,
    env: { ...testProcessEnv(database.config), REDIS_URL: testRedisUrl()!, REDIS_PREFIX: `topology-${randomBytes(4).toString('hex')}`, TRAINING_CONCURRENCY: '2' },
  });
  [A, B] = cluster.apis.map((api) => api.url);
  ({ createDataset: { id: datasetId } } = await adminRequest(A, 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv: readDataset('UniversalBank.csv') } }));
});
afterAll(async () => {
  await cluster?.stop();
  await drop?.();
});

describe('a cluster of processes', () => {
  it('trains on W a run started through A, streaming through B every point once, in order, also to clients that join mid-run', async () => {
    const { createModel } = await adminRequest(A, 'mutation { createModel(input: { name: "loans", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income", "CCAvg"], targetColumn: "Personal Loan", hyperparameters: { epochs: 8, batchSize: 8 } }) { id } }');
    const clients: Client[] = [];
    const connect = () => { const client = wsClient(wsOf(B), `Bearer ${TEST_ADMIN_KEY}`); clients.push(client); return client; };
    try {
      const { startTrainingRun: run } = await adminRequest(A, START_RUN, { input: { modelId: createModel.id, datasetId, batchMetrics: true } });
      const statuses: string[] = [];
      const ended = new Promise<void>((resolve, reject) => connect().subscribe({ query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', variables: { id: run.id } }, {
        next: ({ data }: any) => statuses.push(data.trainingRunUpdated.status), error: reject, complete: resolve,
      }));
      const streams = [collectMetrics(connect(), run.id)];
      // Joiners on B while W trains: each replays what is stored, what W holds unwritten, then live.
      for (const epochs of [1, 3, 4]) {
        const now = await until(() => runOf(A, run.id), (r) => r.epochsCompleted >= epochs || ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status));
        if (now.status !== 'RUNNING') break;
        streams.push(collectMetrics(connect(), run.id));
      }
      expect(streams.length).toBeGreaterThanOrEqual(3); // at least two joined mid-run
      const received = await Promise.all(streams);
      await ended;
      expect(statuses.at(-1)).toBe('SUCCEEDED');
      const trained = await runOf(A, run.id);
      expect(trained.workerId).toBe(cluster.workers[0].workerId);
      versions.push(trained.modelVersion.id);

      // The stored history, replayed through A after the end, is what each of B's clients saw.
      const history = await collectMetrics(connect(), run.id);
      const key = (p: Point) => `${p.name}:${p.step}`;
      expect(history.filter((p) => p.name === 'batch_loss').length).toBeGreaterThan(1000);
      for (const points of received) {
        expect(new Set(points.map(key)).size).toBe(points.length); // no duplicate
        expect(points.map(key).sort()).toEqual(history.map(key).sort()); // no gap
        for (const name of ['loss', 'batch_loss']) {
          const steps = points.filter((p) => p.name === name).map((p) => p.step);
          expect(steps).toEqual([...steps].sort((x, y) => x - y)); // in order
        }
      }
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
  });

  it('cancels through B a run that W is training', async () => {
    const { createModel } = await adminRequest(A, 'mutation { createModel(input: { name: "slow", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income"], targetColumn: "Personal Loan", hyperparameters: { epochs: 2000, patience: 0, batchSize: 8 } }) { id } }');
    const { startTrainingRun: run } = await adminRequest(A, START_RUN, { input: { modelId: createModel.id, datasetId } });
    expect(await until(() => runOf(B, run.id), (r) => r.epochsCompleted >= 1)).toMatchObject({ status: 'RUNNING', workerId: cluster.workers[0].workerId });
    await adminRequest(B, 'mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: run.id });
    expect((await until(() => runOf(A, run.id), (r) => r.status !== 'RUNNING', 20_000)).status).toBe('CANCELLED');
  });

  it('serves on B within a second a version deployed through A', async () => {
    const { startTrainingRun: run } = await adminRequest(A, START_RUN, { input: { modelId: (await adminRequest(A, '{ model(name: "loans") { id } }')).model.id, datasetId, seed: 2, hyperparameters: { epochs: 1 } } });
    versions.push((await until(() => runOf(A, run.id), (r) => r.status === 'SUCCEEDED')).modelVersion.id);
    const deploy = (modelVersionId: string) => adminRequest(A, 'mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId, environment: 'TEST' } });
    const servedByB = async () => (await adminRequest(B, 'mutation { predict(input: { model: "loans", environment: TEST, rows: [{ Age: 40, Income: 80, CCAvg: 1.5 }] }) { modelVersion { id } } }')).predict.modelVersion.id;
    await deploy(versions[0]);
    await expect.poll(servedByB).toBe(versions[0]);
    // B now holds the route to the first version in its cache; the deploy's event must drop it.
    const deployedAt = Date.now();
    await deploy(versions[1]);
    await expect.poll(servedByB, { interval: 20, timeout: 5000 }).toBe(versions[1]);
    expect(Date.now() - deployedAt).toBeLessThan(1000);
  });

  it('closes on B, with 4403, the socket of a key revoked through A', async () => {
    const { createApiKey } = await adminRequest(A, 'mutation { createApiKey(input: { name: "revoked-across", role: VIEWER }) { secret apiKey { id } } }');
    const client = wsClient(wsOf(B), `Bearer ${createApiKey.secret}`);
    const outcome = wsSubscribeOutcome(client, 'subscription { healthSnapshots { at } }', undefined, 2500);
    await new Promise((r) => setTimeout(r, 300));
    const revokedAt = Date.now();
    await adminRequest(A, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: createApiKey.apiKey.id });
    const result = await outcome;
    expect(result.closeCode).toBe(4403);
    expect(Date.now() - revokedAt).toBeLessThan(2000);
    result.dispose();
    await client.dispose();
  });

  it('spreads connections at the front door over both instances, and lists the worker on each', async () => {
    // One connection per request (no keep-alive), so each is balanced on its own.
    const ask = () => new Promise<any>((resolve, reject) => {
      const req = http.request(cluster.url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` } }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve(JSON.parse(body).data.systemInfo));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ systemInfo { instance workers { id } } }' }));
    });
    const answers = await Promise.all([ask(), ask(), ask(), ask()]);
    expect(new Set(answers.map((info) => info.instance)).size).toBe(2);
    for (const info of answers) expect(info.workers).toEqual([{ id: cluster.workers[0].workerId }]);
  });
});
