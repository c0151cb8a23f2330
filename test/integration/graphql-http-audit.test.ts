import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';

/**
 * The graphql-http audit suite (the GraphQL-over-HTTP spec's server audits) against aimass and
 * against a bare @apollo/server on the same express integration: aimass may fail no MUST and
 * warn no SHOULD that bare Apollo passes.
 */
let server: TestServer;
let bare: http.Server;
let bareUrl: string;
let apollo: ApolloServer;

type Outcome = { name: string; status: string; reason?: string };
async function audit(url: string, headers: Record<string, string>): Promise<Outcome[]> {
  const fetchFn = (input: RequestInfo, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
  const outcomes: Outcome[] = [];
  for (const { name, fn } of serverAudits({ url, fetchFn })) {
    const result = await fn();
    outcomes.push({ name, status: result.status, reason: 'reason' in result ? String(result.reason) : undefined });
  }
  return outcomes;
}

beforeAll(async () => {
  server = await startTestServer();
  apollo = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  bare = http.createServer(app);
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await server?.close();
  await apollo?.stop();
  await new Promise<void>((resolve) => (bare ? bare.close(() => resolve()) : resolve()));
});

describe('GraphQL over HTTP audits', () => {
  it('fails no MUST and warns no SHOULD that a bare Apollo server passes', async () => {
    const ours = await audit(server.url, { authorization: `Bearer ${TEST_ADMIN_KEY}` });
    const theirs = new Map((await audit(bareUrl, {})).map((o) => [o.name, o.status]));
    const worse = ours.filter((o) => o.status !== 'ok' && theirs.get(o.name) === 'ok');
    const mustFailures = ours.filter((o) => o.name.startsWith('MUST') && o.status === 'error');
    console.log(`graphql-http audits: ${ours.filter((o) => o.status === 'ok').length} of ${ours.length} ok; not ok: ${JSON.stringify(ours.filter((o) => o.status !== 'ok').map((o) => `${o.status} ${o.name}`))}; bare Apollo not ok: ${[...theirs.values()].filter((s) => s !== 'ok').length}`);
    expect(worse, 'audits aimass fails where bare Apollo passes').toEqual([]);
    expect(mustFailures.map((o) => o.name).filter((name) => theirs.get(name) === 'ok')).toEqual([]);
  });
});
