import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Request } from 'playwright-core';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let browser: Browser;
beforeAll(async () => { browser = await launchBrowser(); });
afterAll(async () => { await browser?.close(); });

/** GraphiQL at /graphiql, opened with `query` in its URL, signed in through the console's session. */
async function openGraphiQL(server: TestServer, query: string) {
  const tab = await openConsole(browser, server, TEST_ADMIN_KEY);
  const posts: string[] = [];
  tab.page.on('request', (request: Request) => { if (request.method() === 'POST') posts.push(request.postData() ?? ''); });
  await tab.page.goto(`${tab.origin}/graphiql?query=${encodeURIComponent(query)}`);
  const run = tab.page.getByRole('button', { name: /Execute query/ });
  await run.waitFor();
  // The editor holds the operation from the URL once GraphiQL (and its schema) is ready.
  const name = /(?:query|subscription) (\w+)/.exec(query)![1];
  await tab.page.locator('.view-lines', { hasText: name }).first().waitFor({ timeout: 30_000 });
  // Monaco renders spaces as no-break spaces.
  const result = tab.page.getByRole('region', { name: 'Result Window' });
  const response = { text: async () => (await result.innerText()).replace(/\u00a0/g, ' ') };
  return { tab, posts, run, response };
}

describe.each([
  ['introspection on', {}],
  ['introspection off (the schema comes from /schema.graphql for staff keys)', { INTROSPECTION: 'false' }],
])('GraphiQL served by aimass, %s', (_name, env) => {
  let server: TestServer;
  beforeAll(async () => { server = await startConsoleServer({ env }); });
  afterAll(async () => { await server?.close(); });

  it('runs a query and a live subscription with the session key and no request beyond the server', async () => {
    const query = await openGraphiQL(server, 'query Who { viewer { principal role } }');
    await query.run.click();
    await expect.poll(() => query.response.text(), { timeout: 30_000 }).toContain('"role": "ADMIN"');
    if (env.INTROSPECTION) expect(query.posts.some((body) => body.includes('__schema'))).toBe(false);
    if (!env.INTROSPECTION) await screenshot(query.tab.page, 'graphiql');
    expect(query.tab.external).toEqual([]);
    await query.tab.context.close();

    const live = await openGraphiQL(server, 'subscription Health { healthSnapshots(intervalSeconds: 1) { at } }');
    await live.run.click();
    await expect.poll(() => live.response.text(), { timeout: 30_000 }).toContain('"at"');
    const first = await live.response.text();
    // A second snapshot replaces the first: the subscription is live over graphql-ws.
    await expect.poll(() => live.response.text(), { timeout: 30_000 }).not.toBe(first);
    expect(live.tab.external).toEqual([]);
    // GraphiQL's tab bar nests each tab's close button inside the tab (nested-interactive): its
    // own markup, left out; the rest of the page must pass.
    expect(await seriousAxeViolations(live.tab.page, ['.graphiql-tabs'])).toEqual([]);
    await live.tab.context.close();
  });
});

describe('GraphiQL and the console without a key', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startConsoleServer(); });
  afterAll(async () => { await server?.close(); });

  it('a browser opening /graphql is sent to GraphiQL, which asks to sign in first; API clients are not redirected', async () => {
    const tab = await openConsole(browser, server, null);
    await tab.page.goto(`${tab.origin}/graphql`);
    expect(new URL(tab.page.url()).pathname).toBe('/graphiql');
    await tab.page.getByText('Sign in to the console first').waitFor();
    const api = await fetch(server.url, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(api.status).toBe(401);
    await tab.context.close();
  });

  it('serves the console with a same-origin CSP, and the schema SDL only to staff keys (audited)', async () => {
    const page = await fetch(server.url.replace('/graphql', '/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await fetch(server.url.replace('/graphql', '/schema.graphql')).then((r) => r.status)).toBe(401);
    const { createModel: model } = await server.query('mutation { createModel(input: { name: "scoped", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION, featureColumns: ["A"], targetColumn: "Y" }) { id } }');
    const partner = await server.createKey('PARTNER', [model.id]);
    const refused = await fetch(server.url.replace('/graphql', '/schema.graphql'), { headers: { authorization: `Bearer ${partner}` } });
    expect(refused.status).toBe(403);
    const sdl = await fetch(server.url.replace('/graphql', '/schema.graphql'), { headers: { authorization: server.adminAuth } });
    expect(sdl.status).toBe(200);
    expect(await sdl.text()).toContain('type Query');
    const { auditLog } = await server.query('{ auditLog(first: 10, filter: { operation: "downloadSchema" }) { edges { node { outcome } } } }');
    expect(auditLog.edges.map((e: { node: { outcome: string } }) => e.node.outcome).sort()).toEqual(['FORBIDDEN', 'OK', 'UNAUTHENTICATED']);
  });
});
