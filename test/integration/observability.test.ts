import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForRun } from '../support/training';
import { wsClient, wsRequest } from '../support/ws-client';

let server: TestServer;
let base: string;
/** Every line the server logs, parsed; warnings and errors still reach stderr. */
const logLines: { level: number; msg: string; [key: string]: unknown }[] = [];
beforeAll(async () => {
  const log = pino({ level: 'info' }, {
    write: (text: string) => {
      const line = JSON.parse(text);
      logLines.push(line);
      if (line.level >= 40) process.stderr.write(text);
    },
  });
  server = await startTestServer({ log });
  base = server.url.replace('/graphql', '');
});
afterAll(() => server?.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MODEL = (name: string) => `mutation { createModel(input: { name: "${name}", task: REGRESSION, architecture: MLP, featureColumns: ["x"], targetColumn: "y" }) { id } }`;

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Prometheus text format, written independently of prom-client: `name{a="b",…} value` per line. */
function parseMetrics(text: string): Sample[] {
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    return { name: match[1], labels, value: Number(match[3]) };
  });
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

/** The sample with exactly these labels; 0 when absent (a counter not yet incremented). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const keys = Object.keys(labels);
  const found = samples.find((s) => s.name === name && Object.keys(s.labels).length === keys.length && keys.every((k) => s.labels[k] === labels[k]));
  return found?.value ?? 0;
}

/** POSTs a body as-is and returns the status, the echoed x-request-id and the parsed answer. */
async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: server.adminAuth, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, requestId: res.headers.get('x-request-id'), body: await res.json() as any };
}

