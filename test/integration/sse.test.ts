import { createClient, type Client } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, creditCsv } from '../support/serving';
import { START_RUN } from '../support/training';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';

/**
 * GraphQL over SSE (/graphql/stream) with the assertions the graphql-ws tests make: a stream
 * sends the current state first and completes when its object is done, the key is required,
 * partner scopes hold, validation and the open-stream cap refuse.
 */
let server: TestServer;
let modelId: string;
let datasetId: string;

const sseClient = (authorization: string | null): Client => createClient({
  url: `${server.url}/stream`,
  headers: authorization ? { authorization } : {},
  retryAttempts: 0,
  singleConnection: false,
  fetchFn: fetch,
});

/** Every result of one operation until it completes or fails (or `ms` pass). */
function collect(authorization: string | null, query: string, variables: Record<string, unknown> = {}, ms = 30_000): Promise<{ results: any[]; error: any; completed: boolean }> {
  const client = sseClient(authorization);
  return new Promise((resolve) => {
    const results: any[] = [];
    const finish = (outcome: { error: any; completed: boolean }) => {
      clearTimeout(timer);
      client.dispose();
      resolve({ results, ...outcome });
    };
    const timer = setTimeout(() => finish({ error: null, completed: false }), ms);
    client.subscribe({ query, variables }, {
      next: (value) => { results.push(value); },
      // The refusal's body is read before the client is disposed (which aborts the request).
      error: (error: any) => {
        void (error?.response ? error.response.text().then((text: string) => { error.body = JSON.parse(text); }, () => undefined) : Promise.resolve()).then(() => finish({ error, completed: false }));
      },
      complete: () => finish({ error: null, completed: true }),
    });
  });
}

const admin = `Bearer ${TEST_ADMIN_KEY}`;

beforeAll(async () => {
  server = await startTestServer({ env: { MAX_SUBSCRIPTIONS_PER_CONNECTION: '2' } });
  ({ createDataset: { id: datasetId } } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-sse', csv: creditCsv() } }));
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-sse', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { epochs: 3, hiddenUnits: [4], patience: 0 } },
  }));
}, 60_000);
afterAll(() => server?.close());

describe('GraphQL over SSE', () => {
  it('answers a query, and streams a run from its current state to its end, then completes', async () => {
    const viewer = await collect(admin, '{ viewer { role } }');
    expect(viewer).toMatchObject({ completed: true, results: [{ data: { viewer: { role: 'ADMIN' } } }] });

    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 1 } });
    const stream = await collect(admin, 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { id status epochsCompleted } }', { id: run.id });
    expect(stream.error).toBeNull();
    expect(stream.completed).toBe(true);
    const statuses = stream.results.map((r) => r.data.trainingRunUpdated.status);
    expect(['QUEUED', 'RUNNING']).toContain(statuses[0]);
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    expect(stream.results.every((r) => r.data.trainingRunUpdated.id === run.id)).toBe(true);
  }, 60_000);

  it('requires a key, holds partner scopes, and validates like graphql-ws', async () => {
    const anonymous = await collect(null, '{ viewer { role } }');
    expect(anonymous.results).toEqual([]);
    expect(anonymous.error.response.status).toBe(401);
    expect(anonymous.error.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const badKey = await collect('Bearer aim_nope_nope', '{ viewer { role } }');
    expect(badKey.error.response.status).toBe(401);

    const { createModel: other } = await server.query('mutation { createModel(input: { name: "sse-other", task: REGRESSION, architecture: LINEAR_REGRESSION, featureColumns: ["AGE"], targetColumn: "AMOUNT" }) { id } }');
    const partner = `Bearer ${await server.createKey('PARTNER', [other.id])}`;
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 2 } });
    const forbidden = await collect(partner, 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', { id: run.id });
    const forbiddenErrors = forbidden.error ?? forbidden.results.flatMap((r) => r.errors ?? []);
    expect(JSON.stringify(forbiddenErrors)).toMatch(/FORBIDDEN/);

    // graphql-sse answers an operation refused before execution with 400 and the errors.
    const invalid = await collect(admin, '{ viewer { nope } }');
    expect(invalid.error.response.status).toBe(400);
    expect(invalid.error.body.errors[0]).toMatchObject({ message: expect.stringMatching(/^Cannot query field "nope" on type "Viewer"/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  }, 60_000);

  it('caps open streams per key at MAX_SUBSCRIPTIONS_PER_CONNECTION', async () => {
    const key = `Bearer ${await server.createKey('VIEWER')}`;
    const clients = [sseClient(key), sseClient(key)];
    const opened: any[] = [];
    for (const client of clients) client.subscribe({ query: 'subscription { healthSnapshots { at } }' }, { next: () => undefined, error: (e) => opened.push(e), complete: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const third = await collect(key, 'subscription { healthSnapshots { at } }', {}, 5000);
    clients.forEach((c) => c.dispose());
    expect(opened).toEqual([]);
    expect(third.error.response.status).toBe(429);
    expect(third.error.body.errors[0]).toMatchObject({ message: 'At most 2 open streams per key (MAX_SUBSCRIPTIONS_PER_CONNECTION)', extensions: { code: 'RATE_LIMITED' } });
  }, 30_000);

  it('ends a stream that falls behind with SERVICE_UNAVAILABLE (SUBSCRIBER_TOO_SLOW) as its last result, then completes and frees its place', async () => {
    const { createModel: slow } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
      input: { name: 'credit-sse-slow', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { epochs: 2000, patience: 0 } },
    });
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: slow.id, datasetId } });
    const key = `Bearer ${await server.createKey('VIEWER')}`;
    const query = 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }';
    try {
      const client = sseClient(key);
      const outcome = await new Promise<{ results: any[]; error: unknown; completed: boolean }>((resolve) => {
        const results: any[] = [];
        client.subscribe({ query, variables: { id: run.id } }, {
          next: (value) => {
            results.push(value);
            // A burst in one tick, past the stream's bound of 1,000 updates.
            if (results.length === 1) for (let i = 0; i < 1100; i++) server.services.events.publish('TRAINING_RUN_UPDATED', run.id, { runId: run.id, status: 'RUNNING' });
          },
          error: (error) => resolve({ results, error, completed: false }),
          complete: () => resolve({ results, error: null, completed: true }),
        });
      });
      client.dispose();
      expect(outcome.error).toBeNull();
      expect(outcome.completed).toBe(true);
      expect(outcome.results.at(-1).errors.map((e: any) => e.extensions)).toEqual([{ code: 'SERVICE_UNAVAILABLE', reason: 'SUBSCRIBER_TOO_SLOW' }]);
      // Its place is free again: the key opens as many streams as the cap allows (2).
      const again = await Promise.all([collect(key, query, { id: run.id }, 1000), collect(key, query, { id: run.id }, 1000)]);
      expect(again.map((a) => a.error)).toEqual([null, null]);
      for (const { results } of again) expect(['QUEUED', 'RUNNING']).toContain(results[0]?.data?.trainingRunUpdated.status);
    } finally {
      await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: run.id });
    }
  }, 60_000);
});
