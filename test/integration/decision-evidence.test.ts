import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/modules/auth/audit-chain';
import { CREDIT_FEATURES, DEPLOY, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';

/**
 * The evidence pack of a decision: a prediction made under version 1 still shows version 1's
 * facts (deployment and approval, training, reports, validation) after version 2 went live, cites
 * the audit entries that record them, and downloads as sealed JSON and self-contained HTML.
 */
let server: TestServer;
let modelId: string;
let v1: string;
let v2: string;
let firstPrediction: string;
let validationBefore: string;
const auth = {} as Record<'scientist' | 'approver' | 'validator' | 'partner', string>;
const as = (who: keyof typeof auth) => ({ authorization: auth[who] });
const sample = creditRows().slice(0, 2).map(featuresOf);

const EVIDENCE = `query($id: ID!) { decisionEvidence(predictionId: $id) {
  asOf prediction { id environment outputs { value contributions { feature contribution } } }
  model { name riskTier } modelVersion { id version }
  deployment { id modelVersion { id } deployedBy } deploymentRequest { id status requestedBy decidedBy }
  trainingRun { id seed backend libraryVersions datasetVersion { id } }
  evaluations { id metrics { auc } } robustnessReports { id } backtests { id }
  challengerReport { challenger { mode modelVersion { id } } liveRows }
  validations { id state conclusion } validationFindings { id status }
  openAlerts { id } auditEntries { sequence operation hash arguments } auditDigest } }`;

async function deployToProduction(versionId: string): Promise<void> {
  const requested = await server.request(DEPLOY, { input: { modelVersionId: versionId, environment: 'PRODUCTION', reason: 'evidence test' } }, as('scientist'));
  expect(requested.errors).toBeUndefined();
  const approved = await server.request('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id, comment: "ok" }) { status } }', { id: requested.data.deployModelVersion.id }, as('approver'));
  expect(approved.data.approveDeploymentRequest.status).toBe('APPROVED');
}

async function predictOne(): Promise<{ id: string; version: string }> {
  const res = await server.request(`mutation($input: PredictInput!) { predict(input: $input) { modelVersion { id } predictions { id } } }`,
    { input: { model: 'credit-evidence', environment: 'PRODUCTION', rows: sample.slice(0, 1), explain: true } });
  expect(res.errors).toBeUndefined();
  return { id: res.data.predict.predictions[0].id, version: res.data.predict.modelVersion.id };
}

async function validate(versionId: string, statement: string): Promise<string> {
  const { data } = await server.request(`mutation($input: OpenValidationInput!) { openValidation(input: $input) { id } }`, { input: { modelVersionId: versionId, scope: 'pre-production review' } }, as('validator'));
  await server.request(`mutation($input: ConcludeValidationInput!) { concludeValidation(input: $input) { id } }`, { input: { validationId: data.openValidation.id, conclusion: 'APPROVED', statement } }, as('validator'));
  return data.openValidation.id;
}

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2' } });
  auth.scientist = `Bearer ${await server.createKey('DATA_SCIENTIST', undefined, 'sam@bank.example')}`;
  auth.approver = `Bearer ${await server.createKey('APPROVER', undefined, 'ann@bank.example')}`;
  auth.validator = `Bearer ${await server.createKey('VALIDATOR', undefined, 'val@bank.example')}`;
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-evidence-data', csv: creditCsv() } });
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-evidence', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', intendedUse: 'Retail credit approval' },
  }));
  auth.partner = `Bearer ${await server.createKey('PARTNER', [modelId])}`;
  [v1, v2] = await Promise.all([trainVersion(server, modelId, createDataset.id, 1, auth.scientist), trainVersion(server, modelId, createDataset.id, 2, auth.scientist)]);
  validationBefore = await validate(v1, 'Fit for use.');
  await deployToProduction(v1);
  // v2 scores beside v1 in shadow when the decision is made; ended before v2 goes live.
  const shadow = await server.request(DEPLOY, { input: { modelVersionId: v2, environment: 'PRODUCTION', mode: 'SHADOW' } }, as('scientist'));
  expect(shadow.errors).toBeUndefined();
  const first = await predictOne();
  expect(first.version).toBe(v1);
  firstPrediction = first.id;
  // Later facts: a second validation of v1, and v2 put live and serving.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await server.query('mutation($m: ID!) { endChallenger(input: { modelId: $m, environment: PRODUCTION }) { endReason } }', { m: modelId });
  await validate(v1, 'Revalidated later.');
  await deployToProduction(v2);
  expect((await predictOne()).version).toBe(v2);
}, 180_000);
afterAll(() => server?.close());

