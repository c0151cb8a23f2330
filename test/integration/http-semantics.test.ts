import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';

/** GraphQL over HTTP: the application/graphql-response+json media type and its status codes, for clients that ask. */
let server: TestServer;
const MEDIA = 'application/graphql-response+json';

beforeAll(async () => {
  server = await startTestServer({ env: { MAX_QUERY_SELECTIONS: '5' } });
});
afterAll(() => server?.close());

const post = async (query: string, headers: Record<string, string>) => {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
};

describe('GraphQL over HTTP media types', () => {
  const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}`, accept: MEDIA };

  it('answers application/graphql-response+json with 200 for a result and 4xx for a request error, wherever the refusal comes from', async () => {
    const ok = await post('{ viewer { role } }', admin);
    expect(ok).toMatchObject({ status: 200, type: `${MEDIA}; charset=utf-8`, body: { data: { viewer: { role: 'ADMIN' } } } });
    // Refused by Apollo (validation, parse), by the gate (no key), and by the selection cap before Apollo.
    const cases: [string, Record<string, string>, number, string][] = [
      ['{ viewer { nope } }', admin, 400, 'GRAPHQL_VALIDATION_FAILED'],
      ['{', admin, 400, 'GRAPHQL_PARSE_FAILED'],
      ['{ viewer { role } }', { accept: MEDIA }, 401, 'UNAUTHENTICATED'],
      ['{ viewer { keyId name principal role modelScope } systemInfo { version } }', admin, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ];
    for (const [query, headers, status, code] of cases) {
      const res = await post(query, headers);
      expect(res, query).toMatchObject({ status, type: `${MEDIA}; charset=utf-8` });
      expect(res.body.errors[0].extensions.code, query).toBe(code);
    }
  });

  it('keeps application/json for clients that do not ask', async () => {
    const res = await post('{ viewer { role } }', {});
    expect(res).toMatchObject({ status: 401, type: 'application/json; charset=utf-8' });
  });
});

describe('requests Node refuses before any route', () => {
  // Found by the reliability fuzzer (test/reliability): a GET whose query string passed 16 KB got
  // Node's bare `431` with no body, the one refusal a GraphQL client could not read.
  it('answers a URL over the header limit with a JSON error and a code', async () => {
    const query = `{ viewer { role } } # ${'x'.repeat(20_000)}`;
    const res = await fetch(`${server.url}?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(res.status).toBe(431);
    expect(await res.json()).toEqual({ errors: [{ message: expect.stringContaining('POST'), extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('answers bytes that are not HTTP with a JSON 400, and keeps serving', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => { text += chunk; });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const ok = await post('{ viewer { role } }', { authorization: `Bearer ${TEST_ADMIN_KEY}` });
    expect(ok.body.data.viewer.role).toBe('ADMIN');
  });
});
