import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelVersion } from '../../src/modules/models/model-version.entity';
import { CREDIT_FEATURES, DEPLOY, PREDICT, creditCsv, creditRows, featuresOf, referencePredictions, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { wsClient } from '../support/ws-client';

let server: TestServer;
let modelId: string;
let datasetId: string;
let v1: string;
let v2: string;
const auth = {} as Record<'scientist' | 'approver' | 'approver2' | 'viewer' | 'partner' | 'outsider', string>;
const rows = creditRows();
const sample = rows.slice(0, 50).map(featuresOf);

const as = (who: keyof typeof auth) => ({ authorization: auth[who] });
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2', MAX_PREDICT_ROWS: '1000', PREDICTION_LOG_FLUSH_MS: '20' } });
  for (const [who, role] of [['scientist', 'DATA_SCIENTIST'], ['approver', 'APPROVER'], ['approver2', 'APPROVER'], ['viewer', 'VIEWER']] as const) {
    auth[who] = `Bearer ${await server.createKey(role)}`;
  }
  ({ createDataset: { id: datasetId } } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-housing', csv: creditCsv(rows) } }));
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-serving', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [8], epochs: 4, batchSize: 32 } },
  }));
  auth.partner = `Bearer ${await server.createKey('PARTNER', [modelId])}`;
  const { createModel: other } = await server.query('mutation { createModel(input: { name: "someone-else", task: REGRESSION, architecture: MLP, featureColumns: ["AGE"], targetColumn: "AMOUNT" }) { id } }');
  auth.outsider = `Bearer ${await server.createKey('PARTNER', [other.id])}`;
  // The scientist trains both versions: maker-checker must then keep that key from approving them.
  [v1, v2] = await Promise.all([trainVersion(server, modelId, datasetId, 1, auth.scientist), trainVersion(server, modelId, datasetId, 2, auth.scientist)]);
}, 120_000);
afterAll(() => server?.close());

/** The independent computation (test/support/serving.ts). */
const reference = (versionId: string, input: Record<string, unknown>[]) => referencePredictions(server, versionId, input);

const predict = (input: Record<string, unknown>, who?: keyof typeof auth) => server.request(PREDICT, { input: { model: 'credit-serving', ...input } }, who ? as(who) : {});

describe('signature', () => {
  it('exposes each feature with its type, the training categories and the range seen in training', async () => {
    const { modelVersion } = await server.query('query($id: ID!) { modelVersion(id: $id) { signature { features { name type categories min max mean } } } }', { id: v1 });
    const features = modelVersion.signature.features;
    expect(features.map((f: any) => f.name)).toEqual(CREDIT_FEATURES);
    expect(features.find((f: any) => f.name === 'HOUSING')).toMatchObject({ type: 'CATEGORY', categories: ['free', 'own', 'rent'] });
    const amount = features.find((f: any) => f.name === 'AMOUNT');
    const amounts = rows.map((r) => r.AMOUNT as number);
    expect(amount.type).toBe('NUMBER');
    // The training split is a subset of the rows: its range lies inside the whole column's.
    expect(amount.min).toBeGreaterThanOrEqual(Math.min(...amounts));
    expect(amount.max).toBeLessThanOrEqual(Math.max(...amounts));
    expect(amount.max).toBeGreaterThan(amount.min);
  });
});

