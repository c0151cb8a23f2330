import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

let server: TestServer;
let modelId: string;
let v1: string;
let v2: string;
let otherShape: string;
const rows = creditRows().slice(0, 40).map(featuresOf);

const DEPLOY = `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) {
  __typename ... on Deployment { id } ... on Challenger { id mode trafficPercent modelVersion { id } champion { id } }
  ... on DeploymentRequest { id status mode trafficPercent } } }`;
const PREDICT = `mutation($input: PredictInput!) { predict(input: $input) { modelVersion { id } predictions { id value label probabilities { label probability } } } }`;
const REPORT = `query($m: ID!, $e: Environment!) { challengerReport(modelId: $m, environment: $e) {
  challenger { id mode endedAt endReason } liveRows challengerRows comparedRows agreement meanAbsoluteDifference scorePsi
  latency { modelVersion { id } route rows meanMs p95Ms } } }`;

const deploy = (input: Record<string, unknown>) => server.request(DEPLOY, { input });
const predict = (input: Record<string, unknown>) => server.query(PREDICT, { input: { model: 'credit-challenged', environment: 'TEST', ...input } });
const end = (environment = 'TEST') => server.query('mutation($m: ID!, $e: Environment!) { endChallenger(input: { modelId: $m, environment: $e }) { id endReason } }', { m: modelId, e: environment });

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2' } });
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit', csv: creditCsv() } });
  // The same columns, CHK_ACCT as text: a version trained on it has another input signature.
  const text = creditRows().map((row) => ({ ...row, CHK_ACCT: `level-${row.CHK_ACCT}` }));
  const { createDataset: other } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-text', csv: creditCsv(text) } });
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-challenged', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [8], epochs: 3, batchSize: 32 } },
  }));
  [v1, v2, otherShape] = await Promise.all([trainVersion(server, modelId, createDataset.id, 1), trainVersion(server, modelId, createDataset.id, 2), trainVersion(server, modelId, other.id, 3)]);
  expect((await deploy({ modelVersionId: v1, environment: 'TEST' })).data.deployModelVersion.__typename).toBe('Deployment');
});
afterAll(async () => {
  await server?.close();
});

