import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForImportance, waitForRun } from '../support/training';
import { wsClient, wsSubscribeOutcome } from '../support/ws-client';

// Streams that behave: per-object streams start with the current state and complete at the end,
// unknown ids are refused, revoked keys lose their sockets. Each test failed on the code before.
let server: TestServer;
let modelId: string;
let datasetId: string;
const logLines: { level: number; msg: string; [key: string]: unknown }[] = [];

beforeAll(async () => {
  const log = pino({ level: 'warn' }, { write: (text: string) => { logLines.push(JSON.parse(text)); } });
  server = await startTestServer({ log, env: { MAX_UPLOAD_BYTES: '131072', HEALTH_INTERVAL_SECONDS: '1' } });
  ({ createDataset: { id: datasetId } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit", csv: $csv }) { id } }', { csv: readDataset('GermanCredit.csv') }));
  ({ createModel: { id: modelId } } = await server.query('mutation { createModel(input: { name: "streams", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION, featureColumns: ["AMOUNT", "DURATION"], targetColumn: "RESPONSE", hyperparameters: { epochs: 3 } }) { id } }'));
});
afterAll(() => server?.close());

/** Every event of a subscription until it completes (or `ms` pass: then `completed` is false). */
function collect(authorization: string, query: string, variables: Record<string, unknown>, ms = 20_000): Promise<{ events: any[]; errors?: any[]; completed: boolean }> {
  const client = wsClient(server.wsUrl, authorization);
  return new Promise((resolve) => {
    const events: any[] = [];
    const finish = (outcome: { errors?: any[]; completed: boolean }) => {
      clearTimeout(timer);
      void client.dispose();
      resolve({ events, ...outcome });
    };
    const timer = setTimeout(() => finish({ completed: false }), ms);
    client.subscribe({ query, variables }, {
      next: (value: any) => (value.errors ? finish({ errors: value.errors, completed: false }) : events.push(value.data)),
      error: (error: any) => finish({ errors: Array.isArray(error) ? error : [error], completed: false }),
      complete: () => finish({ completed: true }),
    });
  });
}

async function finishedRun(): Promise<string> {
  const { startTrainingRun } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 3 } });
  await waitForRun(server, startTrainingRun.id, (run) => run.status === 'SUCCEEDED');
  // Finished for its stream too: the permutation importance that follows SUCCEEDED has arrived.
  await waitForImportance(server, startTrainingRun.id);
  return startTrainingRun.id;
}