describe('deploy to TEST and predict', () => {
  it('deploys v1 to TEST and serves 50 rows matching an independent computation from the same artifact', async () => {
    const { deployModelVersion: dep } = await server.query(DEPLOY, { input: { modelVersionId: v1, environment: 'TEST', reason: 'first look' } });
    expect(dep).toMatchObject({ __typename: 'Deployment', environment: 'TEST', action: 'DEPLOY', modelVersion: { id: v1, version: expect.any(Number) } });
    const res = await predict({ environment: 'TEST', rows: sample });
    expect(res.errors).toBeUndefined();
    const answer = res.data.predict;
    expect(answer.modelVersion.id).toBe(v1);
    expect(answer.environment).toBe('TEST');
    expect(answer.latencyMs).toBeGreaterThan(0);
    const expected = await reference(v1, sample);
    answer.predictions.forEach((p: any, i: number) => {
      expect(p.value).toBeCloseTo(expected[i], 5);
      expect(p.label).toBe(expected[i] >= 0.5 ? '1' : '0');
      expect(p.probabilities.map((q: any) => q.label)).toEqual(['0', '1']);
      expect(p.probabilities[1].probability).toBeCloseTo(expected[i], 5);
      expect(p.contributions).toBeNull();
    });
    // The model must actually separate rows: not one constant answer.
    expect(new Set(answer.predictions.map((p: any) => p.label)).size).toBe(2);
  });

  it('explains rows by occlusion: a feature at its training mean contributes exactly nothing', async () => {
    const { modelVersion } = await server.query('query($id: ID!) { modelVersion(id: $id) { signature { features { name mean } } } }', { id: v1 });
    const amountMean = modelVersion.signature.features.find((f: any) => f.name === 'AMOUNT').mean;
    const res = await predict({ environment: 'TEST', rows: [{ ...sample[0], AMOUNT: amountMean }, sample[1]], explain: true });
    expect(res.errors).toBeUndefined();
    const [first, second] = res.data.predict.predictions;
    expect(first.contributions.map((c: any) => c.feature)).toEqual(CREDIT_FEATURES);
    expect(first.contributions.find((c: any) => c.feature === 'AMOUNT').contribution).toBeCloseTo(0, 6);
    expect(second.contributions.some((c: any) => Math.abs(c.contribution) > 1e-4)).toBe(true);
  });

  it('takes a partner key for a model in its scope and refuses one outside it', async () => {
    expect((await predict({ environment: 'TEST', rows: sample.slice(0, 2) }, 'partner')).errors).toBeUndefined();
    expect(codeOf(await predict({ environment: 'TEST', rows: sample.slice(0, 2) }, 'outsider'))).toBe('FORBIDDEN');
  });
});

describe('bad predict input', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['no deployment in the environment', { environment: 'PREVIEW', rows: [{}] }, 'NOT_FOUND', /no version deployed to PREVIEW/],
    ['0 rows', { environment: 'TEST', rows: [] }, 'BAD_USER_INPUT', /at least one row/],
    ['more rows than MAX_PREDICT_ROWS', { environment: 'TEST', rows: Array(1001).fill({}) }, 'BAD_USER_INPUT', /1001 rows is over the limit of 1000/],
    ['a row missing a feature', { environment: 'TEST', rows: [sample[0], { ...sample[1], AGE: undefined }] }, 'BAD_USER_INPUT', /rows\[1\]: missing feature "AGE"/],
    ['a string in a numeric feature', { environment: 'TEST', rows: [{ ...sample[0], AMOUNT: 'lots' }] }, 'BAD_USER_INPUT', /rows\[0\]\.AMOUNT: "lots" is not a number/],
    ['NaN', { environment: 'TEST', rows: [{ ...sample[0], DURATION: 'NaN' }] }, 'BAD_USER_INPUT', /rows\[0\]\.DURATION: .*not a finite number/],
    ['Infinity', { environment: 'TEST', rows: [{ ...sample[0], DURATION: 'Infinity' }] }, 'BAD_USER_INPUT', /rows\[0\]\.DURATION: .*not a finite number/],
    ['an unknown category', { environment: 'TEST', rows: [sample[0], sample[1], { ...sample[2], HOUSING: 'castle' }] }, 'BAD_USER_INPUT', /rows\[2\]\.HOUSING: unknown category "castle" \(expected one of: free, own, rent\)/],
  ];
  for (const [name, input, code, message] of cases) {
    it(`${name} → ${code}`, async () => {
      await server.services.predictionLog.flush();
      const before = server.services.predictionLog.counts.written;
      const res = await predict(input);
      expect(codeOf(res)).toBe(code);
      expect(res.errors![0].message).toMatch(message);
      await server.services.predictionLog.flush();
      expect(server.services.predictionLog.counts.written, 'a refused request logs nothing').toBe(before);
    });
  }

  it('names the row and field in the error extensions', async () => {
    const res = await predict({ environment: 'TEST', rows: [sample[0], { ...sample[1], AMOUNT: 'x' }] });
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rows[1].AMOUNT', row: 1 });
  });
});

