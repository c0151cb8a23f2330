import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, DEPLOY, creditCsv, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Independent validation (issue 20): the workflow with findings and an attested conclusion, the
 * independence rule by principal, each model's standing and its expiry, and the PRODUCTION
 * condition for HIGH-tier models (deploy, approval, and a change of tier).
 */
let server: TestServer;
let modelId: string;
let datasetId: string;
let v1: string;
let v2: string;
const auth = {} as Record<'scientist' | 'scientistValidator' | 'validator' | 'validator2' | 'approver', string>;
const as = (who: keyof typeof auth) => ({ authorization: auth[who] });
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const count = async (table: string) => Number((await server.services.db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

const OPEN = `mutation($input: OpenValidationInput!) { openValidation(input: $input) { id state openedBy scope modelVersion { id } } }`;
const FINDING = `mutation($input: AddValidationFindingInput!) { addValidationFinding(input: $input) { id severity status owner dueAt recordedBy validation { id } } }`;
const RESOLVE = `mutation($input: ResolveValidationFindingInput!) { resolveValidationFinding(input: $input) { id status resolutionNote } }`;
const CONCLUDE = `mutation($input: ConcludeValidationInput!) { concludeValidation(input: $input) { id state conclusion statement concludedBy concludedAt findings { id status } } }`;
const STANDING = `query($id: ID) { model(id: $id) { riskTier validationStatus nextRevalidationDue } }`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

async function validate(versionId: string, conclusion = 'APPROVED', who: keyof typeof auth = 'validator'): Promise<string> {
  const opened = await server.request(OPEN, { input: { modelVersionId: versionId, scope: 'data, methodology, outcomes' } }, as(who));
  expect(opened.errors).toBeUndefined();
  const concluded = await server.request(CONCLUDE, { input: { validationId: opened.data.openValidation.id, conclusion, statement: 'I attest this review.' } }, as(who));
  expect(concluded.errors).toBeUndefined();
  return opened.data.openValidation.id;
}

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2' } });
  auth.scientist = `Bearer ${await server.createKey('DATA_SCIENTIST', undefined, 'sam@bank.example')}`;
  // The same person with a validator key: independence is by person, not by key.
  auth.scientistValidator = `Bearer ${await server.createKey('VALIDATOR', undefined, 'sam@bank.example')}`;
  auth.validator = `Bearer ${await server.createKey('VALIDATOR', undefined, 'val@bank.example')}`;
  auth.validator2 = `Bearer ${await server.createKey('VALIDATOR', undefined, 'vera@bank.example')}`;
  auth.approver = `Bearer ${await server.createKey('APPROVER', undefined, 'ann@bank.example')}`;
  ({ createDataset: { id: datasetId } } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-validation', csv: creditCsv() } }));
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-validated', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  }));
  [v1, v2] = await Promise.all([trainVersion(server, modelId, datasetId, 1, auth.scientist), trainVersion(server, modelId, datasetId, 2, auth.scientist)]);
}, 120_000);
afterAll(() => server?.close());

describe('the validation workflow', () => {
  it('records findings, refuses APPROVED while a HIGH one is open, and concludes with an attestation', async () => {
    expect((await server.query(STANDING, { id: modelId })).model).toMatchObject({ validationStatus: 'NOT_VALIDATED', nextRevalidationDue: null });
    // ADMIN may validate too: it trained nothing here.
    const { openValidation: validation } = await server.query(OPEN, { input: { modelVersionId: v1, scope: 'full review' } });
    expect(validation).toMatchObject({ state: 'OPEN', openedBy: 'bootstrap-admin', modelVersion: { id: v1 } });
    const add = (severity: string, who: keyof typeof auth = 'validator') => server.request(FINDING, { input: { validationId: validation.id, severity, description: `${severity} finding`, owner: 'sam@bank.example', dueAt: inDays(30) } }, as(who));
    const high = await add('HIGH');
    expect(high.errors).toBeUndefined();
    expect(high.data.addValidationFinding).toMatchObject({ severity: 'HIGH', status: 'OPEN', owner: 'sam@bank.example', recordedBy: 'val@bank.example', validation: { id: validation.id } });
    const low = (await add('LOW', 'validator2')).data.addValidationFinding;

    const blocked = await server.request(CONCLUDE, { input: { validationId: validation.id, conclusion: 'APPROVED', statement: 'fine' } }, as('validator'));
    expect(codeOf(blocked)).toBe('CONFLICT');
    expect(blocked.errors![0].message).toContain(high.data.addValidationFinding.id);

    const resolved = await server.request(RESOLVE, { input: { findingId: high.data.addValidationFinding.id, status: 'REMEDIATED', note: 'fixed in feature set' } }, as('validator'));
    expect(resolved.data.resolveValidationFinding).toMatchObject({ status: 'REMEDIATED', resolutionNote: 'fixed in feature set' });
    const concluded = await server.request(CONCLUDE, { input: { validationId: validation.id, conclusion: 'APPROVED', statement: 'Fit for retail credit decisions.' } }, as('validator'));
    expect(concluded.errors).toBeUndefined();
    const attested = concluded.data.concludeValidation;
    expect(attested).toMatchObject({ state: 'CONCLUDED', conclusion: 'APPROVED', statement: 'Fit for retail credit decisions.', concludedBy: 'val@bank.example' });
    expect(attested.findings.map((f: any) => f.status)).toEqual(['REMEDIATED', 'OPEN']);

    // MEDIUM tier: 24 months; the LOW finding is still open.
    const standing = (await server.query(STANDING, { id: modelId })).model;
    expect(standing.validationStatus).toBe('VALIDATED_WITH_FINDINGS');
    const due = new Date(attested.concludedAt);
    due.setUTCMonth(due.getUTCMonth() + 24);
    expect(standing.nextRevalidationDue).toBe(due.toISOString());
    await server.query(RESOLVE, { input: { findingId: low.id, status: 'ACCEPTED', note: 'immaterial' } });
    expect((await server.query(STANDING, { id: modelId })).model.validationStatus).toBe('VALIDATED');

    const { auditLog } = await server.query(`{ auditLog(first: 10, filter: { operation: "concludeValidation" }) { edges { node { outcome actorPrincipal } } } }`);
    expect(auditLog.edges.map((e: any) => e.node)).toEqual([{ outcome: 'ok', actorPrincipal: 'val@bank.example' }, { outcome: 'CONFLICT', actorPrincipal: 'val@bank.example' }]);
  });

  it('forbids validating a version one trained, with any of one\'s keys', async () => {
    const res = await server.request(OPEN, { input: { modelVersionId: v2, scope: 'x' } }, as('scientistValidator'));
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toMatch(/independence: "sam@bank.example" trained this version/);
  });

  it('refuses bad input with clear codes and writes nothing', async () => {
    const { openValidation } = await server.query(OPEN, { input: { modelVersionId: v2, scope: 'partial' } });
    const before = [await count('validation'), await count('validation_finding')];
    const cases: [string, Record<string, unknown>, string][] = [
      [OPEN, { modelVersionId: 'mv_01JZZZZZZZZZZZZZZZZZZZZZZZ', scope: 'x' }, 'NOT_FOUND'],
      [OPEN, { modelVersionId: v2, scope: 'again' }, 'CONFLICT'],
      [OPEN, { modelVersionId: v2, scope: '' }, 'BAD_USER_INPUT'],
      [FINDING, { validationId: openValidation.id, severity: 'LOW', description: 'late', owner: 'x', dueAt: inDays(-1) }, 'BAD_USER_INPUT'],
      [FINDING, { validationId: openValidation.id, severity: 'LOW', description: 'x'.repeat(10_001), owner: 'x', dueAt: inDays(1) }, 'BAD_USER_INPUT'],
      [FINDING, { validationId: 'val_01JZZZZZZZZZZZZZZZZZZZZZZZ', severity: 'LOW', description: 'x', owner: 'x', dueAt: inDays(1) }, 'NOT_FOUND'],
      [RESOLVE, { findingId: 'vfd_01JZZZZZZZZZZZZZZZZZZZZZZZ', status: 'OPEN', note: 'x' }, 'BAD_USER_INPUT'],
    ];
    for (const [query, input, code] of cases) expect(codeOf(await server.request(query, { input }, as('validator'))), JSON.stringify(input).slice(0, 80)).toBe(code);
    expect([await count('validation'), await count('validation_finding')]).toEqual(before);
    await server.query(CONCLUDE, { input: { validationId: openValidation.id, conclusion: 'REJECTED', statement: 'unstable' } });
    expect(codeOf(await server.request(CONCLUDE, { input: { validationId: openValidation.id, conclusion: 'APPROVED', statement: 'changed my mind' } }, as('validator')))).toBe('CONFLICT');
    expect(codeOf(await server.request(OPEN, { input: { modelVersionId: v2, scope: 'x' } }, as('scientist')))).toBe('FORBIDDEN');
  });
});

describe('HIGH-tier models in PRODUCTION', () => {
  it('blocks a deploy without a current validation of that version, then allows it once validated', async () => {
    await server.query(`mutation($id: ID!) { setModelControls(input: { modelId: $id, riskTier: HIGH }) { riskTier } }`, { id: modelId });
    // v1 has an approval, v2 only a REJECTED validation.
    const refused = await server.request(DEPLOY, { input: { modelVersionId: v2, environment: 'PRODUCTION', reason: 'try' } }, as('scientist'));
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toMatch(/HIGH risk tier: PRODUCTION needs a concluded, non-rejected validation of version/);
    expect(refused.errors![0].extensions).toMatchObject({ missing: 'validation', modelVersionId: v2 });
    const request = await server.request(DEPLOY, { input: { modelVersionId: v1, environment: 'PRODUCTION', reason: 'validated' } }, as('scientist'));
    expect(request.errors).toBeUndefined();
    expect(request.data.deployModelVersion).toMatchObject({ __typename: 'DeploymentRequest', status: 'PENDING' });
    const approved = await server.request('mutation($id: ID!) { approveDeploymentRequest(input: { id: $id }) { status } }', { id: request.data.deployModelVersion.id }, as('approver'));
    expect(approved.data.approveDeploymentRequest.status).toBe('APPROVED');
    // The approver took part in putting v1 live: they may not validate it now.
    const after = await server.request(OPEN, { input: { modelVersionId: v1, scope: 'revalidation' } }, as('approver'));
    expect(codeOf(after)).toBe('FORBIDDEN');
  });

  it('expires an approval after the tier\'s period: the standing turns EXPIRED and the model cannot be made HIGH again until it is current', async () => {
    const [{ id }] = await server.services.db.dataSource.query("SELECT id FROM validation WHERE model_version_id = ? AND conclusion = 'APPROVED'", [v1]);
    const [{ concluded_at: concludedAt }] = await server.services.db.dataSource.query('SELECT concluded_at FROM validation WHERE id = ?', [id]);
    const old = new Date(Date.now() - 13 * 30 * 86_400_000);
    await server.services.db.dataSource.query('UPDATE validation SET concluded_at = ? WHERE id = ?', [server.services.db.sqlDate(old), id]);
    try {
      expect((await server.query(STANDING, { id: modelId })).model.validationStatus).toBe('EXPIRED');
      // Lowering the tier is always allowed; raising it back needs the live version's approval to be current.
      const tier = await server.request(`mutation($id: ID!) { setModelControls(input: { modelId: $id, riskTier: MEDIUM }) { riskTier } }`, { id: modelId }, as('approver'));
      expect(tier.data.setModelControls.riskTier).toBe('MEDIUM');
      const back = await server.request(`mutation($id: ID!) { setModelControls(input: { modelId: $id, riskTier: HIGH }) { riskTier } }`, { id: modelId }, as('approver'));
      expect(codeOf(back)).toBe('CONFLICT');
      expect(back.errors![0].message).toMatch(/cannot make "credit-validated" HIGH risk tier: version \d+ is live in PRODUCTION without a concluded, non-rejected validation/);
      expect((await server.query(STANDING, { id: modelId })).model.riskTier).toBe('MEDIUM');
    } finally {
      await server.services.db.dataSource.query('UPDATE validation SET concluded_at = ? WHERE id = ?', [concludedAt, id]);
    }
    // With the approval current again, the tier change goes through.
    const back = await server.request(`mutation($id: ID!) { setModelControls(input: { modelId: $id, riskTier: HIGH }) { riskTier } }`, { id: modelId }, as('approver'));
    expect(back.errors).toBeUndefined();
  });
});

describe('the model inventory', () => {
  const INVENTORY = `query($filter: ModelInventoryFilter, $first: Int, $after: String) { modelInventory(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name validationStatus } } } }`;
  const names = async (filter: Record<string, unknown>) => (await server.query(INVENTORY, { filter, first: 100 })).modelInventory.edges.map((e: any) => e.node.name);

  it('filters by standing and overdue, and pages', async () => {
    await server.query('mutation { createModel(input: { name: "inventory-unvalidated", task: REGRESSION, architecture: LINEAR_REGRESSION, featureColumns: ["AGE"], targetColumn: "AMOUNT", owner: "risk-team" }) { id } }');
    expect(await names({ status: 'VALIDATED' })).toContain('credit-validated');
    expect(await names({ status: 'VALIDATED' })).not.toContain('inventory-unvalidated');
    expect(await names({ status: 'NOT_VALIDATED', owner: 'risk-team' })).toEqual(['inventory-unvalidated']);
    expect(await names({ overdue: true })).toEqual([]);
    const [{ id }] = await server.services.db.dataSource.query("SELECT id FROM validation WHERE model_version_id = ? AND conclusion = 'APPROVED' ORDER BY concluded_at DESC LIMIT 1", [v1]);
    const [{ concluded_at: concludedAt }] = await server.services.db.dataSource.query('SELECT concluded_at FROM validation WHERE id = ?', [id]);
    await server.services.db.dataSource.query('UPDATE validation SET concluded_at = ? WHERE id = ?', [server.services.db.sqlDate(new Date(Date.now() - 40 * 31 * 86_400_000)), id]);
    try {
      expect(await names({ overdue: true })).toEqual(['credit-validated']);
      expect(await names({ status: 'EXPIRED', riskTier: 'HIGH' })).toEqual(['credit-validated']);
    } finally {
      await server.services.db.dataSource.query('UPDATE validation SET concluded_at = ? WHERE id = ?', [concludedAt, id]);
    }
    // Pages of one, in name order, without repeats.
    const all = await names({});
    const paged: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < all.length + 1; i++) {
      const { modelInventory: page }: any = await server.query(INVENTORY, { filter: {}, first: 1, after });
      paged.push(...page.edges.map((e: any) => e.node.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
  });

  it('exports the inventory as CSV with the same filters, and refuses a bad one', async () => {
    const base = server.url.replace(/\/graphql$/, '');
    const res = await fetch(`${base}/exports/model-inventory.csv?owner=risk-team&status=NOT_VALIDATED`, { headers: { authorization: server.adminAuth } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('id,name,owner,riskTier,businessLine,regulations,intendedUse,knownLimitations,validationStatus,nextRevalidationDue,lateFindings,overdue,archived');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/,inventory-unvalidated,risk-team,MEDIUM,.*,NOT_VALIDATED,,0,false,false$/);
    const bad = await fetch(`${base}/exports/model-inventory.csv?status=GREAT`, { headers: { authorization: server.adminAuth } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
  });
});
