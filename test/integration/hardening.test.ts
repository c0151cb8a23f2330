import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { wsClient, wsRequest, wsSubscribeOutcome } from '../support/ws-client';

// The findings of the hardening review that concern refusing cheaply: each test failed on the
// code before the fix.
let server: TestServer;
let viewer: string;
let scientist: string;
const randomKey = () => `Bearer aim_${Math.random().toString(36).slice(2, 14).padEnd(12, 'x')}_${'k'.repeat(43)}`;

beforeAll(async () => {
  // A small failed-authentication budget per address, as in production (the shared test servers switch it off).
  server = await startTestServer({ env: { RATE_LIMIT_ANONYMOUS: '10/6', MAX_REQUEST_BYTES: '1048576', INTROSPECTION: 'false' } });
  viewer = `Bearer ${await server.createKey('VIEWER')}`;
  scientist = `Bearer ${await server.createKey('DATA_SCIENTIST')}`;
});
afterAll(() => server?.close());

/** Waits out the failed-authentication budget (10 a second) so the next test starts with a full one. */
const refill = () => new Promise((resolve) => setTimeout(resolve, 700));

describe('refusing strangers before any GraphQL work', () => {
  it('answers a request without a key 401 before parsing it (a syntax error is never reported)', async () => {
    const res = await server.request('{ this is not GraphQL', {}, { authorization: '' });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // The 1,240-field document of the review, without a key: refused the same way.
    const burn = await server.request(`query { ${'viewer { role } '.repeat(1240)} }`, {}, { authorization: '' });
    expect(burn.status).toBe(401);
    await refill();
  });

  it('limits failed authentications per client address: 429 with Retry-After once the budget is spent', async () => {
    // Its own server, whose budget refills one attempt per 10 s: at the shared one's 10 a second,
    // twelve requests on a loaded machine (over 50 ms each) were refilled as fast as they were
    // refused, and the test failed in CI. The same 6 attempts; the refill is what it does not test.
    const strict = await startTestServer({ env: { RATE_LIMIT_ANONYMOUS: '0.1/6' } });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 12; i++) {
        const res = await fetch(strict.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: randomKey() }, body: '{"query":"{ viewer { role } }"}' });
        statuses.push(res.status);
        retryAfter ??= res.headers.get('retry-after');
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // The budget counts on connection_init too.
      const client = wsClient(strict.wsUrl, randomKey());
      expect((await wsSubscribeOutcome(client, '{ viewer { role } }')).closeCode).toBe(4403);
      await client.dispose();
    } finally {
      await strict.close();
    }
  });

  it('closes WebSockets that send connection_init without a key, holding none of them', async () => {
    const sockets = Array.from({ length: 5 }, () => new WebSocket(server.wsUrl, 'graphql-transport-ws'));
    const codes = await Promise.all(sockets.map((socket) => new Promise<number>((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      socket.on('close', (code) => resolve(code));
    })));
    expect(codes).toEqual([4403, 4403, 4403, 4403, 4403]);
    await refill();
  });

  it('reads no large body before the key is known, and a large one only from a role that uploads', async () => {
    const big = JSON.stringify({ query: '{ viewer { role } }', variables: { csv: 'x'.repeat(3 * 1024 * 1024) } });
    const post = (authorization: string) => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: big });
    const anonymous = await post('');
    expect(anonymous.status).toBe(401);
    const small = await post(viewer);
    expect(small.status).toBe(413);
    expect((await small.json()).errors[0].message).toMatch(/over the limit of 1048576 bytes \(MAX_REQUEST_BYTES/);
    const upload = await post(scientist);
    expect(upload.status).toBe(200);
    expect((await upload.json()).data.viewer.role).toBe('DATA_SCIENTIST');
    await refill();
  });

  it('charges a key one rate token per started 128 KiB of body, so its rate bounds the parsing it causes', async () => {
    // VIEWER: 50 tokens a second, burst 100. An 800 KB body costs 7: the burst buys 14 of them.
    const heavy = `Bearer ${await server.createKey('VIEWER')}`;
    const light = `Bearer ${await server.createKey('VIEWER')}`;
    const body = (pad: number) => JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(pad) } });
    const post = (authorization: string, text: string) => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: text }).then((r) => r.status);
    const large = body(800 * 1024);
    const heavyStatuses: number[] = [];
    for (let i = 0; i < 30; i++) heavyStatuses.push(await post(heavy, large));
    expect(heavyStatuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(heavyStatuses).toContain(429);
    const lightStatuses: number[] = [];
    for (let i = 0; i < 30; i++) lightStatuses.push(await post(light, body(100)));
    expect(lightStatuses).toEqual(Array(30).fill(200));
  });

  it('closes a WebSocket whose message is over its key\'s body limit before parsing it, and one over 64 KB before a key', async () => {
    const socketClosedBy = (frames: (socket: WebSocket) => void) => new Promise<{ code: number; messages: any[] }>((resolve) => {
      const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
      const messages: any[] = [];
      socket.on('open', () => frames(socket));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        messages.push(message);
        if (message.type === 'next' || message.type === 'error') socket.close(1000);
      });
      socket.on('close', (code) => resolve({ code, messages }));
    });
    const init = (authorization: string) => JSON.stringify({ type: 'connection_init', payload: { authorization } });
    // MAX_REQUEST_BYTES is 1 MB on this server: 1.5 MB is too much for a VIEWER, not for a DATA_SCIENTIST.
    const subscribe = JSON.stringify({ type: 'subscribe', id: '1', payload: { query: '{ viewer { role } }', variables: { pad: 'x'.repeat(1536 * 1024) } } });
    const sendAfterAck = (authorization: string) => (socket: WebSocket) => {
      socket.send(init(authorization));
      socket.once('message', () => socket.send(subscribe));
    };
    expect((await socketClosedBy(sendAfterAck(viewer))).code).toBe(1009);
    const uploader = await socketClosedBy(sendAfterAck(scientist));
    expect(uploader.code).toBe(1000);
    expect(uploader.messages.find((m) => m.type === 'next').payload.data.viewer.role).toBe('DATA_SCIENTIST');
    const hugeInit = await socketClosedBy((socket) => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: scientist, pad: 'x'.repeat(100 * 1024) } })));
    expect(hugeInit.code).toBe(1009);
  });

  it('audits a mutation refused for a bad key, as it audits one sent without a key', async () => {
    const res = await server.request('mutation Sneaky { createModel(input: { name: "sneaky", task: REGRESSION, architecture: MLP, featureColumns: ["x"], targetColumn: "y" }) { id } }', {}, { authorization: randomKey(), 'x-request-id': 'refused-mutation' });
    expect(res.status).toBe(401);
    const { auditLog } = await server.query('{ auditLog(first: 5, filter: { operation: "createModel", outcome: "UNAUTHENTICATED" }) { edges { node { actorKeyId requestId errorMessage } } } }');
    expect(auditLog.edges.map((e: any) => e.node)).toContainEqual({ actorKeyId: null, requestId: 'refused-mutation', errorMessage: 'Unknown or revoked API key' });
    await refill();
  });

  it('labels refused requests in /metrics as refused, so strangers cannot fill the operation labels', async () => {
    for (let i = 0; i < 5; i++) await server.request(`query Junk${i}${Math.random().toString(36).slice(2)} { viewer { role } }`, {}, { authorization: randomKey() });
    await server.request('query RealDashboard { viewer { role } }', {}, { authorization: viewer });
    const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(text).not.toMatch(/operation="Junk/);
    expect(text).toMatch(/aimass_graphql_requests_total\{operation="RealDashboard",outcome="ok"\} 1/);
    expect(text).toMatch(/aimass_graphql_requests_total\{operation="\(unauthenticated\)",outcome="UNAUTHENTICATED"\} \d+/);
    await refill();
  });
});

