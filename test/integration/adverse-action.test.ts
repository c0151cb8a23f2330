import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';

/**
 * Adverse-action reasons on GermanCredit (RESPONSE 1 = good credit, so the score is the
 * probability of good credit): a decline below the environment's threshold gets the mapped
 * features that lowered its score most, checked against the contributions returned beside them.
 */
let server: TestServer;
let approver: string;
const sample = creditRows().slice(0, 200).map(featuresOf);
const REASONS = CREDIT_FEATURES.map((feature, i) => ({ feature, code: `R${String(i + 1).padStart(2, '0')}`, text: `Reason about ${feature.toLowerCase()}` }));
const SET = `mutation($input: SetDecisionPolicyInput!) { setDecisionPolicy(input: $input) { thresholds { environment threshold } reasons { feature code } updatedBy } }`;
const PREDICT = `mutation($input: PredictInput!) { predict(input: $input) { predictions { id value decision adverseActionReasons { code text feature contribution } contributions { feature contribution } } } }`;
const codeOf = (res: { errors?: { extensions?: { code?: string; field?: unknown } }[] }) => res.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  server = await startTestServer();
  approver = `Bearer ${await server.createKey('APPROVER', undefined, 'ann@bank.example')}`;
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'german-credit', csv: creditCsv() } });
  const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-decisions', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  });
  const { createModel: unpolicied } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-no-policy', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  });
  const versions = await Promise.all([trainVersion(server, createModel.id, createDataset.id, 7), trainVersion(server, unpolicied.id, createDataset.id, 8)]);
  for (const v of versions) await server.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v });
  await server.query('mutation { createModel(input: { name: "amount-regression", task: REGRESSION, architecture: LINEAR_REGRESSION, featureColumns: ["AGE"], targetColumn: "AMOUNT" }) { id } }');
}, 120_000);
afterAll(() => server?.close());

describe('decision policy', () => {
  it('is set by an APPROVER, audited, and refuses what it cannot apply', async () => {
    const res = await server.request(SET, { input: { modelId: 'credit-decisions', thresholds: [{ environment: 'TEST', threshold: 0.7 }], reasons: REASONS } }, { authorization: approver });
    expect(res.errors).toBeUndefined();
    expect(res.data.setDecisionPolicy).toMatchObject({ thresholds: [{ environment: 'TEST', threshold: 0.7 }], updatedBy: 'ann@bank.example' });
    const bad: [Record<string, unknown>, string][] = [
      [{ modelId: 'credit-decisions', reasons: [{ feature: 'SALARY', code: 'R99', text: 'x' }] }, 'input.reasons[0].feature'],
      [{ modelId: 'credit-decisions', reasons: [REASONS[0], { ...REASONS[0], code: 'R98' }] }, 'input.reasons[1].feature'],
      [{ modelId: 'credit-decisions', reasons: [{ ...REASONS[0], code: 'R 1' }] }, 'input.reasons[0].code'],
      [{ modelId: 'credit-decisions', thresholds: [{ environment: 'TEST', threshold: 1.5 }], reasons: [] }, 'input.thresholds[0].threshold'],
      [{ modelId: 'credit-decisions', thresholds: [{ environment: 'TEST', threshold: 0.5 }, { environment: 'TEST', threshold: 0.6 }], reasons: [] }, 'input.thresholds[1].environment'],
      [{ modelId: 'amount-regression', reasons: [] }, 'input.modelId'],
    ];
    for (const [input, field] of bad) {
      const refused = await server.request(SET, { input });
      expect(codeOf(refused), field).toBe('BAD_USER_INPUT');
      expect(refused.errors![0].extensions!.field, field).toBe(field);
    }
    // Nothing above replaced the policy.
    const { model } = await server.query('{ model(name: "credit-decisions") { decisionPolicy { thresholds { threshold } reasons { code } } } }');
    expect(model.decisionPolicy).toMatchObject({ thresholds: [{ threshold: 0.7 }] });
    expect(model.decisionPolicy.reasons).toHaveLength(REASONS.length);
    const scientist = `Bearer ${await server.createKey('DATA_SCIENTIST')}`;
    expect(codeOf(await server.request(SET, { input: { modelId: 'credit-decisions', reasons: [] } }, { authorization: scientist }))).toBe('FORBIDDEN');
  });
});

