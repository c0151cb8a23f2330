import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { CREDIT_FEATURES, DEPLOY, PREDICT, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { TEST_DB } from '../support/test-database';
import { START_RUN, waitForRun } from '../support/training';
import { wsSubscribeOutcome, wsClient } from '../support/ws-client';

let server: TestServer;
let modelId: string;
let versionId: string;
const rows = creditRows();
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const ALERT = 'id state severity metric value threshold message model { id } resolvedAt';
/** Internal readers also see the training run of an alert (partners may not). */
const ALERT_WITH_RUN = `${ALERT} run { id }`;

beforeAll(async () => {
  server = await startTestServer({ env: { HEALTH_INTERVAL_SECONDS: '1', HEALTH_WINDOW_SECONDS: '5', HEALTH_PERSIST_SECONDS: '1', DRIFT_CHECK_INTERVAL_SECONDS: '1', DRIFT_WINDOW_SECONDS: '600', DRIFT_MIN_ROWS: '50', TRAINING_CONCURRENCY: '2' } });
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-monitoring', csv: creditCsv(rows) } });
  const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-monitored', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [8], epochs: 3, batchSize: 32 } },
  });
  modelId = createModel.id;
  versionId = await trainVersion(server, modelId, createDataset.id, 3);
  await server.query('mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: modelId });
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'TEST' } });
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'PRODUCTION' } });
}, 120_000);
afterAll(() => server?.close());

/** Collects healthAlerts events on a client until `done` says so (or the test times out). */
function collectAlerts(client: Client, variables: Record<string, unknown>, done: (events: any[]) => boolean, fields = ALERT): { events: any[]; finished: Promise<any[]> } {
  const events: any[] = [];
  const finished = new Promise<any[]>((resolve, reject) => {
    client.subscribe({ query: `subscription($min: AlertSeverity, $m: ID) { healthAlerts(minSeverity: $min, modelId: $m) { ${fields} } }`, variables }, {
      next: ({ data, errors }: any) => {
        if (errors) return reject(new Error(JSON.stringify(errors)));
        events.push(data.healthAlerts);
        if (done(events)) resolve(events);
      },
      error: reject, complete: () => {},
    });
  });
  return { events, finished };
}

const predict = (environment: string, input: Record<string, unknown>[]) => server.query(PREDICT, { input: { model: 'credit-monitored', environment, rows: input } });

