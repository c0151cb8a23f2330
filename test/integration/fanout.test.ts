import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForRun } from '../support/training';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

// Fan-out shares one execution per event between subscriptions with the same
// document, variables and permissions. These tests hold the boundary of that sharing (what a
// role may not see never reaches it, variables shape each payload) and that every socket still
// gets its own events, errors and completion.
let server: TestServer;
let modelId: string;
let datasetId: string;
let runId: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ createDataset: { id: datasetId } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "fanout", csv: $csv }) { id } }', { csv: readDataset('GermanCredit.csv') }));
  ({ createModel: { id: modelId } } = await server.query('mutation { createModel(input: { name: "fanout", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION, featureColumns: ["AMOUNT", "DURATION"], targetColumn: "RESPONSE", hyperparameters: { epochs: 2 } }) { id } }'));
  const { startTrainingRun } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 1 } });
  runId = startTrainingRun.id;
  await waitForRun(server, runId, (run) => run.status === 'SUCCEEDED');
});
afterAll(() => server?.close());

interface Listener { client: Client; results: any[]; completed: boolean; failure: unknown }

/** One socket per listener, each with its subscriptions; every result and the completion are kept. */
function listen(authorization: string, subscriptions: { query: string; variables: Record<string, unknown> }[]): Listener[] {
  const client = wsClient(server.wsUrl, authorization);
  return subscriptions.map((operation) => {
    const listener: Listener = { client, results: [], completed: false, failure: null };
    client.subscribe(operation, {
      next: (value) => { listener.results.push(value); },
      error: (error) => { listener.failure = error; },
      complete: () => { listener.completed = true; },
    });
    return listener;
  });
}

/** Publishes `event` as the training service would, until every listener has had one (subscribing has no acknowledgement). */
async function publishUntilHeard(listeners: Listener[], publish: () => void) {
  await until(async () => { publish(); return listeners; }, (all) => all.every((l) => l.results.length > 0), 10_000);
}

const RUN_UPDATES = 'subscription($m: ID!, $v: Boolean!) { trainingRunUpdated(modelId: $m) { id status datasetVersion @include(if: $v) { id } } }';

describe('shared fan-out', () => {
  it('shares a payload only between the same document, variables and permissions', async () => {
    const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { datasetVersion { id } } }', { id: runId });
    const viewer = `Bearer ${await server.createKey('VIEWER')}`;
    const partner = `Bearer ${await server.createKey('PARTNER', [modelId])}`;
    const withVersion = { query: RUN_UPDATES, variables: { m: modelId, v: true } };
    // Two viewers and an admin with the same operation; one viewer socket also carries the same
    // document with other variables (two subscriptions interleaved on one socket); a partner
    // with the same operation, whose key may not read datasetVersion.
    const [viewerA, viewerAWithout] = listen(viewer, [withVersion, { query: RUN_UPDATES, variables: { m: modelId, v: false } }]);
    const [viewerB] = listen(viewer, [withVersion]);
    const [admin] = listen(server.adminAuth, [withVersion]);
    const [partnerSub] = listen(partner, [withVersion]);
    // A partner of another model, same operation: refused, and never hears this model's runs.
    const { createModel: other } = await server.query('mutation { createModel(input: { name: "fanout-other", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION, featureColumns: ["AMOUNT"], targetColumn: "RESPONSE" }) { id } }');
    const [outsider] = listen(`Bearer ${await server.createKey('PARTNER', [other.id])}`, [withVersion]);
    const all = [viewerA, viewerAWithout, viewerB, admin, partnerSub, outsider];
    try {
      await publishUntilHeard(all, () => server.services.events.publish('MODEL_TRAINING_RUN_UPDATED', modelId, { runId, status: 'SUCCEEDED' }));
      const full = { data: { trainingRunUpdated: { id: runId, status: 'SUCCEEDED', datasetVersion: { id: trainingRun.datasetVersion.id } } } };
      for (const listener of [viewerA, viewerB, admin]) expect(listener.results[0]).toEqual(full);
      expect(viewerAWithout.results[0]).toEqual({ data: { trainingRunUpdated: { id: runId, status: 'SUCCEEDED' } } });
      // The partner never sees the dataset version, and its error is formatted as any other (a code).
      expect(JSON.stringify(partnerSub.results)).not.toContain(trainingRun.datasetVersion.id);
      expect(partnerSub.results[0].errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(outsider.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(outsider.completed).toBe(true);
    } finally {
      await Promise.all([viewerA, viewerB, admin, partnerSub, outsider].map((l) => l.client.dispose()));
    }
  });

  it('delivers every event, in order, and the completion to each of many sockets of a live run', async () => {
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 2 } });
    const metrics = { query: 'subscription($id: ID!) { trainingMetrics(runId: $id) { name step } }', variables: { id: run.id } };
    const updates = { query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', variables: { id: run.id } };
    const listeners = Array.from({ length: 6 }, () => listen(server.adminAuth, [metrics, updates])).flat();
    try {
      await until(async () => listeners, (all) => all.every((l) => l.completed || l.failure), 60_000);
      expect(listeners.map((l) => l.failure)).toEqual(listeners.map(() => null));
      const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { metrics { count } } }', { id: run.id });
      const stored = trainingRun.metrics.reduce((sum: number, m: any) => sum + m.count, 0);
      const metricLists = listeners.filter((_, i) => i % 2 === 0).map((l) => l.results);
      // The same points on every socket, none twice, each series in step order. Points of one step
      // may come in another order across series: a socket that subscribes after an epoch gets that
      // epoch's points replayed from storage, in the store's order.
      const key = (r: any) => `${r.data.trainingMetrics.name}@${r.data.trainingMetrics.step}`;
      for (const list of metricLists) {
        expect(list.length).toBe(stored);
        expect(list.map(key).sort()).toEqual(metricLists[0].map(key).sort());
        const steps = new Map<string, number[]>();
        for (const r of list) steps.set(r.data.trainingMetrics.name, [...(steps.get(r.data.trainingMetrics.name) ?? []), r.data.trainingMetrics.step]);
        for (const series of steps.values()) expect(series).toEqual([...series].sort((a, b) => a - b));
      }
      for (const l of listeners.filter((_, i) => i % 2 === 1)) expect(l.results.at(-1)).toEqual({ data: { trainingRunUpdated: { status: 'SUCCEEDED' } } });
    } finally {
      await Promise.all(listeners.filter((_, i) => i % 2 === 0).map((l) => l.client.dispose()));
    }
  });

  it('sends each socket its own refusal and completion, and the others their state', async () => {
    const scoped = `Bearer ${await server.createKey('PARTNER', [modelId])}`;
    const operation = { query: 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', variables: { id: runId } };
    const unknown = { ...operation, variables: { id: 'run_unknown' } };
    const allowed = [listen(scoped, [operation])[0], listen(scoped, [operation])[0]];
    const refused = [listen(server.adminAuth, [unknown])[0], listen(server.adminAuth, [unknown])[0]];
    try {
      await until(async () => [...allowed, ...refused], (all) => all.every((l) => l.completed || l.failure), 10_000);
      for (const l of allowed) expect([l.results, l.completed]).toEqual([[{ data: { trainingRunUpdated: { status: 'SUCCEEDED' } } }], true]);
      for (const l of refused) {
        expect(l.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['NOT_FOUND']);
        expect(l.completed).toBe(true);
      }
    } finally {
      await Promise.all([...allowed, ...refused].map((l) => l.client.dispose()));
    }
  });
});
