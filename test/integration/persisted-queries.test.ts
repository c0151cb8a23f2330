import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';

let server: TestServer;
const QUERY = '{ viewer { role } }';
const hash = createHash('sha256').update(QUERY).digest('hex');
const post = async (body: Record<string, unknown>) => {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: JSON.stringify(body) });
  return res.json() as Promise<any>;
};

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('automatic persisted queries', () => {
  it('asks for an unknown hash, registers it with the query, then answers the hash alone', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    const unknown = await post({ extensions });
    expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post({ query: QUERY, extensions })).data).toEqual({ viewer: { role: 'ADMIN' } });
    expect((await post({ extensions })).data).toEqual({ viewer: { role: 'ADMIN' } });
    // A hash that does not match its query is refused.
    const wrong = await post({ query: '{ viewer { name } }', extensions });
    expect(wrong.errors[0]).toMatchObject({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
  });
});
