import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTcpProxy, throughProxy, type TcpProxy } from '../support/tcp-proxy';
import { startTestServer, testRedisUrl, type TestServer } from '../support/test-server';
import { START_RUN } from '../support/training';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

// A state stream (trainingRunUpdated) through a Redis outage. The run changes while Redis is away
// (it is cancelled); that event is lost, so without being told the subscriber would wait for a
// terminal state forever. The shared Redis is never stopped: a proxy in front of it is cut.
let proxy: TcpProxy;
let server: TestServer;

beforeAll(async () => {
  const direct = new URL(testRedisUrl()!);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 6379) });
  // No worker: the run stays QUEUED until it is cancelled, whatever the machine's speed.
  server = await startTestServer({ env: { REDIS_URL: throughProxy(testRedisUrl()!, proxy), RUN_WORKER: 'false' } });
});
afterAll(async () => {
  await server?.close();
  await proxy?.close();
});

const readyz = () => fetch(server.url.replace('/graphql', '/readyz')).then((res) => res.status);
const RUN_UPDATED = 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }';

/** The same stream over SSE, where an error is the last result (graphql-sse has no error message). */
function followSse(runId: string) {
  const client = createClient({ url: `${server.url}/stream`, headers: { authorization: server.adminAuth }, retryAttempts: 0, singleConnection: false, fetchFn: fetch });
  const got: { results: any[]; failure: unknown; completed: boolean } = { results: [], failure: null, completed: false };
  client.subscribe({ query: RUN_UPDATED, variables: { id: runId } }, {
    next: (value) => { got.results.push(value); },
    error: (error) => { got.failure = error; },
    complete: () => { got.completed = true; },
  });
  return { got, dispose: () => client.dispose() };
}

/** Follows a subscription over graphql-ws, recording what it got and how it ended. */
function follow(runId: string) {
  const client = wsClient(server.wsUrl, server.adminAuth);
  const got: { statuses: string[]; errors: any[] | null; completed: boolean } = { statuses: [], errors: null, completed: false };
  client.subscribe({ query: RUN_UPDATED, variables: { id: runId } }, {
    next: (value: any) => got.statuses.push(value.data?.trainingRunUpdated?.status ?? JSON.stringify(value.errors)),
    error: (error: unknown) => { got.errors = Array.isArray(error) ? error : [{ message: String(error) }]; },
    complete: () => { got.completed = true; },
  });
  return { got, dispose: () => client.dispose() };
}

it('a state stream ends with SERVICE_UNAVAILABLE (STREAM_INTERRUPTED) after a Redis cut, over graphql-ws and SSE, and a new subscription starts with the state it missed', async () => {
  const csv = ['x,y', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 2}`)].join('\n');
  const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "cut", csv: $csv }) { id } }', { csv });
  const { createModel } = await server.query('mutation { createModel(input: { name: "cut", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["x"], targetColumn: "y", hyperparameters: { epochs: 1 } }) { id } }');
  const { startTrainingRun } = await server.query(START_RUN, { input: { modelId: createModel.id, datasetId: createDataset.id } });
  const first = follow(startTrainingRun.id);
  const overSse = followSse(startTrainingRun.id);
  try {
    await until(async () => first.got.statuses.length + overSse.got.results.length, (n) => n === 2, 10_000);
    expect(first.got.statuses).toEqual(['QUEUED']);

    proxy.cut();
    await until(readyz, (status) => status === 503, 10_000);
    // Its TRAINING_RUN_UPDATED cannot be published (the publisher fails fast): the stream never hears it.
    const { cancelTrainingRun } = await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { status } }', { id: startTrainingRun.id });
    expect(cancelTrainingRun.status).toBe('CANCELLED');
    proxy.restore();

    await until(async () => first.got.errors, Boolean, 20_000);
    expect(first.got.statuses).toEqual(['QUEUED']);
    expect(first.got.errors).toHaveLength(1);
    expect(first.got.errors![0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'STREAM_INTERRUPTED' });
    await until(async () => overSse.got.completed || overSse.got.failure, Boolean, 10_000);
    expect(overSse.got.failure).toBeNull();
    expect(overSse.got.results.map((r) => r.data?.trainingRunUpdated?.status ?? r.errors?.map((e: any) => e.extensions))).toEqual(['QUEUED', [{ code: 'SERVICE_UNAVAILABLE', reason: 'STREAM_INTERRUPTED' }]]);

    // Subscribing again closes the gap: the current (terminal) state first, then the end.
    const again = follow(startTrainingRun.id);
    try {
      await until(async () => again.got.completed || again.got.errors, Boolean, 10_000);
      expect(again.got).toEqual({ statuses: ['CANCELLED'], errors: null, completed: true });
    } finally {
      await again.dispose();
    }
  } finally {
    await first.dispose();
    overSse.dispose();
  }
});