describe('challengers', () => {
  it('refuses a bad challenger and changes nothing', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ modelVersionId: v2, environment: 'TEST', mode: 'CANARY', trafficPercent: 0 }, 'BAD_USER_INPUT', 'input.trafficPercent'],
      [{ modelVersionId: v2, environment: 'TEST', mode: 'CANARY', trafficPercent: 100 }, 'BAD_USER_INPUT', 'input.trafficPercent'],
      [{ modelVersionId: v2, environment: 'TEST', mode: 'CANARY' }, 'BAD_USER_INPUT', 'input.trafficPercent'],
      [{ modelVersionId: v2, environment: 'TEST', mode: 'SHADOW', trafficPercent: 30 }, 'BAD_USER_INPUT', 'input.trafficPercent'],
      [{ modelVersionId: v2, environment: 'PREVIEW', mode: 'SHADOW' }, 'CONFLICT', 'input.environment'],
      [{ modelVersionId: otherShape, environment: 'TEST', mode: 'SHADOW' }, 'CONFLICT', 'input.allowSignatureChange'],
      [{ modelVersionId: v1, environment: 'TEST', mode: 'SHADOW' }, 'CONFLICT', ''],
    ];
    for (const [input, code, field] of cases) {
      const res = await deploy(input);
      expect(res.errors?.[0].extensions?.code, JSON.stringify(input)).toBe(code);
      if (field) expect(res.errors?.[0].extensions?.field).toBe(field);
    }
    const report = await server.request(REPORT, { m: modelId, e: 'TEST' });
    expect(report.errors?.[0].extensions?.code).toBe('NOT_FOUND'); // no challenger was ever started
    expect((await predict({ rows: [rows[0]] })).predict.modelVersion.id).toBe(v1);
  });

  it('SHADOW: answers from the live version, logs the shadow\'s answers, and the report counts agreement on the same rows', async () => {
    const started = await deploy({ modelVersionId: v2, environment: 'TEST', mode: 'SHADOW', reason: 'try v2 quietly' });
    expect(started.data.deployModelVersion).toMatchObject({ __typename: 'Challenger', mode: 'SHADOW', trafficPercent: null, modelVersion: { id: v2 }, champion: { id: v1 } });
    // A second challenger in the same environment is refused.
    expect((await deploy({ modelVersionId: otherShape, environment: 'TEST', mode: 'SHADOW', allowSignatureChange: true })).errors?.[0].extensions?.code).toBe('CONFLICT');
    const stream = wsClient(server.wsUrl, server.adminAuth);
    const reports: any[] = [];
    const streamed = new Promise<void>((resolve, reject) => stream.subscribe({ query: 'subscription($m: ID!) { challengerUpdated(modelId: $m, environment: TEST, intervalSeconds: 1) { challenger { endedAt endReason } comparedRows } }', variables: { m: modelId } }, {
      next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : reports.push(data.challengerUpdated)),
      error: reject, complete: resolve,
    }));

    const liveLabels: (string | null)[] = [];
    const liveAnswers: any[] = [];
    for (const batch of [rows.slice(0, 10), rows.slice(10, 20), rows.slice(20, 30), ...rows.slice(30).map((row) => [row])]) {
      const { predict: answer } = await predict({ rows: batch });
      expect(answer.modelVersion.id).toBe(v1); // the live version answers
      liveLabels.push(...answer.predictions.map((p: any) => p.label));
      liveAnswers.push(...answer.predictions);
    }
    const { challengerReport: report } = await until(() => server.query(REPORT, { m: modelId, e: 'TEST' }), (d) => d.challengerReport.comparedRows === 40, 20_000);
    // v2's labels for the same rows, asked of v2 directly (LIVE in PREVIEW): the expected agreement.
    await deploy({ modelVersionId: v2, environment: 'PREVIEW' });
    const { predict: direct } = await server.query(PREDICT, { input: { model: 'credit-challenged', environment: 'PREVIEW', rows } });
    const agree = direct.predictions.filter((p: any, i: number) => p.label === liveLabels[i]).length / rows.length;
    expect(report.agreement).toBeCloseTo(agree, 10);
    expect(report).toMatchObject({ liveRows: 40, challengerRows: 40, meanAbsoluteDifference: null });
    expect(report.scorePsi).toBeGreaterThanOrEqual(0);
    expect(report.latency.map((l: any) => [l.modelVersion.id, l.route, l.rows])).toEqual([[v1, 'LIVE', 40], [v2, 'SHADOW', 40]]);
    // Outcomes recorded against the live answers: each side's realised AUC, the shadow's through the answers it mirrored.
    const actual = creditRows().slice(0, 40).map((r) => String(r.RESPONSE));
    await server.query('mutation($input: RecordOutcomesInput!) { recordOutcomes(input: $input) { recorded } }', { input: { modelId, outcomes: liveAnswers.map((a, i) => ({ predictionId: a.id, actual: actual[i] })) } });
    const realised = (await server.query('query($m: ID!) { challengerReport(modelId: $m, environment: TEST) { realisedMetric liveRealised challengerRealised rowsWithOutcomes } }', { m: modelId })).challengerReport;
    const aucOf = (scores: number[]) => {
      let right = 0; let pairs = 0;
      for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) if (actual[i] === '1' && actual[j] === '0') { pairs++; right += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0; }
      return right / pairs;
    };
    const p1 = (list: any[]) => list.map((p) => p.probabilities.find((c: any) => c.label === '1').probability);
    expect(realised).toMatchObject({ realisedMetric: 'auc', rowsWithOutcomes: 80 });
    expect(realised.liveRealised).toBeCloseTo(aucOf(p1(liveAnswers)), 6);
    expect(realised.challengerRealised).toBeCloseTo(aucOf(p1(direct.predictions)), 6);
    const { predictions } = await server.query('query($v: ID!) { predictions(first: 100, filter: { modelVersionId: $v, environment: TEST }) { totalCount edges { node { route } } } }', { v: v2 });
    expect(predictions.totalCount).toBe(40);
    expect(predictions.edges.every((e: any) => e.node.route === 'SHADOW')).toBe(true);

    // The stream began with the state of the moment and ends with the challenger.
    expect((await end()).endChallenger.endReason).toBe('ENDED');
    await streamed;
    await stream.dispose();
    expect(reports[0].challenger.endedAt).toBeNull();
    expect(reports.at(-1)).toMatchObject({ challenger: { endReason: 'ENDED' }, comparedRows: 40 });
    expect((await server.request('mutation($m: ID!) { endChallenger(input: { modelId: $m, environment: TEST }) { id } }', { m: modelId })).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await predict({ rows: [rows[0]] })).predict.modelVersion.id).toBe(v1);
  });

  it('CANARY at 30 %: one routing key always meets the same version, both versions answer, and promotion puts the canary live', async () => {
    const started = await deploy({ modelVersionId: v2, environment: 'TEST', mode: 'CANARY', trafficPercent: 30 });
    expect(started.data.deployModelVersion).toMatchObject({ __typename: 'Challenger', mode: 'CANARY', trafficPercent: 30 });
    const served = new Map<string, string>();
    for (let k = 0; k < 60; k++) {
      const key = `customer-${k}`;
      const first = (await predict({ rows: [rows[k % rows.length]], routingKey: key })).predict.modelVersion.id;
      const again = (await predict({ rows: [rows[(k + 1) % rows.length]], routingKey: key })).predict.modelVersion.id;
      expect(again, key).toBe(first);
      served.set(key, first);
    }
    const onCanary = [...served.values()].filter((v) => v === v2).length;
    // Exactly the keys whose bucket, SHA-1(challenger id, key) mod 100, is below 30 meet the canary.
    const challengerId = started.data.deployModelVersion.id;
    const expected = [...served.keys()].filter((key) => createHash('sha1').update(challengerId).update('\0').update(key).digest().readUInt32BE(0) % 100 < 30);
    expect([...served].filter(([, v]) => v === v2).map(([key]) => key)).toEqual(expected);
    expect(onCanary).toBeGreaterThan(0);
    expect(onCanary).toBeLessThan(60);
    const { challengerReport: report } = await until(() => server.query(REPORT, { m: modelId, e: 'TEST' }), (d) => d.challengerReport.liveRows + d.challengerReport.challengerRows === 120, 20_000);
    expect(report).toMatchObject({ challengerRows: onCanary * 2, liveRows: (60 - onCanary) * 2, comparedRows: 0, agreement: null });

    const promoted = await server.query('mutation($m: ID!) { promoteChallenger(input: { modelId: $m, environment: TEST, reason: "canary held" }) { __typename ... on Deployment { modelVersion { id } } } }', { m: modelId });
    expect(promoted.promoteChallenger).toEqual({ __typename: 'Deployment', modelVersion: { id: v2 } });
    for (let k = 0; k < 5; k++) expect((await predict({ rows: [rows[k]], routingKey: `customer-${k}` })).predict.modelVersion.id).toBe(v2);
    const after = await server.query(REPORT, { m: modelId, e: 'TEST' });
    expect(after.challengerReport.challenger).toMatchObject({ endReason: 'PROMOTED', endedAt: expect.any(String) });
  });

  it('in PRODUCTION, a shadow needs no approval but its promotion does', async () => {
    const controls = (requiresApproval: boolean) => server.query('mutation($m: ID!, $r: Boolean!) { setModelControls(input: { modelId: $m, requiresApproval: $r }) { id } }', { m: modelId, r: requiresApproval });
    await controls(false);
    await deploy({ modelVersionId: v1, environment: 'PRODUCTION' });
    await controls(true);
    expect((await deploy({ modelVersionId: v2, environment: 'PRODUCTION', mode: 'SHADOW' })).data.deployModelVersion.__typename).toBe('Challenger');
    // A canary answers real PRODUCTION requests: it is asked for like a deploy.
    await end('PRODUCTION');
    const canary = await deploy({ modelVersionId: v2, environment: 'PRODUCTION', mode: 'CANARY', trafficPercent: 10 });
    expect(canary.data.deployModelVersion).toMatchObject({ __typename: 'DeploymentRequest', status: 'PENDING', mode: 'CANARY', trafficPercent: 10 });
    await server.query('mutation($id: ID!) { rejectDeploymentRequest(input: { id: $id, reason: "not yet" }) { id } }', { id: canary.data.deployModelVersion.id });
    await deploy({ modelVersionId: v2, environment: 'PRODUCTION', mode: 'SHADOW' });
    const promoted = await server.query('mutation($m: ID!) { promoteChallenger(input: { modelId: $m, environment: PRODUCTION }) { __typename ... on DeploymentRequest { status } } }', { m: modelId });
    expect(promoted.promoteChallenger).toEqual({ __typename: 'DeploymentRequest', status: 'PENDING' });
    // Until someone approves, the shadow keeps running beside v1.
    const { challengerReport } = await server.query(REPORT, { m: modelId, e: 'PRODUCTION' });
    expect(challengerReport.challenger).toMatchObject({ mode: 'SHADOW', endedAt: null });
    expect((await server.query(PREDICT, { input: { model: 'credit-challenged', environment: 'PRODUCTION', rows: [rows[0]] } })).predict.modelVersion.id).toBe(v1);
  });
});