describe('decisionEvidence', () => {
  it('shows the version that decided and the facts known then, after another version went live', async () => {
    const { decisionEvidence: pack } = await server.query(EVIDENCE, { id: firstPrediction });
    expect(pack.prediction).toMatchObject({ id: firstPrediction, environment: 'PRODUCTION' });
    expect(pack.prediction.outputs.contributions.length).toBeGreaterThan(0);
    expect(pack.modelVersion).toEqual({ id: v1, version: expect.any(Number) });
    expect(pack.deployment.modelVersion.id).toBe(v1);
    expect(pack.deploymentRequest).toMatchObject({ status: 'APPROVED', requestedBy: expect.stringMatching(/^data_scientist-/), decidedBy: expect.stringMatching(/^approver-/) });
    expect(pack.trainingRun).toMatchObject({ seed: 1, backend: expect.any(String) });
    expect(pack.trainingRun.datasetVersion.id).toMatch(/^dsv_/);
    expect(pack.evaluations.length).toBeGreaterThan(0);
    // The shadow beside it then, over the rows up to the decision.
    expect(pack.challengerReport).toMatchObject({ challenger: { mode: 'SHADOW', modelVersion: { id: v2 } } });
    expect(pack.challengerReport.liveRows).toBeGreaterThanOrEqual(1);
    // Only the validation concluded before the decision; the later one was not known.
    expect(pack.validations).toEqual([{ id: validationBefore, state: 'CONCLUDED', conclusion: 'APPROVED' }]);
    expect(new Date(pack.asOf).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('cites the audit entries of the deploy, its approval and the validation, with a digest that recomputes', async () => {
    const { decisionEvidence: pack } = await server.query(EVIDENCE, { id: firstPrediction });
    const operations = pack.auditEntries.map((e: any) => e.operation);
    expect(operations).toEqual(expect.arrayContaining(['deployModelVersion', 'approveDeploymentRequest', 'openValidation', 'concludeValidation']));
    // Nothing about v2's deploy, and nothing written after the decision.
    expect(JSON.stringify(pack.auditEntries)).not.toContain(v2);
    expect(pack.auditEntries.filter((e: any) => e.operation === 'concludeValidation')).toHaveLength(1);
    const sequences = pack.auditEntries.map((e: any) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(pack.auditDigest).toBe(createHash('sha256').update(pack.auditEntries.map((e: any) => e.hash).join('\n')).digest('hex'));
    expect((await server.query('{ verifyAuditLog { ok } }')).verifyAuditLog.ok).toBe(true);
  });

  it('answers NOT_FOUND for an unknown prediction, and refuses partners', async () => {
    for (const id of ['pred_01JZZZZZZZZZZZZZZZZZZZZZZZ', 'nonsense', 'x'.repeat(300)]) {
      expect((await server.request(EVIDENCE, { id })).errors?.[0]?.extensions?.code, id.slice(0, 20)).toBe('NOT_FOUND');
    }
    expect((await server.request(EVIDENCE, { id: firstPrediction }, as('partner'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('evidence downloads', () => {
  const base = () => server.url.replace(/\/graphql$/, '');
  const download = (file: string, who?: keyof typeof auth) => fetch(`${base()}/exports/evidence/${file}`, { headers: { authorization: who ? auth[who] : server.adminAuth } });

  it('downloads sealed JSON whose SHA-256 recomputes and breaks when a byte changes', async () => {
    const res = await download(`${firstPrediction}.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const document = await res.json();
    expect(document.format).toBe('aimass-decision-evidence/1');
    expect(document.evidence.modelVersion.id).toBe(v1);
    const seal = (evidence: unknown) => createHash('sha256').update(canonicalJson(evidence)).digest('hex');
    expect(seal(document.evidence)).toBe(document.evidenceSha256);
    document.evidence.prediction.outputs.value += 0.01;
    expect(seal(document.evidence)).not.toBe(document.evidenceSha256);
  });

  it('downloads one HTML page with nothing to fetch, and audits the download', async () => {
    const res = await download(`${firstPrediction}.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(firstPrediction);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/\b(src|href)\s*=|<script|@import|url\(/i);
    // The audit entry is written once the body has gone out: wait for it.
    const entries = await until(async () => (await server.query('{ auditLog(first: 10, filter: { operation: "exportDecisionEvidence" }) { edges { node { outcome arguments } } } }')).auditLog.edges.map((e: any) => e.node),
      (nodes: any[]) => nodes.some((node) => node.arguments.format === 'html'));
    expect(entries.find((node: any) => node.arguments.format === 'html')).toMatchObject({ outcome: 'OK', arguments: { predictionId: firstPrediction, format: 'html' } });
  });

  it('refuses a bad file name, an unknown prediction and a partner', async () => {
    expect((await download('evil.exe')).status).toBe(400);
    expect((await download('pred_01JZZZZZZZZZZZZZZZZZZZZZZZ.json')).status).toBe(404);
    expect((await download(`${firstPrediction}.json`, 'partner')).status).toBe(403);
  });
});