describe('predict with adverseActionReasons', () => {
  it('declines below the threshold with the top mapped reasons, most negative first', async () => {
    const res = await server.request(PREDICT, { input: { model: 'credit-decisions', environment: 'TEST', rows: sample, adverseActionReasons: 4 } });
    expect(res.errors).toBeUndefined();
    const predictions = res.data.predict.predictions;
    const declined = predictions.filter((p: any) => p.decision === 'DECLINE');
    expect(declined.length).toBeGreaterThan(0);
    expect(predictions.some((p: any) => p.decision === 'APPROVE')).toBe(true);
    for (const p of predictions) {
      expect(p.decision).toBe(p.value < 0.7 ? 'DECLINE' : 'APPROVE');
      if (p.decision === 'APPROVE') {
        expect(p.adverseActionReasons).toBeNull();
        continue;
      }
      // Independently: the features with negative contributions, most negative first, the first four.
      const expected = p.contributions.filter((c: any) => c.contribution < 0).sort((a: any, b: any) => a.contribution - b.contribution).slice(0, 4);
      expect(p.adverseActionReasons.map((r: any) => r.feature)).toEqual(expected.map((c: any) => c.feature));
      for (const reason of p.adverseActionReasons) {
        const mapped = REASONS.find((r) => r.feature === reason.feature)!;
        expect(reason).toMatchObject({ code: mapped.code, text: mapped.text });
        expect(reason.contribution).toBeLessThan(0);
      }
    }
  });

  it('keeps the decision and the reasons in the prediction log', async () => {
    const res = await server.query(PREDICT, { input: { model: 'credit-decisions', environment: 'TEST', rows: sample.slice(0, 20), adverseActionReasons: 2 } });
    const declined = res.predict.predictions.find((p: any) => p.decision === 'DECLINE');
    expect(declined, 'a decline among 20 rows at threshold 0.7').toBeDefined();
    // TEST logs asynchronously: wait for the row.
    const logged = await until(() => server.request('query($id: ID!) { node(id: $id) { ... on Prediction { outputs { decision adverseActionReasons { code } } } } }', { id: declined.id }), (r) => r.data?.node != null, 10_000);
    expect(logged.data.node.outputs).toEqual({ decision: 'DECLINE', adverseActionReasons: declined.adverseActionReasons.map((r: any) => ({ code: r.code })) });
  });

  it('gives the decision alone with 0, and refuses what it cannot do', async () => {
    const alone = await server.query(PREDICT, { input: { model: 'credit-decisions', environment: 'TEST', rows: sample.slice(0, 5), adverseActionReasons: 0 } });
    for (const p of alone.predict.predictions) {
      expect(['APPROVE', 'DECLINE']).toContain(p.decision);
      expect(p.adverseActionReasons === null || p.adverseActionReasons.length === 0).toBe(true);
    }
    expect(codeOf(await server.request(PREDICT, { input: { model: 'credit-decisions', environment: 'TEST', rows: sample.slice(0, 1), adverseActionReasons: 11 } }))).toBe('BAD_USER_INPUT');
    // A deployed binary model without a policy: refused before anything is scored or logged.
    const logged = async () => Number((await server.services.db.dataSource.query("SELECT COUNT(*) AS n FROM prediction p JOIN model m ON m.id = p.model_id WHERE m.name = 'credit-no-policy'"))[0].n);
    const before = await logged();
    const refused = await server.request(PREDICT, { input: { model: 'credit-no-policy', environment: 'TEST', rows: sample.slice(0, 1), adverseActionReasons: 1 } });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].message).toMatch(/no decision policy: set one with setDecisionPolicy first/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await logged()).toBe(before);
    // Without adverseActionReasons nothing changes: no decision.
    const plain = await server.query(PREDICT, { input: { model: 'credit-no-policy', environment: 'TEST', rows: sample.slice(0, 1) } });
    expect(plain.predict.predictions[0]).toMatchObject({ decision: null, adverseActionReasons: null, contributions: null });
  });
});