describe('rollback and history', () => {
  it('switches TEST to v2, rolls back to v1 (same answers as before), and refuses a rollback with nothing earlier', async () => {
    const before = (await predict({ environment: 'TEST', rows: sample.slice(0, 5) })).data.predict.predictions.map((p: any) => p.value);
    await server.query(DEPLOY, { input: { modelVersionId: v2, environment: 'TEST', reason: 'candidate' } });
    const onV2 = (await predict({ environment: 'TEST', rows: sample.slice(0, 5) })).data.predict;
    expect(onV2.modelVersion.id).toBe(v2);
    const expectedV2 = await reference(v2, sample.slice(0, 5));
    onV2.predictions.forEach((p: any, i: number) => expect(p.value).toBeCloseTo(expectedV2[i], 5));

    const { rollbackDeployment } = await server.request('mutation($m: ID!) { rollbackDeployment(input: { modelId: $m, environment: TEST, reason: "worse" }) { action modelVersion { id } previous { modelVersion { id } } restores { modelVersion { id } } } }', { m: modelId }, as('approver')).then((r) => r.data);
    expect(rollbackDeployment).toEqual({ action: 'ROLLBACK', modelVersion: { id: v1 }, previous: { modelVersion: { id: v2 } }, restores: { modelVersion: { id: v1 } } });
    const after = (await predict({ environment: 'TEST', rows: sample.slice(0, 5) })).data.predict;
    expect(after.modelVersion.id).toBe(v1);
    expect(after.predictions.map((p: any) => p.value)).toEqual(before);

    const again = await server.request('mutation($m: ID!) { rollbackDeployment(input: { modelId: $m, environment: TEST }) { id } }', { m: modelId });
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors![0].message).toMatch(/no earlier deployment in TEST/);
    const none = await server.request('mutation($m: ID!) { rollbackDeployment(input: { modelId: $m, environment: PREVIEW }) { id } }', { m: modelId });
    expect(codeOf(none)).toBe('CONFLICT');
    expect(none.errors![0].message).toMatch(/nothing deployed to PREVIEW/);
  });

  it('answers which version served TEST at a given time, and lists the live deployments on the model', async () => {
    const history = async (servingAt?: string) => (await server.query('query($m: ID!, $at: DateTimeISO) { deploymentHistory(modelId: $m, environment: TEST, servingAt: $at) { totalCount edges { node { action deployedAt modelVersion { id } } } } }', { m: modelId, at: servingAt })).deploymentHistory;
    const all = await history();
    expect(all.totalCount).toBe(3);
    expect(all.edges.map((e: any) => [e.node.action, e.node.modelVersion.id])).toEqual([['ROLLBACK', v1], ['DEPLOY', v2], ['DEPLOY', v1]]);
    const firstAt = all.edges[2].node.deployedAt;
    const atFirst = await history(firstAt);
    expect(atFirst.edges[0].node.modelVersion.id).toBe(v1);
    expect(atFirst.totalCount).toBe(1);
    const { model } = await server.query('query($id: ID) { model(id: $id) { deployments { environment modelVersion { id } } } }', { id: modelId });
    expect(model.deployments).toEqual([{ environment: 'TEST', modelVersion: { id: v1 } }]);
  });

  it('refuses to deploy an unknown version (NOT_FOUND) or the live one again (CONFLICT)', async () => {
    expect(codeOf(await server.request(DEPLOY, { input: { modelVersionId: 'mv_01JZZZZZZZZZZZZZZZZZZZZZZZ', environment: 'TEST' } }))).toBe('NOT_FOUND');
    expect(codeOf(await server.request(DEPLOY, { input: { modelVersionId: v1, environment: 'TEST' } }))).toBe('CONFLICT');
  });
});