describe('per-object streams', () => {
  it('trainingRunUpdated on a finished run sends its state, then completes', async () => {
    const runId = await finishedRun();
    const { events, completed } = await collect(server.adminAuth, 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { id status } }', { id: runId }, 5000);
    expect(completed).toBe(true);
    expect(events).toEqual([{ trainingRunUpdated: { id: runId, status: 'SUCCEEDED' } }]);
  });

  it('trainingMetrics on a finished run replays every point, then completes', async () => {
    const runId = await finishedRun();
    const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { metrics { name count } } }', { id: runId });
    const stored = trainingRun.metrics.reduce((sum: number, m: any) => sum + m.count, 0);
    const { events, completed } = await collect(server.adminAuth, 'subscription($id: ID!) { trainingMetrics(runId: $id) { name step } }', { id: runId }, 5000);
    expect(completed).toBe(true);
    expect(events.length).toBe(stored);
  });

  it('a live run\'s streams follow it and complete when it ends, with nothing lost', async () => {
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 5 } });
    const [updates, metrics] = await Promise.all([
      collect(server.adminAuth, 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', { id: run.id }),
      collect(server.adminAuth, 'subscription($id: ID!) { trainingMetrics(runId: $id) { name step } }', { id: run.id }),
    ]);
    expect(updates.completed && metrics.completed).toBe(true);
    expect(updates.events.at(-1)).toEqual({ trainingRunUpdated: { status: 'SUCCEEDED' } });
    const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { metrics { count } } }', { id: run.id });
    expect(metrics.events.length).toBe(trainingRun.metrics.reduce((sum: number, m: any) => sum + m.count, 0));
  });

  it('cuts off a subscriber that falls more than its bound (1,000 updates) behind with SERVICE_UNAVAILABLE (SUBSCRIBER_TOO_SLOW)', async () => {
    const { createModel } = await server.query('mutation { createModel(input: { name: "streams-slow", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["AMOUNT", "DURATION"], targetColumn: "RESPONSE", hyperparameters: { epochs: 2000, patience: 0 } }) { id } }');
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: createModel.id, datasetId } });
    try {
      let opened: () => void;
      const first = new Promise<void>((resolve) => { opened = resolve; });
      const client = wsClient(server.wsUrl, server.adminAuth);
      const outcome = new Promise<{ events: number; errors: any[] }>((resolve) => {
        let events = 0;
        client.subscribe({ query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', variables: { id: run.id } }, {
          next: () => { if (++events === 1) opened(); },
          error: (error: any) => resolve({ events, errors: Array.isArray(error) ? error : [error] }),
          complete: () => resolve({ events, errors: [] }),
        });
      });
      await first;
      // A burst in one tick: the socket cannot take the updates as fast as they come.
      for (let i = 0; i < 1100; i++) server.services.events.publish('TRAINING_RUN_UPDATED', run.id, { runId: run.id, status: 'RUNNING' });
      const { events, errors } = await outcome;
      await client.dispose();
      expect(errors.map((e) => e.extensions)).toEqual([{ code: 'SERVICE_UNAVAILABLE', reason: 'SUBSCRIBER_TOO_SLOW' }]);
      expect(errors[0].message).toMatch(/fell more than 1000 events behind/);
      // What was queued within the bound is still delivered before the error.
      expect(events).toBeGreaterThan(1000);
    } finally {
      await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: run.id });
    }
  });

  it('refuses an operationName the document does not have with BAD_REQUEST (graphql-ws\'s own refusal had no code)', async () => {
    const client = wsClient(server.wsUrl, server.adminAuth);
    const errors = await new Promise<any[]>((resolve) => {
      client.subscribe({ query: 'subscription Health { healthSnapshots { at } }', operationName: 'Nope' }, {
        next: () => undefined,
        error: (error: any) => resolve(Array.isArray(error) ? error : [error]),
        complete: () => resolve([]),
      });
    });
    await client.dispose();
    expect(errors).toEqual([{ message: 'Unable to identify operation', extensions: { code: 'BAD_REQUEST' } }]);
  });

  it('refuses a stream on an unknown id with NOT_FOUND instead of waiting forever', async () => {
    for (const [query, variables] of [
      ['subscription { trainingMetrics(runId: "not-an-id") { value } }', {}],
      ['subscription { trainingRunUpdated(runId: "run_01JZZZZZZZZZZZZZZZZZZZZZZZ") { status } }', {}],
      ['subscription { trainingRunUpdated(modelId: "mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ") { status } }', {}],
      ['subscription { datasetVersionCreated(datasetId: "garbage") { id } }', {}],
      ['subscription { batchPredictionUpdated(jobId: "bpj_01JZZZZZZZZZZZZZZZZZZZZZZZ") { status } }', {}],
      ['subscription { deploymentRequestUpdated(modelId: "garbage") { id } }', {}],
      ['subscription { healthAlerts(modelId: "garbage") { id } }', {}],
    ] as const) {
      const outcome = await collect(server.adminAuth, query, variables, 3000);
      expect(outcome.errors?.[0]?.extensions?.code, query).toBe('NOT_FOUND');
    }
  });
});

describe('sockets', () => {
  it('takes more than 10 healthSnapshots subscribers without a MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const clients = Array.from({ length: 15 }, () => wsClient(server.wsUrl, server.adminAuth));
    try {
      const outcomes = await Promise.all(clients.map((client) => wsSubscribeOutcome(client, 'subscription { healthSnapshots { at } }', {}, 1500)));
      expect(outcomes.every((o) => o.open)).toBe(true);
      outcomes.forEach((o) => o.dispose());
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('closes a socket that sends a frame over the limit (1009) and logs it as one JSON line, nothing on the console', async () => {
    const consoleError = vi.spyOn(console, 'error');
    try {
      const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
      await new Promise((resolve) => socket.on('open', resolve));
      socket.send('x'.repeat(300_000));
      const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
      expect(code).toBe(1009);
      expect(consoleError).not.toHaveBeenCalled();
      expect(logLines.some((l) => l.msg === 'WebSocket closed on a client error' && (l.error as any).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')).toBe(true);
    } finally {
      consoleError.mockRestore();
    }
  });

  it('closes every socket of a revoked key with 4403, ending its streams', async () => {
    const secret = await server.createKey('VIEWER');
    const stream = collect(`Bearer ${secret}`, 'subscription { healthSnapshots { at } }', {}, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const { apiKeys } = await server.query('{ apiKeys(first: 100) { edges { node { id prefix } } } }');
    const key = apiKeys.edges.map((e: any) => e.node).find((k: any) => secret.startsWith(`aim_${k.prefix}_`));
    await server.query('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id });
    const outcome = await stream;
    expect(outcome.events.length).toBeGreaterThan(0);
    expect(outcome.errors?.[0]?.code ?? outcome.errors?.[0]?.extensions?.code).toBe(4403);
  });

  it('closes the socket of a key revoked elsewhere (not announced here) at the next recheck', async () => {
    const secret = await server.createKey('VIEWER');
    const stream = collect(`Bearer ${secret}`, 'subscription { healthSnapshots { at } }', {}, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // As another instance would: straight in the database, no event on this instance's bus.
    await server.services.db.dataSource.query('UPDATE api_key SET revoked_at = ? WHERE prefix = ?', [server.services.db.sqlDate(new Date()), /^aim_([a-z0-9]{12})_/.exec(secret)![1]]);
    const outcome = await stream;
    expect(outcome.errors?.[0]?.code).toBe(4403);
  });
});
