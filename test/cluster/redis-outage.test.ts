import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForRun } from '../support/training';
import { until } from '../support/until';

// A Redis of this test's own (the machine's serves the other test files in parallel), stopped
// and started again under a running instance.
let port: number;
let redis: ChildProcess | null = null;
let server: TestServer;

const freePort = () => new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: found } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(found));
  });
});

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await until(() => new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); }).on('error', () => resolve(false));
  }), Boolean, 10_000);
}

async function stopRedis(): Promise<void> {
  const child = redis!;
  redis = null;
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  // Our own Redis, so the test server's REDIS_URL is set here rather than from TEST_REDIS_URL.
  server = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: 'outage' } });
});
afterAll(async () => {
  await server?.close();
  if (redis) await stopRedis();
});

const readyz = () => fetch(server.url.replace('/graphql', '/readyz')).then(async (res) => ({ status: res.status, body: await res.json() }));

it('says so in /readyz while Redis is away, refuses queued work at once without writing it, and recovers by itself', async () => {
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv: readDataset('UniversalBank.csv') } });
  const { createModel } = await server.query('mutation { createModel(input: { name: "loans", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income"], targetColumn: "Personal Loan", hyperparameters: { epochs: 2, batchSize: 64 } }) { id } }');
  const input = { modelId: createModel.id, datasetId: createDataset.id };

  await stopRedis();
  await until(readyz, (r) => r.status === 503, 10_000);
  expect((await readyz()).body).toMatchObject({ status: 'unavailable', database: true, redis: false });
  const started = Date.now();
  const refused = await server.request(START_RUN, { input });
  expect(Date.now() - started).toBeLessThan(3000);
  expect(refused.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
  const { trainingRuns } = await server.query('{ trainingRuns(first: 5) { totalCount } }');
  expect(trainingRuns.totalCount).toBe(0);

  await startRedis();
  await until(readyz, (r) => r.status === 200, 20_000);
  const { startTrainingRun } = await server.query(START_RUN, { input });
  expect((await waitForRun(server, startTrainingRun.id, (r) => ['SUCCEEDED', 'FAILED'].includes(r.status))).status).toBe('SUCCEEDED');
}, 90_000);