describe('PRODUCTION: gates and maker-checker', () => {
  let requestId: string;

  it('refuses a deploy that fails the promotion gate, with the numbers in the message', async () => {
    const set = await server.request('mutation($m: ID!) { setModelControls(input: { modelId: $m, promotionGate: { metric: "auc", threshold: 0.999 } }) { promotionGate { metric threshold } } }', { m: modelId }, as('approver'));
    expect(set.data.setModelControls.promotionGate).toEqual({ metric: 'auc', threshold: 0.999 });
    const res = await server.request(DEPLOY, { input: { modelVersionId: v1, environment: 'PRODUCTION' } }, as('scientist'));
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toMatch(/promotion gate failed: auc 0\.\d+ < threshold 0\.999/);
    expect((res.errors![0].extensions as any).gate).toMatchObject({ metric: 'auc', passed: false, threshold: 0.999 });
    // A scientist may not relax the controls.
    expect(codeOf(await server.request('mutation($m: ID!) { setModelControls(input: { modelId: $m, clearPromotionGate: true }) { id } }', { m: modelId }, as('scientist')))).toBe('FORBIDDEN');
    await server.request('mutation($m: ID!) { setModelControls(input: { modelId: $m, promotionGate: { metric: "auc", threshold: 0.5 } }) { id } }', { m: modelId }, as('approver'));
  });

  it('turns a PRODUCTION deploy into a PENDING request carrying the gate numbers; nothing serves yet', async () => {
    const res = await server.request(DEPLOY, { input: { modelVersionId: v1, environment: 'PRODUCTION', reason: 'go live' } }, as('scientist'));
    expect(res.errors).toBeUndefined();
    const request = res.data.deployModelVersion;
    expect(request).toMatchObject({ __typename: 'DeploymentRequest', status: 'PENDING', gate: { passed: true } });
    expect(request.gate.candidate).toBeGreaterThan(0.5);
    requestId = request.id;
    expect(codeOf(await predict({ rows: sample.slice(0, 1) }))).toBe('NOT_FOUND');
    expect(codeOf(await server.request(DEPLOY, { input: { modelVersionId: v1, environment: 'PRODUCTION' } }, as('scientist'))), 'a second pending request').toBe('CONFLICT');
  });

  it('refuses approval by a VIEWER or DATA_SCIENTIST, and by the key that trained the version', async () => {
    const approve = (who?: keyof typeof auth) => server.request('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id }) { status } }', { id: requestId }, who ? as(who) : {});
    expect(codeOf(await approve('viewer'))).toBe('FORBIDDEN');
    expect(codeOf(await approve('scientist'))).toBe('FORBIDDEN');
    // ADMIN made no request here and trained nothing: self-approval is tested on its own request below.
  });

  it('lets another APPROVER approve: the version goes live in PRODUCTION; approving twice is a CONFLICT', async () => {
    const client = wsClient(server.wsUrl, auth.viewer);
    const seen: string[] = [];
    const subscribed = new Promise<void>((resolve) => setTimeout(resolve, 150));
    const approved = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription($m: ID) { deploymentRequestUpdated(modelId: $m) { id status decidedBy } }', variables: { m: modelId } }, {
        next: ({ data, errors }: any) => { if (errors) reject(errors); seen.push(data.deploymentRequestUpdated.status); if (data.deploymentRequestUpdated.status === 'APPROVED') resolve(); },
        error: reject, complete: () => {},
      });
    });
    await subscribed;
    const res = await server.request('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id, comment: "checked" }) { status decisionComment deployment { environment deployedBy modelVersion { id } request { id } } } }', { id: requestId }, as('approver'));
    expect(res.errors).toBeUndefined();
    expect(res.data.approveDeploymentRequest).toMatchObject({ status: 'APPROVED', decisionComment: 'checked', deployment: { environment: 'PRODUCTION', modelVersion: { id: v1 }, request: { id: requestId } } });
    expect(res.data.approveDeploymentRequest.deployment.deployedBy).toMatch(/^approver-/);
    await approved;
    await client.dispose();
    expect(seen).toEqual(['APPROVED']);
    expect((await predict({ rows: sample.slice(0, 1) })).data.predict.modelVersion.id).toBe(v1);
    const twice = await server.request('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id }) { status } }', { id: requestId }, as('approver2'));
    expect(codeOf(twice)).toBe('CONFLICT');
    expect(twice.errors![0].message).toMatch(/already APPROVED/);
  });

  it('forbids self-approval, records rejections, and leaves every step in the audit log', async () => {
    const own = await server.request(DEPLOY, { input: { modelVersionId: v2, environment: 'PRODUCTION', reason: 'admin wants it' } });
    const ownId = own.data.deployModelVersion.id;
    const self = await server.request('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id }) { status } }', { id: ownId });
    expect(codeOf(self)).toBe('FORBIDDEN');
    expect(self.errors![0].message).toMatch(/maker-checker/);
    const rejected = await server.request('mutation($id: ID!) { rejectDeploymentRequest(input: { id: $id, reason: "not yet" }) { status decisionComment } }', { id: ownId }, as('approver2'));
    expect(rejected.data.rejectDeploymentRequest).toEqual({ status: 'REJECTED', decisionComment: 'not yet' });
    expect((await predict({ rows: sample.slice(0, 1) })).data.predict.modelVersion.id, 'still v1 in PRODUCTION').toBe(v1);

    const { deploymentRequests } = await server.query('query($m: ID) { deploymentRequests(filter: { modelId: $m }) { edges { node { status requestedBy decidedBy } } } }', { m: modelId });
    expect(deploymentRequests.edges.map((e: any) => e.node.status)).toEqual(['REJECTED', 'APPROVED']);
    const audit = async (operation: string) => (await server.query('query($op: String) { auditLog(filter: { operation: $op }, first: 20) { edges { node { actorRole outcome arguments } } } }', { op: operation })).auditLog.edges.map((e: any) => e.node);
    const approvals = await audit('approveDeploymentRequest');
    expect(approvals.map((a: any) => `${a.actorRole}:${a.outcome}`)).toEqual(expect.arrayContaining(['APPROVER:ok', 'ADMIN:FORBIDDEN', 'VIEWER:FORBIDDEN', 'DATA_SCIENTIST:FORBIDDEN', 'APPROVER:CONFLICT']));
    expect((await audit('rejectDeploymentRequest')).map((a: any) => `${a.actorRole}:${a.outcome}`)).toEqual(['APPROVER:ok']);
    const deploys = await audit('deployModelVersion');
    expect(deploys.some((a: any) => a.actorRole === 'DATA_SCIENTIST' && a.outcome === 'ok' && a.arguments.input.environment === 'PRODUCTION')).toBe(true);
    // Served predictions go to the prediction log, not the audit log; a partner's refusal is audited.
    expect((await audit('predict')).map((a: any) => a.outcome)).toEqual(['FORBIDDEN']);
  });
});

