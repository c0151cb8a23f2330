import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wsClient } from '../support/ws-client';
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

describe('PERSISTED_OPERATIONS_ONLY', () => {
  let strict: TestServer;
  let manifest: { operations: { id: string; name: string; body: string }[] };
  const send = async (body: Record<string, unknown>) => {
    const res = await fetch(strict.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    // The manifest `npm run persisted:manifest` makes of examples.graphql.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-manifest-')), 'manifest.json');
    fs.writeFileSync(file, execFileSync(process.execPath, [path.resolve(__dirname, '../../dist/scripts/persisted-manifest.js')], { encoding: 'utf8' }));
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    strict = await startTestServer({ env: { PERSISTED_OPERATIONS_ONLY: 'true', PERSISTED_OPERATIONS_FILE: file } });
  });
  afterAll(() => strict?.close());

  it('runs a listed operation by hash or by its text, and refuses anything else on HTTP and WebSocket', async () => {
    const whoAmI = manifest.operations.find((o) => o.name === 'WhoAmI')!;
    expect(whoAmI.id).toBe(createHash('sha256').update(whoAmI.body).digest('hex'));
    const byHash = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: whoAmI.id } } });
    expect(byHash.body.data.viewer.role).toBe('ADMIN');
    expect((await send({ query: whoAmI.body })).body.data.viewer.role).toBe('ADMIN');
    const other = await send({ query: '{ viewer { role } }' });
    expect(other.status).toBe(400);
    expect(other.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect((await send({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } })).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    const client = wsClient(strict.wsUrl, `Bearer ${TEST_ADMIN_KEY}`);
    const result = await new Promise<any>((resolve) => {
      client.subscribe({ query: '{ viewer { role } }' }, { next: resolve, error: resolve, complete: () => undefined });
    });
    await client.dispose();
    expect(JSON.stringify(result)).toMatch(/PERSISTED_QUERY_NOT_IN_LIST/);
  });
});