describe('health', () => {
  it('counts client mistakes apart from server failures, so they do not raise the error-rate alert', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await server.request('{ model(name: "no-such-model") { id } }')).errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await server.request('{ nope }')).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const { health, alerts } = await server.query('{ health { errorRate clientErrorRate } alerts(filter: { state: OPEN }) { edges { node { rule { builtIn } } } } }');
    expect(health.errorRate).toBe(0);
    expect(health.clientErrorRate).toBeGreaterThan(0.3);
    expect(alerts.edges.map((e: any) => e.node.rule?.builtIn)).not.toContain('error-rate');
  });

  it('reports the disk and the network, and alerts on them', async () => {
    const client = wsClient(server.wsUrl, server.adminAuth);
    // Requests all along, so whichever interval the latest snapshot covers had bytes coming in.
    const traffic = setInterval(() => void server.query('{ __typename }').catch(() => undefined), 100);
    const held = await wsSubscribeOutcome(client, 'subscription { healthSnapshots { at } }', {}, 1500);
    const { health } = await server.query('{ health { databaseSizeMb diskFreeMb diskFreePercent networkInBytesPerSecond networkOutBytesPerSecond httpConnections webSocketConnections } }');
    clearInterval(traffic);
    held.dispose();
    await client.dispose();
    expect(health.databaseSizeMb).toBeGreaterThan(0);
    if (TEST_DB === 'sqlite') {
      expect(health.diskFreeMb).toBeGreaterThan(0);
      expect(health.diskFreePercent).toBeGreaterThan(0);
      expect(health.diskFreePercent).toBeLessThanOrEqual(100);
    } else {
      expect(health.diskFreePercent).toBeNull();
    }
    expect(health.networkInBytesPerSecond).toBeGreaterThan(0);
    expect(health.networkOutBytesPerSecond).toBeGreaterThan(0);
    expect(health.webSocketConnections).toBeGreaterThanOrEqual(1);
    const rule = await server.query('mutation { createAlertRule(input: { name: "connections", metric: WEBSOCKET_CONNECTIONS, comparator: GTE, threshold: 0, cooldownSeconds: 0 }) { id } }');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { alerts } = await server.query('query($rule: ID) { alerts(filter: { ruleId: $rule }) { totalCount } }', { rule: rule.createAlertRule.id });
    expect(alerts.totalCount).toBe(1);
    await server.query('mutation($id: ID!) { deleteAlertRule(id: $id) { id } }', { id: rule.createAlertRule.id });
    const { alertRules } = await server.query('{ alertRules { builtIn metric comparator threshold } }');
    expect(alertRules).toContainEqual({ builtIn: 'disk-free', metric: 'DISK_FREE_PERCENT', comparator: 'LT', threshold: 10 });
  });

  it('answers the latest snapshot, streams new ones, and keeps history', async () => {
    await predict('TEST', rows.slice(0, 20).map(featuresOf));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { health } = await server.query('{ health { at windowSeconds requestRate errorRate latencyMs { p50 p95 } cpuPercent rssMb heapUsedMb eventLoopLagMs trainingsQueued trainingsRunning predictions { modelId requestRate rowRate latencyMs { p95 } } } }');
    expect(health.windowSeconds).toBe(5);
    expect(health.rssMb).toBeGreaterThan(10);
    expect(health.heapUsedMb).toBeGreaterThan(1);
    expect(health.requestRate).toBeGreaterThan(0);
    expect(health.predictions).toEqual([expect.objectContaining({ modelId, rowRate: 20 / 5, requestRate: 1 / 5 })]);
    expect(health.predictions[0].latencyMs.p95).toBeGreaterThan(0);

    const client = wsClient(server.wsUrl, server.adminAuth);
    const snapshots: any[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription { healthSnapshots(intervalSeconds: 1) { at rssMb } }' }, {
        next: ({ data }: any) => { snapshots.push(data.healthSnapshots); if (snapshots.length === 2) resolve(); },
        error: reject, complete: () => {},
      });
    });
    await client.dispose();
    expect(new Date(snapshots[1].at).getTime()).toBeGreaterThan(new Date(snapshots[0].at).getTime());

    const now = Date.now();
    const { healthHistory } = await server.query('query($from: DateTimeISO!, $to: DateTimeISO!) { healthHistory(from: $from, to: $to, resolutionSeconds: 1) { at rssMb } }', { from: new Date(now - 60_000).toISOString(), to: new Date(now + 1000).toISOString() });
    expect(healthHistory.length).toBeGreaterThanOrEqual(2);
    expect(codeOf(await server.request('{ healthHistory(from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { at } }'))).toBe('BAD_USER_INPUT');
  });
});

