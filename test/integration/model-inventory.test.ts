import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

/** The model inventory: owner, risk tier, intended use, limitations, business line and regulations; who may set them; filters. */
let server: TestServer;
let scientist: string;
let approver: string;

const CREATE = `mutation($input: CreateModelInput!) { createModel(input: $input) { id owner riskTier intendedUse knownLimitations businessLine regulations } }`;
const base = (name: string) => ({ name, task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: ['a', 'b'], targetColumn: 'y' });
const as = (secret: string) => ({ authorization: `Bearer ${secret}` });
const modelCount = async () => Number((await server.services.db.dataSource.query('SELECT COUNT(*) AS n FROM model'))[0].n);

beforeAll(async () => {
  server = await startTestServer();
  scientist = await server.createKey('DATA_SCIENTIST', undefined, 'dana@bank.example');
  approver = await server.createKey('APPROVER', undefined, 'alex@bank.example');
});
afterAll(async () => {
  await server?.close();
});

describe('model inventory', () => {
  it('records the facts given at creation; the owner defaults to the creator and the tier to MEDIUM', async () => {
    const res = await server.request(CREATE, { input: { ...base('inv-scorecard'), intendedUse: 'Retail credit approval', knownLimitations: 'Not for SMEs', businessLine: 'Retail lending', regulations: ['ECOA', 'Reg B ', 'ECOA'] } }, as(scientist));
    expect(res.errors).toBeUndefined();
    expect(res.data.createModel).toMatchObject({ owner: 'dana@bank.example', riskTier: 'MEDIUM', intendedUse: 'Retail credit approval', knownLimitations: 'Not for SMEs', businessLine: 'Retail lending', regulations: ['ECOA', 'Reg B'] });
    const named = await server.request(CREATE, { input: { ...base('inv-named-owner'), owner: 'credit-risk-team' } }, as(scientist));
    expect(named.data.createModel.owner).toBe('credit-risk-team');
  });

  it('changes them with updateModel; omitted fields stay, null clears, the list is replaced', async () => {
    const { createModel } = await server.query(CREATE, { input: { ...base('inv-update'), businessLine: 'Treasury', regulations: ['IFRS-9'] } });
    const res = await server.request(`mutation($input: UpdateModelInput!) { updateModel(input: $input) { owner businessLine intendedUse regulations } }`,
      { input: { id: createModel.id, intendedUse: 'Provisioning', businessLine: null, regulations: ['CECL', 'IFRS-9'] } }, as(scientist));
    expect(res.errors).toBeUndefined();
    expect(res.data.updateModel).toMatchObject({ owner: createModel.owner, businessLine: null, intendedUse: 'Provisioning', regulations: ['CECL', 'IFRS-9'] });
  });

  it('refuses bad facts with BAD_USER_INPUT and writes nothing', async () => {
    const before = await modelCount();
    const cases: Record<string, unknown>[] = [
      { regulations: ['ok', '<script>'] },
      { regulations: Array.from({ length: 21 }, (_, i) => `R${i}`) },
      { intendedUse: 'x'.repeat(10_001) },
      { owner: '' },
      { businessLine: 'b'.repeat(201) },
    ];
    for (const [i, extra] of cases.entries()) {
      const res = await server.request(CREATE, { input: { ...base(`inv-bad-${i}`), ...extra } });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(extra).slice(0, 80)).toBe('BAD_USER_INPUT');
    }
    expect(await modelCount()).toBe(before);
  });

  it('lets only APPROVER and ADMIN set the risk tier, and audits it', async () => {
    const { createModel } = await server.query(CREATE, { input: base('inv-tier') });
    const viaUpdate = await server.request(`mutation($id: ID!) { updateModel(input: { id: $id, riskTier: HIGH }) { riskTier } }`, { id: createModel.id }, as(scientist));
    expect(viaUpdate.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const SET = `mutation($id: ID!) { setModelControls(input: { modelId: $id, riskTier: HIGH }) { riskTier } }`;
    expect((await server.request(SET, { id: createModel.id }, as(scientist))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const res = await server.request(SET, { id: createModel.id }, as(approver));
    expect(res.errors).toBeUndefined();
    expect(res.data.setModelControls.riskTier).toBe('HIGH');
    const { auditLog } = await server.query(`{ auditLog(first: 1, filter: { operation: "setModelControls", outcome: "ok" }) { edges { node { actorPrincipal arguments } } } }`);
    expect(auditLog.edges[0].node).toMatchObject({ actorPrincipal: 'alex@bank.example', arguments: { input: { modelId: createModel.id, riskTier: 'HIGH' } } });
  });

  it('filters the models list by tier, owner, business line and regulation', async () => {
    const make = async (name: string, extra: Record<string, unknown>) => (await server.query(CREATE, { input: { ...base(name), ...extra } })).createModel.id;
    const a = await make('inv-f-a', { owner: 'team-a', businessLine: 'Cards', regulations: ['ECOA'] });
    const b = await make('inv-f-b', { owner: 'team-b', businessLine: 'Cards', regulations: ['ECOA-X'] });
    await server.query(`mutation($id: ID!) { setModelControls(input: { modelId: $id, riskTier: LOW }) { id } }`, { id: b });
    const ids = async (filter: Record<string, unknown>) => (await server.query(`query($filter: ModelFilter) { models(first: 100, filter: $filter) { edges { node { id } } } }`, { filter }))
      .models.edges.map((e: any) => e.node.id).filter((id: string) => id === a || id === b).sort();
    expect(await ids({ businessLine: 'Cards' })).toEqual([a, b].sort());
    expect(await ids({ owner: 'team-a' })).toEqual([a]);
    expect(await ids({ riskTier: 'LOW' })).toEqual([b]);
    // An exact tag: ECOA is not ECOA-X.
    expect(await ids({ regulation: 'ECOA' })).toEqual([a]);
    expect(await ids({ regulation: 'ECOA-X', businessLine: 'Cards' })).toEqual([b]);
  });
});