describe('/metrics', () => {
  it('counts operations by name or first root field and outcome, over HTTP and WebSocket', async () => {
    const viewer = `Bearer ${await server.createKey('VIEWER')}`;
    const before = await scrape();
    const statsBefore = server.services.requestStats.requests.summary();

    for (let i = 0; i < 2; i++) expect((await server.request('{ models { totalCount } }')).errors).toBeUndefined();
    const bad = await server.request('mutation BadModel { createModel(input: { name: "bad", task: REGRESSION, architecture: LSTM, featureColumns: ["x"], targetColumn: "y" }) { id } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const forbidden = await server.request(MODEL('not-yours'), {}, { authorization: viewer });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await server.request('{ models { ')).errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    // Refused while authenticating, before Apollo's pipeline (no plugin sees it).
    const unauthenticated = await server.request('{ viewer { role } }', {}, { authorization: 'Bearer aim_nope_short' });
    expect(unauthenticated.status).toBe(401);

    const client = wsClient(server.wsUrl, server.adminAuth);
    try {
      expect((await wsRequest(client, 'query OverSocket { viewer { role } }')).data.viewer.role).toBe('ADMIN');
      expect((await wsRequest(client, 'query BadSocket { nope }')).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await client.dispose();
    }

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    const requests = 'aimass_graphql_requests_total';
    expect(delta(requests, { operation: 'models', outcome: 'ok' })).toBe(2);
    expect(delta(requests, { operation: 'BadModel', outcome: 'BAD_USER_INPUT' })).toBe(1);
    expect(delta(requests, { operation: 'createModel', outcome: 'FORBIDDEN' })).toBe(1);
    expect(delta(requests, { operation: 'anonymous', outcome: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    // Labelled as refused, not by the operation a stranger named.
    expect(delta(requests, { operation: '(unauthenticated)', outcome: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta(requests, { operation: 'viewer', outcome: 'UNAUTHENTICATED' })).toBe(0);
    expect(delta(requests, { operation: 'OverSocket', outcome: 'ok' })).toBe(1);
    expect(delta(requests, { operation: 'BadSocket', outcome: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);

    const duration = 'aimass_graphql_request_duration_seconds';
    expect(delta(`${duration}_count`, { operation: 'models' })).toBe(2);
    expect(delta(`${duration}_bucket`, { operation: 'models', le: '+Inf' })).toBe(2);
    expect(delta(`${duration}_bucket`, { operation: 'models', le: '10' })).toBe(2);
    expect(delta(`${duration}_sum`, { operation: 'models' })).toBeGreaterThan(0);
    expect(delta(`${duration}_count`, { operation: 'BadModel' })).toBe(1);

    // The health window counts those refusals as the clients' mistakes, none as the server's failure.
    const statsAfter = server.services.requestStats.requests.summary();
    expect(statsAfter.count - statsBefore.count).toBeGreaterThanOrEqual(8);
    expect(statsAfter.clientErrors - statsBefore.clientErrors).toBeGreaterThanOrEqual(5);
    expect(statsAfter.errors - statsBefore.errors).toBe(0);

    expect(value(after, 'aimass_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after.some((s) => s.name === 'aimass_nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('counts open alerts at scrape time, as the alert engine holds them', async () => {
    const open = (samples: Sample[]) => samples.find((s) => s.name === 'aimass_alerts_open')?.value;
    const { alertEngine, healthSampler } = server.services;
    const before = open(await scrape());
    expect(before).toBe(alertEngine.openCount());
    // A rule that holds for any snapshot, fed one snapshot: one alert opens.
    const { createAlertRule: rule } = await server.query('mutation { createAlertRule(input: { name: "always", metric: REQUEST_RATE, comparator: GTE, threshold: 0, cooldownSeconds: 0 }) { id } }');
    try {
      await alertEngine.onSnapshot(await healthSampler.latest(), []);
      expect(open(await scrape())).toBe(before! + 1);
    } finally {
      await server.query('mutation($id: ID!) { deleteAlertRule(id: $id) { id } }', { id: rule.id });
    }
    expect(open(await scrape())).toBe(before);
  });

  it('counts training runs by status at scrape time, and a subscription once when it starts', async () => {
    const runs = (samples: Sample[], status: string) => value(samples, 'aimass_training_runs', { status });
    const idle = await scrape();
    for (const status of ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']) {
      expect(idle.some((s) => s.name === 'aimass_training_runs' && s.labels.status === status), status).toBe(true);
    }
    const { createDataset: dataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv: readDataset('UniversalBank.csv') } });
    const { createModel: model } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
      input: { name: 'bank-slow', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: ['Age', 'Income', 'Family', 'CCAvg'], targetColumn: 'Personal Loan', hyperparameters: { hiddenUnits: [32, 32], epochs: 2000, patience: 0, batchSize: 8 } },
    });
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: model.id, datasetId: dataset.id } });
    const live = await scrape();
    expect(runs(live, 'QUEUED') + runs(live, 'RUNNING')).toBe(1);

    const watchesBefore = value(live, 'aimass_graphql_requests_total', { operation: 'Watch', outcome: 'ok' });
    const client = wsClient(server.wsUrl, server.adminAuth);
    const events: string[] = [];
    const cancelled = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription Watch($id: ID!) { trainingRunUpdated(runId: $id) { status } }', variables: { id: run.id } }, {
        next: ({ data }: any) => { events.push(data.trainingRunUpdated.status); if (data.trainingRunUpdated.status === 'CANCELLED') resolve(); },
        error: reject, complete: () => {},
      });
    });
    await waitForRun(server, run.id, (r) => r.status === 'RUNNING' && r.epochsCompleted >= 1);
    await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: run.id });
    await cancelled;
    await client.dispose();
    await waitForRun(server, run.id, (r) => r.status === 'CANCELLED');

    const done = await scrape();
    expect(runs(done, 'CANCELLED')).toBe(1);
    expect(runs(done, 'QUEUED') + runs(done, 'RUNNING')).toBe(0);
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(value(done, 'aimass_graphql_requests_total', { operation: 'Watch', outcome: 'ok' }) - watchesBefore).toBe(1);
  });
});

describe('x-request-id', () => {
  it('echoes a sent id, which the audit log of a mutation then shows', async () => {
    const sent = 'client-trace 42/abc';
    const res = await post({ query: MODEL('traced') }, { 'x-request-id': sent });
    expect(res.body.errors).toBeUndefined();
    expect(res.requestId).toBe(sent);
    const { auditLog } = await server.query('{ auditLog(first: 1, filter: { operation: "createModel" }) { edges { node { requestId } } } }');
    expect(auditLog.edges[0].node.requestId).toBe(sent);
  });

  it('generates a UUID when none is sent, and replaces one too long or not printable ASCII', async () => {
    const first = await post({ query: '{ viewer { role } }' });
    const second = await post({ query: '{ viewer { role } }' });
    expect(first.requestId).toMatch(UUID);
    expect(second.requestId).toMatch(UUID);
    expect(second.requestId).not.toBe(first.requestId);
    for (const invalid of ['x'.repeat(101), 'tab\there', 'caf\u00e9']) {
      const res = await post({ query: '{ viewer { role } }' }, { 'x-request-id': invalid });
      expect(res.requestId, JSON.stringify(invalid)).toMatch(UUID);
    }
    expect((await post({ query: '{ viewer { role } }' }, { 'x-request-id': 'x'.repeat(100) })).requestId).toBe('x'.repeat(100));
  });

  it('is echoed on error responses too', async () => {
    expect((await post({ query: '{ models { ' }, { 'x-request-id': 'parse-error' })).requestId).toBe('parse-error');
    const unauthenticated = await post({ query: '{ viewer { role } }' }, { authorization: 'Bearer aim_nope_short', 'x-request-id': 'bad-key' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.requestId).toBe('bad-key');
    const notJson = await post('{ nope', { 'x-request-id': 'not-json' });
    expect(notJson.status).toBe(400);
    expect(notJson.requestId).toBe('not-json');
  });

  it('is in the one structured log line written per request', async () => {
    await post({ query: 'query LogMe { viewer { role } }' }, { 'x-request-id': 'log-line-1' });
    const logged = logLines.filter((l) => l.msg === 'graphql request' && l.requestId === 'log-line-1');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 30, requestId: 'log-line-1', operation: 'LogMe', outcome: 'ok' });
    expect(logged[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(logged[0].clientAddress).toMatch(/127\.0\.0\.1/);
  });
});

describe('/readyz', () => {
  it('says 503 while the database is unreachable and 200 once it is back, and /metrics keeps answering', async () => {
    const ready = () => fetch(`${base}/readyz`);
    expect((await ready()).status).toBe(200);
    await server.services.db.dataSource.destroy();
    try {
      const down = await ready();
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'unavailable', database: false });
      const samples = await scrape();
      expect(samples.some((s) => s.name === 'aimass_training_runs')).toBe(false);
      expect(value(samples, 'aimass_process_resident_memory_bytes')).toBeGreaterThan(0);
    } finally {
      await server.services.db.dataSource.initialize();
    }
    const up = await ready();
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ready', database: true });
    expect((await server.query('{ models { totalCount } }')).models.totalCount).toBeGreaterThan(0);
  });
});