describe('documents built to be expensive', () => {
  const burn = `query { ${'viewer { role } '.repeat(1240)} }`;

  it('refuses 1,240 fields in one selection set before validation, over HTTP and WebSocket', async () => {
    const http = await server.request(burn, {}, { authorization: viewer });
    expect(http.status).toBe(400);
    expect(http.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'selectionFields' });
    const client = wsClient(server.wsUrl, viewer);
    const ws = await wsRequest(client, burn);
    await client.dispose();
    expect(ws.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'selectionFields' });
  });

  it('refuses more selections in all than MAX_QUERY_SELECTIONS, however they are spread', async () => {
    const spread = `query { ${Array.from({ length: 12 }, () => `viewer { ${'role '.repeat(90)} }`).join(' ')} }`;
    const res = await server.request(spread, {}, { authorization: viewer });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'selections' });
  });

  it('hides "Did you mean" field suggestions while introspection is off', async () => {
    const res = await server.request('{ viewr { role } }', {}, { authorization: viewer });
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toBe('Cannot query field "viewr" on type "Query".');
  });
});

describe('audit of refused mutations', () => {
  // Found by the reliability fuzzer: variables nested thousands of levels deep overflowed the
  // stack while the audit row was redacted, so the refusal left no audit row.
  it('audits a mutation whose JSON argument is nested 3,000 levels deep', async () => {
    let nested: unknown = 1;
    for (let i = 0; i < 3000; i++) nested = i % 2 ? [nested] : { a: nested };
    const res = await server.request('mutation Deep($rows: [JSONObject!]) { appendDatasetRows(input: { datasetId: "no-such-dataset", rows: $rows }) { id } }', { rows: [{ a: nested }] }, { 'x-request-id': 'deep-variables' });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const { auditLog } = await server.query('{ auditLog(first: 5, filter: { operation: "appendDatasetRows" }) { edges { node { requestId outcome arguments } } } }');
    const row = auditLog.edges.map((e: any) => e.node).find((n: any) => n.requestId === 'deep-variables');
    expect(row).toMatchObject({ outcome: 'NOT_FOUND' });
    expect(JSON.stringify(row.arguments)).toMatch(/"nestedDeeperThan":20,"sha256":"[0-9a-f]{64}"/);
  });
});

describe('graphql-ws messages only a server sends', () => {
  // Found by the reliability fuzzer: graphql-ws throws on them, and the socket was closed 4500
  // (Internal server error) with an error log line, for what is the client's mistake.
  it('closes with 4400 a socket whose client sends next, error or connection_ack', async () => {
    for (const message of [{ type: 'next', id: '1', payload: {} }, { type: 'error', id: '1', payload: [] }, { type: 'connection_ack' }]) {
      const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
        const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
        socket.on('open', () => socket.send(JSON.stringify(message)));
        socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
      });
      expect(closed.code, `${message.type}: ${closed.reason}`).toBe(4400);
    }
  });
});
