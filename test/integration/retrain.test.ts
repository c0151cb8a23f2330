import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, creditCsv, creditRows, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

let server: TestServer;
let modelId: string;
let datasetId: string;
let v1: string;
const all = creditRows();

const SET = `mutation($input: SetRetrainPolicyInput!) { setRetrainPolicy(input: $input) { id trigger cron timezone nextRunAt promoteTo testPercent gate { metric threshold mustBeatCurrent } } }`;
const EVENTS = `query($m: ID!) { retrainEvents(modelId: $m, first: 20) { totalCount edges { node {
  id trigger status decision reason metric challengerValue championValue comparedRows detail
  run { id status hyperparameters { epochs } } challenger { id } champion { id } datasetVersion { version } } } } }`;
const live = async (environment: string) => (await server.query('query($m: ID!, $e: Environment!) { deploymentHistory(modelId: $m, environment: $e, first: 1) { edges { node { modelVersion { id } } } } }', { m: modelId, e: environment })).deploymentHistory.edges[0]?.node.modelVersion.id;
const latestEvent = async () => (await server.query(EVENTS, { m: modelId })).retrainEvents.edges[0]?.node;
const decided = (event: any) => event && (event.status === 'DECIDED' || event.status === 'FAILED');

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2', RETRAIN_CHECK_SECONDS: '1' } });
  // The first 600 applications; later ones arrive as new data.
  ({ createDataset: { id: datasetId } } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-feed', csv: creditCsv(all.slice(0, 600)) } }));
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-retrained', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [8], epochs: 3, batchSize: 32 } },
  }));
  v1 = await trainVersion(server, modelId, datasetId, 1);
  await server.query('mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId: v1, environment: 'TEST' } });
});
afterAll(async () => {
  await server?.close();
});

