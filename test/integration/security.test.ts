import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Architecture, ModelTask } from '../../src/modules/models/model-enums';
import { startTestServer, type TestServer } from '../support/test-server';
import { wsClient, wsRequest, wsSubscribeOutcome } from '../support/ws-client';

let server: TestServer;
let viewer: string;
let partner: string;
let scopedModelId: string;
let otherModelId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { WS_CONNECTION_INIT_TIMEOUT_MS: '400', MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', RATE_LIMIT_VIEWER: '50/100' } });
  const make = (name: string) => server.services.models.create({ name, task: ModelTask.REGRESSION, architecture: Architecture.MLP, featureColumns: ['x'], targetColumn: 'y' });
  scopedModelId = (await make('partner-model')).id;
  otherModelId = (await make('internal-model')).id;
  await server.services.modelVersions.create({ modelId: otherModelId });
  await server.services.datasets.create({ name: 'secret-rows', csv: 'x,y\n1,2\n', kind: 'STATIC' as never });
  viewer = `Bearer ${await server.createKey('VIEWER')}`;
  partner = `Bearer ${await server.createKey('PARTNER', ['partner-model'])}`;
});
afterAll(() => server?.close());

describe('keys', () => {
  it('refuses a malformed, unknown or revoked key with 401 UNAUTHENTICATED, and no key with UNAUTHENTICATED', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer aim_nope_short', `Bearer aim_abcdefghijkl_${'x'.repeat(43)}`]) {
      const res = await server.request('{ models { totalCount } }', {}, { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    const none = await server.request('{ models { totalCount } }', {}, { authorization: '' });
    expect(none.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(none.data?.models ?? null).toBeNull();

    const secret = await server.createKey('VIEWER');
    expect((await server.request('{ viewer { role } }', {}, { authorization: `Bearer ${secret}` })).data.viewer.role).toBe('VIEWER');
    const { apiKeys } = await server.query('{ apiKeys(first: 100) { edges { node { id prefix } } } }');
    const key = apiKeys.edges.map((e: any) => e.node).find((k: any) => secret.startsWith(`aim_${k.prefix}_`));
    await server.query('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.id });
    const revoked = await server.request('{ viewer { role } }', {}, { authorization: `Bearer ${secret}` });
    expect(revoked.status).toBe(401);
    expect(revoked.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('gives a key the principal of the key that made it unless one is named, and records the principal in the audit log', async () => {
    const res = await server.request('mutation { createApiKey(input: { name: "my-approver", role: APPROVER }) { apiKey { principal } secret } }');
    expect(res.data.createApiKey.apiKey.principal).toBe('bootstrap-admin');
    const mine = `Bearer ${res.data.createApiKey.secret}`;
    expect((await server.request('{ viewer { principal role } }', {}, { authorization: mine })).data.viewer).toEqual({ principal: 'bootstrap-admin', role: 'APPROVER' });
    const named = await server.query('mutation { createApiKey(input: { name: "carol-approver", role: APPROVER, principal: "carol" }) { apiKey { principal } } }');
    expect(named.createApiKey.apiKey.principal).toBe('carol');
    const { auditLog } = await server.query('{ auditLog(first: 1, filter: { operation: "createApiKey" }) { edges { node { actorName actorPrincipal } } } }');
    expect(auditLog.edges[0].node).toEqual({ actorName: 'bootstrap-admin', actorPrincipal: 'bootstrap-admin' });
  });

  it('stores only a hash of each key', async () => {
    const secret = await server.createKey('VIEWER');
    const rows = await server.services.db.dataSource.query('SELECT * FROM api_key');
    // The secret part may itself contain '_' (base64url), so cut by position, not by splitting.
    const secretPart = /^aim_[a-z0-9]{12}_(.{43})$/.exec(secret)![1];
    expect(JSON.stringify(rows)).not.toContain(secretPart);
  });

  it('refuses a bad key on a WebSocket by closing it with 4403', async () => {
    const client = wsClient(server.wsUrl, 'Bearer aim_abcdefghijkl_' + 'y'.repeat(43));
    const outcome = await wsSubscribeOutcome(client, '{ viewer { role } }');
    expect(outcome.closeCode).toBe(4403);
    await client.dispose();
  });

  it('closes a WebSocket that never sends connection_init (4408)', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4408);
  });

  it('needs a key on a WebSocket too: one without is closed at connection_init (4403)', async () => {
    const client = wsClient(server.wsUrl);
    const outcome = await wsSubscribeOutcome(client, '{ models { totalCount } }');
    expect(outcome.closeCode).toBe(4403);
    await client.dispose();
  });
});

describe('partner scope', () => {
  it('lets a partner read its own model but not another, nor whether one exists', async () => {
    const own = await server.request('query($id: ID) { model(id: $id) { name versions { totalCount } } }', { id: scopedModelId }, { authorization: partner });
    expect(own.errors).toBeUndefined();
    expect(own.data.model.name).toBe('partner-model');
    for (const variables of [{ id: otherModelId }, { name: 'internal-model' }, { name: 'no-such-model' }, { id: 'mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ' }]) {
      const res = await server.request('query($id: ID, $name: String) { model(id: $id, name: $name) { name } }', variables, { authorization: partner });
      expect(res.errors?.[0].extensions?.code, JSON.stringify(variables)).toBe('FORBIDDEN');
      expect(res.data?.model ?? null).toBeNull();
    }
    const { models } = await server.query('{ models(first: 1, filter: { nameContains: "internal" }) { edges { node { versions(first: 1) { edges { node { id } } } } } } }', {});
    const otherVersion = models.edges[0].node.versions.edges[0].node.id;
    const version = await server.request('query($id: ID!) { modelVersion(id: $id) { version } }', { id: otherVersion }, { authorization: partner });
    expect(version.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps training data away from a partner even through its own model', async () => {
    const v = await server.services.modelVersions.create({ modelId: scopedModelId, datasetVersionId: (await server.services.db.dataSource.query('SELECT id FROM dataset_version'))[0].id });
    const res = await server.request('query($id: ID!) { modelVersion(id: $id) { version datasetVersion { rows { totalCount } } } }', { id: v.id }, { authorization: partner });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(res.data?.modelVersion?.datasetVersion ?? null).toBeNull();
  });
});

describe('field-level visibility for partners', () => {
  it('hides who deployed, why and who approved, through its own model, while a VIEWER sees them', async () => {
    const query = 'query($id: ID) { model(id: $id) { name deployments { deployedBy reason request { requestedBy decidedBy decisionComment } } } }';
    const asPartner = await server.request(query, { id: scopedModelId }, { authorization: partner });
    expect(asPartner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(asPartner.errors?.[0].path).toEqual(['model', 'deployments']);
    expect(JSON.stringify(asPartner.data)).not.toMatch(/deployedBy|requestedBy|decidedBy/);
    const asViewer = await server.request(query, { id: scopedModelId }, { authorization: viewer });
    expect(asViewer.errors).toBeUndefined();
  });

  it('hides the name of the key that acknowledged an alert of its model', async () => {
    const { alerts, alertEngine, healthSampler } = server.services;
    const rule = await alerts.createRule({ name: 'rows', metric: 'PREDICTION_ROW_RATE', comparator: 'GTE', threshold: 0, forSeconds: 0, cooldownSeconds: 0, severity: 'WARNING', enabled: true, modelId: scopedModelId } as never);
    const snapshot = await healthSampler.latest();
    const none = { p50: null, p95: null, p99: null };
    await alertEngine.onSnapshot({ ...snapshot, predictions: [{ modelId: scopedModelId, requestRate: 1, rowRate: 5, errorRate: 0, latencyMs: none }] }, []);
    const query = 'query($rule: ID) { alerts(filter: { ruleId: $rule }) { edges { node { message acknowledgedBy } } } }';
    const asPartner = await server.request(query, { rule: rule.id }, { authorization: partner });
    expect(asPartner.data.alerts.edges).toHaveLength(1);
    expect(asPartner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(asPartner.data.alerts.edges[0].node.acknowledgedBy).toBeNull();
    expect((await server.request(query, { rule: rule.id }, { authorization: viewer })).errors).toBeUndefined();
  });
});

describe('query limits, over HTTP and graphql-ws', () => {
  const deep = () => {
    let inner = 'id';
    for (let i = 0; i < 24; i++) inner = `versions(first: 1) { edges { node { model { ${inner} } } } }`;
    return `{ models(first: 1) { edges { node { ${inner} } } } }`;
  };
  const aliases = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
  const cases: [string, string, string][] = [
    ['a query 50 levels deep', deep(), 'GRAPHQL_VALIDATION_FAILED'],
    ['500 aliases', aliases, 'GRAPHQL_VALIDATION_FAILED'],
    ['first: 1000000', '{ models(first: 1000000) { edges { node { name } } } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['a huge document', `{ viewer { ${'role '.repeat(6000)} } }`, 'GRAPHQL_PARSE_FAILED'],
  ];
  for (const [label, query, code] of cases) {
    it(`refuses ${label}`, async () => {
      const http = await server.request(query, {}, { authorization: viewer });
      expect(http.errors?.[0].extensions?.code, JSON.stringify(http.errors?.[0])).toBe(code);
      expect(http.data).toBeUndefined();
      const client = wsClient(server.wsUrl, viewer);
      const ws = await wsRequest(client, query);
      await client.dispose();
      expect(ws.errors?.[0].extensions?.code, JSON.stringify(ws.errors?.[0])).toBe(code);
    });
  }

  it('counts list cost by first, so a modest page passes', async () => {
    const res = await server.request('{ models(first: 50) { edges { node { name versions(first: 5) { edges { node { version } } } } } } }', {}, { authorization: viewer });
    expect(res.errors).toBeUndefined();
  });

  it('caps live subscriptions per WebSocket', async () => {
    const client = wsClient(server.wsUrl, viewer);
    const query = 'subscription($id: ID!) { datasetVersionCreated(datasetId: $id) { version } }';
    const { datasets } = await server.query('{ datasets(first: 1) { edges { node { id } } } }');
    const id = datasets.edges[0].node.id;
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await wsSubscribeOutcome(client, query, { id }, 100));
    expect(outcomes.slice(0, 3).every((o) => o.open)).toBe(true);
    expect(outcomes[3].errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    outcomes[0].dispose();
    await new Promise((r) => setTimeout(r, 50));
    expect((await wsSubscribeOutcome(client, query, { id }, 100)).open).toBe(true);
    await client.dispose();
  });

  it('stops a key revoked while its WebSocket is open from running anything more on it: the socket is closed (4403)', async () => {
    const secret = await server.createKey('VIEWER');
    const client = wsClient(server.wsUrl, `Bearer ${secret}`);
    const closed = new Promise<number>((resolve) => client.on('closed', (event: any) => resolve(event.code)));
    // A live subscription keeps the (lazy) socket open across the revocation.
    const held = await wsSubscribeOutcome(client, 'subscription { healthSnapshots { at } }', {}, 50);
    expect(held.open).toBe(true);
    expect((await wsRequest(client, '{ viewer { role } }')).data.viewer.role).toBe('VIEWER');
    const { apiKeys } = await server.query('{ apiKeys(first: 100) { edges { node { id prefix } } } }');
    const key = apiKeys.edges.map((e: any) => e.node).find((k: any) => secret.startsWith(`aim_${k.prefix}_`));
    await server.query('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.id });
    expect(await closed).toBe(4403);
    held.dispose();
    await client.dispose();
  });

  it('frees a filtered subscription slot at once when the client leaves, though no event ever matched', async () => {
    const client = wsClient(server.wsUrl, viewer);
    // Quiet streams: no CRITICAL alert of this model will come; the cap is 3 per socket.
    for (let i = 0; i < 6; i++) {
      const outcome = await wsSubscribeOutcome(client, 'subscription($id: ID) { healthAlerts(modelId: $id, minSeverity: CRITICAL) { id } }', { id: otherModelId }, 50);
      expect(outcome.open, `subscription ${i}: ${JSON.stringify(outcome.errors)}`).toBe(true);
      outcome.dispose();
      await new Promise((r) => setTimeout(r, 20));
    }
    await client.dispose();
  });

  it('keeps Apollo CSRF prevention on', async () => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: viewer }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    expect(res.status).toBe(400);
  });
});

describe('rate limits', () => {
  it('answers 1,000 requests in a second from one key with RATE_LIMITED and a retry-after hint beyond the bucket', async () => {
    const key = `Bearer ${await server.createKey('VIEWER')}`;
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 1000 }, () =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: key }, body: JSON.stringify({ query: '{ viewer { role } }' }) })));
    const elapsed = (Date.now() - started) / 1000;
    const limited = responses.filter((r) => r.status === 429);
    const ok = responses.filter((r) => r.status === 200);
    // burst 100 plus 50/s refill while the requests were in flight
    expect(ok.length).toBeGreaterThanOrEqual(100);
    expect(ok.length).toBeLessThanOrEqual(100 + Math.ceil(50 * elapsed) + 1);
    expect(limited.length).toBe(1000 - ok.length);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body: any = await limited[0].json();
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0].extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // another key is unaffected
    expect((await server.request('{ viewer { role } }', {}, { authorization: viewer })).errors).toBeUndefined();
  });

  it('applies the same bucket to graphql-ws operations', async () => {
    const key = `Bearer ${await server.createKey('VIEWER')}`;
    const client = wsClient(server.wsUrl, key);
    const results = await Promise.all(Array.from({ length: 300 }, () => wsRequest(client, '{ viewer { role } }')));
    await client.dispose();
    const limited = results.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(100);
    expect(results.length - limited.length).toBeGreaterThanOrEqual(100);
  });
});

describe('SQL injection in string filters', () => {
  const attacks = ["' OR '1'='1", "'; DROP TABLE model; --", '%', '_', '" OR ""="', '\\\\', "internal-model' --"];
  it('has no effect in any filter', async () => {
    const before = await server.query('{ models(filter: { includeArchived: true }) { totalCount } auditLog { totalCount } }');
    for (const q of attacks) {
      const res = await server.query(`query($q: String) {
        models(filter: { nameContains: $q }) { totalCount }
        datasets(filter: { nameContains: $q }) { totalCount }
        auditLog(filter: { actor: $q, operation: $q, outcome: $q }) { totalCount }
      }`, { q });
      expect(res.models.totalCount, q).toBe(0);
      expect(res.datasets.totalCount, q).toBe(0);
      expect(res.auditLog.totalCount, q).toBe(0);
      const byName = await server.request('query($q: String) { model(name: $q) { id } }', { q });
      expect(byName.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const after = await server.query('{ models(filter: { includeArchived: true }) { totalCount } auditLog { totalCount } }');
    expect(after).toEqual(before);
  });
});