describe('alerts', () => {
  it('a partner subscribed to healthAlerts sees one latency alert open and then resolve', async () => {
    const partner = `Bearer ${await server.createKey('PARTNER', [modelId])}`;
    const { createAlertRule: rule } = await server.query('mutation($m: ID) { createAlertRule(input: { name: "slow credit model", metric: PREDICT_LATENCY_P95_MS, threshold: 100000, forSeconds: 0, cooldownSeconds: 0, severity: WARNING, modelId: $m }) { id } }', { m: modelId });
    const client = wsClient(server.wsUrl, partner);
    const { finished } = collectAlerts(client, { min: 'WARNING' }, (events) => events.some((e) => e.state === 'RESOLVED'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Lower the threshold below any real latency: the next snapshot with predicts opens one alert.
    await server.query('mutation($id: ID!) { updateAlertRule(input: { id: $id, threshold: 0 }) { threshold } }', { id: rule.id });
    for (let i = 0; i < 4; i++) {
      await predict('TEST', rows.slice(i * 5, i * 5 + 5).map(featuresOf));
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    const { alerts } = await server.query('query($r: ID) { alerts(filter: { ruleId: $r }) { totalCount edges { node { state value message } } } }', { r: rule.id });
    expect(alerts.totalCount, 'one alert however many snapshots breach').toBe(1);
    expect(alerts.edges[0].node.message).toMatch(/predict latency p95 ms of credit-monitored is [\d.]+ \(> 0\)/);
    // Raise it again: the open alert resolves.
    await server.query('mutation($id: ID!) { updateAlertRule(input: { id: $id, threshold: 100000 }) { threshold } }', { id: rule.id });
    const events = await finished;
    await client.dispose();
    expect(events.map((e) => e.state)).toEqual(['OPEN', 'RESOLVED']);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(events[0]).toMatchObject({ severity: 'WARNING', metric: 'PREDICT_LATENCY_P95_MS', model: { id: modelId } });
    expect(events[1].resolvedAt).toBeTruthy();
  });

  it('raises the built-in "training failed" alert when a training child is killed', async () => {
    const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank-monitoring', csv: readDataset('UniversalBank.csv') } });
    const { createModel } = await server.query('mutation { createModel(input: { name: "bank-slow-monitored", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income", "Family", "CCAvg"], targetColumn: "Personal Loan", hyperparameters: { hiddenUnits: [32, 32], epochs: 2000, patience: 0, batchSize: 8 } }) { id } }');
    const client = wsClient(server.wsUrl, server.adminAuth);
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId: createModel.id, datasetId: createDataset.id } });
    const { finished } = collectAlerts(client, {}, (events) => events.some((e) => e.metric === 'TRAINING_FAILED' && e.run?.id === run.id), ALERT_WITH_RUN);
    await waitForRun(server, run.id, (r) => r.epochsCompleted >= 1);
    process.kill(server.services.trainer.pidOf(run.id)!, 'SIGKILL');
    const events = await finished;
    await client.dispose();
    const alert = events.find((e) => e.run?.id === run.id);
    expect(alert).toMatchObject({ state: 'OPEN', severity: 'WARNING', model: { id: createModel.id } });
    expect(alert.message).toContain(run.id);
  });

  it('raises a drift alert when PRODUCTION serves rows whose AMOUNT is tripled', async () => {
    const client = wsClient(server.wsUrl, server.adminAuth);
    const { finished } = collectAlerts(client, { m: modelId }, (events) => events.some((e) => e.metric === 'DRIFT_PSI'));
    await predict('PRODUCTION', rows.slice(0, 300).map((row) => featuresOf({ ...row, AMOUNT: (row.AMOUNT as number) * 3 })));
    await server.services.predictionLog.flush();
    const events = await finished;
    await client.dispose();
    const drift = events.find((e) => e.metric === 'DRIFT_PSI');
    expect(drift.value).toBeGreaterThan(0.25);
    const { driftReport } = await server.query('{ driftReport(model: "credit-monitored") { status features { feature psi status } } }');
    expect(driftReport.features.find((f: any) => f.feature === 'AMOUNT')).toMatchObject({ status: 'SIGNIFICANT' });
  });

  it('acknowledges an open alert once; unknown and resolved alerts are refused', async () => {
    const { alerts } = await server.query('{ alerts(filter: { state: OPEN }) { edges { node { id } } } }');
    const id = alerts.edges[0].node.id;
    const ack = await server.query('mutation($id: ID!) { acknowledgeAlert(id: $id) { state acknowledgedAt acknowledgedBy } }', { id });
    expect(ack.acknowledgeAlert).toMatchObject({ state: 'ACKNOWLEDGED', acknowledgedBy: expect.any(String) });
    expect(codeOf(await server.request('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }', { id }))).toBe('CONFLICT');
    expect(codeOf(await server.request('mutation { acknowledgeAlert(id: "alr_01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }'))).toBe('NOT_FOUND');
    const { alerts: resolved } = await server.query('{ alerts(filter: { state: RESOLVED }, first: 1) { edges { node { id } } } }');
    const res = await server.request('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }', { id: resolved.edges[0].node.id });
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toMatch(/RESOLVED/);
  });
});

describe('bad alert rules', () => {
  const create = (input: Record<string, unknown>) => server.request('mutation($input: CreateAlertRuleInput!) { createAlertRule(input: $input) { id } }', { input: { name: 'bad', metric: 'CPU_PERCENT', threshold: 90, ...input } });
  it('refuses an unknown metric, a NaN threshold, a negative duration, an unknown model and a model on a process-wide metric', async () => {
    expect(codeOf(await create({ metric: 'COFFEE_LEVEL' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await create({ threshold: 'NaN' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await create({ forSeconds: -5 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await create({ metric: 'PREDICT_ERROR_RATE', modelId: 'mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ' }))).toBe('NOT_FOUND');
    const processWide = await create({ modelId: modelId });
    expect(codeOf(processWide)).toBe('BAD_USER_INPUT');
    expect(processWide.errors![0].message).toMatch(/process-wide/);
    const { alertRules } = await server.query('{ alertRules { id name builtIn } }');
    expect(alertRules.filter((r: any) => r.name === 'bad')).toEqual([]);
    const builtIn = alertRules.find((r: any) => r.builtIn === 'drift');
    expect(codeOf(await server.request('mutation($id: ID!) { deleteAlertRule(id: $id) { id } }', { id: builtIn.id }))).toBe('CONFLICT');
  });
});