describe('retrain policies', () => {
  it('refuses a bad policy, naming the field, and writes nothing', async () => {
    const base = { modelId, datasetId, promoteTo: 'TEST', gate: { metric: 'auc', mustBeatCurrent: true } };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, trigger: 'SCHEDULE', cron: 'every monday' }, 'BAD_USER_INPUT', 'input.cron'],
      [{ ...base, trigger: 'SCHEDULE', cron: '0 3 * * *', timezone: 'Mars/Olympus' }, 'BAD_USER_INPUT', 'input.timezone'],
      [{ ...base, trigger: 'SCHEDULE' }, 'BAD_USER_INPUT', 'input.cron'],
      [{ ...base, trigger: 'NEW_DATA', cron: '0 3 * * *' }, 'BAD_USER_INPUT', 'input.cron'],
      [{ ...base, trigger: 'MANUAL' }, 'BAD_USER_INPUT', 'input.trigger'],
      [{ ...base, trigger: 'NEW_DATA', promoteTo: 'PREVIEW' }, 'CONFLICT', 'input.promoteTo'],
      [{ ...base, trigger: 'NEW_DATA', sweep: { method: 'GRID', parameters: [{ name: 'dropout', distribution: 'UNIFORM', min: 0, max: 1 }], maxRuns: 2 } }, 'BAD_USER_INPUT', 'input.parameters[0].distribution'],
    ];
    for (const [input, code, field] of cases) {
      const res = await server.request(SET, { input });
      expect(res.errors?.[0].extensions, JSON.stringify(input)).toMatchObject({ code, field });
    }
    const res = await server.request('query($m: ID!) { retrainPolicy(modelId: $m) { id } }', { m: modelId });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('NEW_DATA: new rows fire it once; the challenger and the champion are measured on the same newest rows; a passing challenger goes live', async () => {
    // A threshold any model passes: this test is about the path to PROMOTED (the next one, about missing the gate).
    const { setRetrainPolicy } = await server.query(SET, { input: { modelId, datasetId, trigger: 'NEW_DATA', promoteTo: 'TEST', gate: { metric: 'auc', threshold: 0 } } });
    expect(setRetrainPolicy).toMatchObject({ trigger: 'NEW_DATA', cron: null, timezone: 'UTC', nextRunAt: null, testPercent: 20 });
    const stream = wsClient(server.wsUrl, server.adminAuth);
    const seen: string[] = [];
    stream.subscribe({ query: 'subscription($m: ID!) { retrainEventUpdated(modelId: $m) { status } }', variables: { m: modelId } }, {
      next: ({ data }: any) => seen.push(data.retrainEventUpdated.status), error: () => {}, complete: () => {},
    });
    await new Promise((r) => setTimeout(r, 200));
    const csv = creditCsv(all.slice(600));
    await server.query('mutation($id: ID!, $csv: String!) { appendDatasetRows(input: { datasetId: $id, csv: $csv }) { version } }', { id: datasetId, csv });
    const event = await until(latestEvent, decided, 90_000);
    expect(event).toMatchObject({ trigger: 'NEW_DATA', status: 'DECIDED', metric: 'auc', comparedRows: 200, datasetVersion: { version: 2 }, champion: { id: v1 } });
    expect(event.detail).toMatchObject({ datasetVersion: 2 });
    expect(event.challengerValue).toEqual(expect.any(Number));
    expect(event.championValue).toEqual(expect.any(Number));
    // Passing the threshold put the challenger live, and the reason has both figures.
    expect(event.decision).toBe('PROMOTED');
    expect(await live('TEST')).toBe(event.challenger.id);
    expect(event.reason).toContain(`on the newest 200 rows`);
    expect(event.reason).toContain(String(Number(event.championValue.toPrecision(4))));
    expect((await server.query(EVENTS, { m: modelId })).retrainEvents.totalCount).toBe(1);
    // The champion's figure is its AUC on exactly the 200 newest rows: recomputed here from v1's own answers.
    await server.query('mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId: v1, environment: 'PREVIEW' } });
    const newest = all.slice(800);
    const { predict } = await server.query('mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }', {
      input: { model: 'credit-retrained', environment: 'PREVIEW', rows: newest.map((row) => Object.fromEntries(CREDIT_FEATURES.map((f) => [f, row[f]]))) },
    });
    expect(aucOf(predict.predictions.map((p: any) => p.value), newest.map((row) => Number(row.RESPONSE)))).toBeCloseTo(event.championValue, 6);
    await until(async () => seen, (s) => s.includes('DECIDED'), 5000);
    expect(seen[0]).toBe('TRAINING');
    await stream.dispose();
  });

  it('keeps the champion when the challenger misses the gate, and says so with the numbers', async () => {
    const before = await live('TEST');
    await server.query(SET, { input: { modelId, datasetId, trigger: 'NEW_DATA', promoteTo: 'TEST', gate: { metric: 'auc', threshold: 0.999 } } });
    const { fireRetrainPolicy } = await server.query('mutation($m: ID!) { fireRetrainPolicy(modelId: $m) { id trigger status } }', { m: modelId });
    expect(fireRetrainPolicy).toMatchObject({ trigger: 'MANUAL', status: 'TRAINING' });
    const event = await until(latestEvent, (e) => e.id === fireRetrainPolicy.id && decided(e), 90_000);
    expect(event).toMatchObject({ status: 'DECIDED', decision: 'KEPT_CHAMPION', champion: { id: before } });
    expect(event.reason).toMatch(/kept the champion: auc .* < threshold 0.999/);
    expect(await live('TEST')).toBe(before);
  });

  it('with shadowSeconds, a passing challenger first shadows the champion, then is promoted with what the shadow showed', async () => {
    const champion = await live('TEST');
    await server.query(SET, { input: { modelId, datasetId, trigger: 'NEW_DATA', promoteTo: 'TEST', gate: { metric: 'auc', threshold: 0 }, shadowSeconds: 3 } });
    const { fireRetrainPolicy } = await server.query('mutation($m: ID!) { fireRetrainPolicy(modelId: $m) { id } }', { m: modelId });
    const shadowing = await until(latestEvent, (e) => e.id === fireRetrainPolicy.id && (e.status === 'SHADOWING' || decided(e)), 90_000);
    expect(shadowing.status).toBe('SHADOWING');
    // While it shadows, the champion answers and the shadow sees the same requests.
    const rows = all.slice(0, 20).map((row) => Object.fromEntries(CREDIT_FEATURES.map((f) => [f, row[f]])));
    const { predict } = await server.query('mutation($input: PredictInput!) { predict(input: $input) { modelVersion { id } } }', { input: { model: 'credit-retrained', environment: 'TEST', rows } });
    expect(predict.modelVersion.id).toBe(champion);
    const event = await until(latestEvent, (e) => e.id === fireRetrainPolicy.id && decided(e), 30_000);
    expect(event).toMatchObject({ status: 'DECIDED', decision: 'PROMOTED' });
    expect(event.reason).toMatch(/in shadow it agreed with the champion on [\d.]+ % of 20 requests' rows; promoted/);
    expect(await live('TEST')).toBe(event.challenger.id);
    const report = await server.query('query($m: ID!) { challengerReport(modelId: $m, environment: TEST) { challenger { mode endReason } comparedRows } }', { m: modelId });
    expect(report.challengerReport).toEqual({ challenger: { mode: 'SHADOW', endReason: 'PROMOTED' }, comparedRows: 20 });
  });

  it('for PRODUCTION, a passing challenger becomes a maker-checker request carrying both figures', async () => {
    const controls = (r: boolean) => server.query('mutation($m: ID!, $r: Boolean!) { setModelControls(input: { modelId: $m, requiresApproval: $r }) { id } }', { m: modelId, r: r });
    await controls(false);
    await server.query('mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId: v1, environment: 'PRODUCTION' } });
    await controls(true);
    await server.query(SET, { input: { modelId, datasetId, trigger: 'DRIFT', promoteTo: 'PRODUCTION', gate: { metric: 'auc', threshold: 0 } } });
    const { fireRetrainPolicy } = await server.query('mutation($m: ID!) { fireRetrainPolicy(modelId: $m) { id } }', { m: modelId });
    const event = await until(latestEvent, (e) => e.id === fireRetrainPolicy.id && decided(e), 90_000);
    expect(event.decision).toBe('APPROVAL_REQUESTED');
    const { deploymentRequests } = await server.query('query($m: ID) { deploymentRequests(filter: { modelId: $m, status: PENDING }) { edges { node { reason modelVersion { id } } } } }', { m: modelId });
    const request = deploymentRequests.edges[0].node;
    expect(request.modelVersion.id).toBe(event.challenger.id);
    expect(request.reason).toContain('(challenger) vs');
    expect(request.reason).toContain('(champion) on the newest 200 rows');
    expect(await live('PRODUCTION')).toBe(v1);
  });

  it('a SCHEDULE policy shows when it fires next, in its time zone', async () => {
    const { setRetrainPolicy } = await server.query(SET, { input: { modelId, datasetId, trigger: 'SCHEDULE', cron: '0 3 * * *', timezone: 'Europe/Zurich', promoteTo: 'TEST', gate: { metric: 'auc', mustBeatCurrent: true } } });
    const next = new Date(setRetrainPolicy.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect(['01:00', '02:00']).toContain(next.toISOString().slice(11, 16)); // 03:00 in Zurich, summer or winter
    await server.query('mutation($m: ID!) { deleteRetrainPolicy(modelId: $m) { id } }', { m: modelId });
  });
});

/** Area under the ROC curve by Mann–Whitney: the share of (positive, negative) pairs ranked right, ties half. */
function aucOf(scores: number[], labels: number[]): number {
  let right = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      right += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return right / pairs;
}
