import fc from 'fast-check';
import { buildSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSeeded, count, errorCollectingLog, percentile, printTally, requestOnNewConnection, tally, timed, watchHealth } from '../support/fuzz';
import { graphqlFuzzer, type FuzzRequest } from '../support/graphql-fuzz';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';

let server: TestServer;
let partnerKey: string;
let fuzzer: ReturnType<typeof graphqlFuzzer>;
const { log, errors: loggedErrors } = errorCollectingLog();

beforeAll(async () => {
  // Partners are rate-limited by default: off here, so the cases reach execution.
  server = await startTestServer({ seed: true, log, env: { RATE_LIMIT_PARTNER: 'off' } });
  partnerKey = await server.createKey('PARTNER', ['credit-default-mlp']);
  const { datasets, models } = await server.query('{ datasets(first: 20) { edges { node { id name } } } models(first: 20) { edges { node { id name } } } }');
  const real = [...datasets.edges, ...models.edges].flatMap(({ node }: { node: { id: string; name: string } }) => [node.id, node.name]);
  // The committed contract, which a unit test keeps equal to the live schema.
  const schema = buildSchema(readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
  fuzzer = graphqlFuzzer(schema, { real });
});
afterAll(() => server?.close());

function send(request: FuzzRequest, authorization: string): Promise<{ status: number; text: string }> {
  const url = request.method === 'GET' ? `${server.url}?${request.search}` : server.url;
  const headers = { 'content-type': request.contentType, ...(authorization ? { authorization } : {}), 'apollo-require-preflight': 'true' };
  return requestOnNewConnection(url, request.method, headers, request.method === 'POST' ? request.body : undefined);
}

describe('fuzzed GraphQL operations from the schema', () => {
  it('never answers 5xx, always JSON with a code on every error, and the server stays healthy', async () => {
    const t = tally('graphql operations');
    const health = watchHealth(server.url.replace(/\/graphql$/, ''), 200);
    const callers = [`Bearer ${TEST_ADMIN_KEY}`, `Bearer ${partnerKey}`, ''];
    const property = fc.asyncProperty(fuzzer.request, fc.integer({ min: 0, max: 9 }), async (request, who) => {
      // ADMIN most often (it reaches the most code), a PARTNER a third, anonymous now and then.
      const authorization = callers[who < 6 ? 0 : who < 9 ? 1 : 2];
      const started = performance.now();
      const { status, text } = await send(request, authorization);
      timed(t, performance.now() - started, request.label);
      t.cases++;
      expect(status, `${request.label}: ${text.slice(0, 500)}`).toBeLessThan(500);
      let body: { errors?: { message: string; extensions?: { code?: unknown } }[] };
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${request.label}: status ${status}, not JSON: ${text.slice(0, 300)}`);
      }
      for (const error of body.errors ?? []) {
        expect(typeof error.extensions?.code, `${request.label}: ${JSON.stringify(error).slice(0, 500)}`).toBe('string');
      }
      count(t, body.errors?.length ? String(body.errors[0].extensions?.code) : `ok ${status}`);
    });
    await assertSeeded(property, { full: 10_000, short: 600 });
    const { latencies, failures } = await health.stop();
    printTally(t, { 'healthz p99 ms': percentile(latencies, 99).toFixed(1), 'healthz max ms': Math.max(...latencies).toFixed(1) });
    expect(failures).toEqual([]);
    expect(loggedErrors.slice(0, 3).join('\n')).toBe('');
    const res = await fetch(new URL('/healthz', server.url));
    expect(res.status).toBe(200);
  });
});