describe('prediction log', () => {
  it('records every served row with its version, environment, inputs and outputs, filterable', async () => {
    await server.services.predictionLog.flush();
    const list = async (filter: Record<string, unknown>) => (await server.query('query($f: PredictionFilter) { predictions(filter: $f, first: 100) { totalCount edges { node { environment inputs outputs { value label } modelVersion { id } requestId } } } }', { f: filter })).predictions;
    const before = (await list({ model: 'credit-serving', environment: 'PREVIEW' })).totalCount;
    expect(before).toBe(0);
    const served = await predict({ environment: 'PRODUCTION', rows: sample.slice(10, 13) });
    await server.services.predictionLog.flush();
    const production = await list({ model: 'credit-serving', environment: 'PRODUCTION' });
    expect(production.totalCount).toBe(5); // 1 row after the approval, 1 after the rejection, these 3
    const newest = production.edges.slice(0, 3).map((e: any) => e.node);
    expect(newest.map((n: any) => n.inputs).sort((a: any, b: any) => a.AMOUNT - b.AMOUNT)).toEqual(sample.slice(10, 13).sort((a: any, b: any) => (a.AMOUNT as number) - (b.AMOUNT as number)));
    for (const node of newest) {
      expect(node.modelVersion.id).toBe(v1);
      const answer = served.data.predict.predictions[sample.slice(10, 13).findIndex((s) => s.AMOUNT === node.inputs.AMOUNT)];
      expect(node.outputs).toEqual({ value: answer.value, label: answer.label });
    }
    const { modelVersion } = await server.query('query($id: ID!) { modelVersion(id: $id) { version } }', { id: v1 });
    expect((await list({ model: modelId, version: modelVersion.version })).totalCount).toBeGreaterThan(50);
    expect(codeOf(await server.request('{ predictions(filter: { version: 1 }) { totalCount } }'))).toBe('BAD_USER_INPUT');
  });
});

describe('/metrics', () => {
  it('counts served rows per model and version', async () => {
    const before = await servedRows(v1);
    await predict({ environment: 'TEST', rows: sample.slice(0, 7) });
    expect(await servedRows(v1)).toBe(before + 7);
  });
});

/** aimass_predictions_total for this model and a version, read off /metrics. */
async function servedRows(versionId: string): Promise<number> {
  const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('aimass_predictions_total{') && l.includes(`model="${modelId}"`) && l.includes(`version="${versionId}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('batch prediction', () => {
  it('scores every row of the dataset into a dataset of its own with prediction columns, streaming progress; the input is left as it was', async () => {
    const client = wsClient(server.wsUrl, auth.viewer);
    const latestBefore = (await server.query('query($id: ID!) { dataset(id: $id) { latestVersion } }', { id: datasetId })).dataset.latestVersion;
    const { startBatchPrediction: job } = await server.query('mutation($d: ID!) { startBatchPrediction(input: { model: "credit-serving", environment: TEST, datasetId: $d }) { id status rowsTotal outputDatasetName modelVersion { id } } }', { d: datasetId });
    expect(job).toMatchObject({ status: 'QUEUED', rowsTotal: rows.length, modelVersion: { id: v1 } });
    expect(job.outputDatasetName).toMatch(/^credit-housing-scored-[0-9a-z]{10}$/);
    const statuses: string[] = [];
    const final = await new Promise<any>((resolve, reject) => {
      client.subscribe({ query: 'subscription($id: ID!) { batchPredictionUpdated(jobId: $id) { status rowsDone progress error outputDatasetVersion { version source rowCount columns { name type } dataset { id name } parent { version dataset { id } } } } }', variables: { id: job.id } }, {
        next: ({ data, errors }: any) => { if (errors) reject(errors); statuses.push(data.batchPredictionUpdated.status); if (['SUCCEEDED', 'FAILED'].includes(data.batchPredictionUpdated.status)) resolve(data.batchPredictionUpdated); },
        error: reject, complete: () => {},
      });
    });
    await client.dispose();
    expect(final.error).toBeNull();
    expect(final).toMatchObject({ status: 'SUCCEEDED', rowsDone: rows.length, progress: 1 });
    expect(final.outputDatasetVersion).toMatchObject({ version: 1, source: 'PREDICTION', rowCount: rows.length, dataset: { name: job.outputDatasetName }, parent: { version: latestBefore, dataset: { id: datasetId } } });
    expect(final.outputDatasetVersion.columns.slice(-2)).toEqual([{ name: 'prediction', type: 'NUMBER' }, { name: 'prediction_score', type: 'NUMBER' }]);
    // Plain reads and new training runs of the input still see its own rows.
    expect((await server.query('query($id: ID!) { dataset(id: $id) { latestVersion } }', { id: datasetId })).dataset.latestVersion).toBe(latestBefore);

    const { dataset } = await server.query('query($id: ID!) { dataset(id: $id) { version(version: 1) { rows(first: 20) { edges { node { values } } } } } }', { id: final.outputDatasetVersion.dataset.id });
    const scored = dataset.version.rows.edges.map((e: any) => e.node.values);
    const expected = await reference(v1, scored.map(featuresOf));
    scored.forEach((row: any, i: number) => {
      expect(row.prediction_score).toBeCloseTo(expected[i], 5);
      expect(String(row.prediction)).toBe(expected[i] >= 0.5 ? '1' : '0');
    });
  });

  it('refuses a dataset that lacks the model\'s features', async () => {
    const { createDataset } = await server.query('mutation { createDataset(input: { name: "too-narrow", csv: "AMOUNT,AGE\\n1,2\\n3,4\\n" }) { id } }');
    const res = await server.request('mutation($v: ID!, $d: ID!) { startBatchPrediction(input: { modelVersionId: $v, datasetId: $d }) { id } }', { v: v1, d: createDataset.id });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/lacks the model's feature\(s\) "CHK_ACCT"/);
  });

  it('writes to the dataset the caller names, refusing a name already taken', async () => {
    const named = await server.query('mutation($v: ID!, $d: ID!) { startBatchPrediction(input: { modelVersionId: $v, datasetId: $d, outputDataset: "credit-scored-by-name" }) { id outputDatasetName } }', { v: v1, d: datasetId });
    expect(named.startBatchPrediction.outputDatasetName).toBe('credit-scored-by-name');
    const taken = await server.request('mutation($v: ID!, $d: ID!) { startBatchPrediction(input: { modelVersionId: $v, datasetId: $d, outputDataset: "too-narrow" }) { id } }', { v: v1, d: datasetId });
    expect(taken.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.outputDataset' });
  });
});

describe('a deploy under load', () => {
  it('answers 200 concurrent single-row predicts while TEST switches from v1 to v2: each from the version it reports, none failing', async () => {
    const picks = Array.from({ length: 200 }, (_, i) => sample[i % sample.length]);
    const expected = { [v1]: await reference(v1, picks), [v2]: await reference(v2, picks) };
    const calls = picks.map((row, i) => new Promise((r) => setTimeout(r, i % 40)).then(() => predict({ environment: 'TEST', rows: [row] })));
    const deploy = new Promise((r) => setTimeout(r, 10)).then(() => server.query(DEPLOY, { input: { modelVersionId: v2, environment: 'TEST', reason: 'switch under load' } }));
    const [responses] = await Promise.all([Promise.all(calls), deploy]);
    const served = { [v1]: 0, [v2]: 0 };
    responses.forEach((res: any, i) => {
      expect(res.errors).toBeUndefined();
      const version = res.data.predict.modelVersion.id;
      expect([v1, v2]).toContain(version);
      served[version]++;
      expect(res.data.predict.predictions[0].value).toBeCloseTo(expected[version][i], 5);
    });
    expect(served[v1] + served[v2]).toBe(200);
    expect((await predict({ environment: 'TEST', rows: [picks[0]] })).data.predict.modelVersion.id, 'after the deploy').toBe(v2);
    expect(server.services.modelCache.keys(), 'v1 still serves PRODUCTION, so it stays loaded').toEqual(expect.arrayContaining([v1, v2]));
  });
});
