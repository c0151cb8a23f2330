import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

// A front-end team's app on another origin: preflight and credentials work for the listed origin
// only, and Apollo's CSRF protection stays on (the review found a 400 on every preflight).
const APP = 'https://app.bank.example';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { CORS_ORIGINS: `${APP},https://console.bank.example` } });
});
afterAll(() => server?.close());

const preflight = (origin: string) => fetch(server.url, {
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
});

it('answers a preflight from a listed origin, allowing the key header and credentials', async () => {
  const res = await preflight(APP);
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe(APP);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
  expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
});

it('gives another origin no CORS headers, so the browser refuses to send', async () => {
  const res = await preflight('https://evil.example');
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
});

it('answers the listed origin\'s request with its origin and the exposed request id', async () => {
  const res = await fetch(server.url, { method: 'POST', headers: { origin: APP, 'content-type': 'application/json', authorization: server.adminAuth }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(APP);
  expect(res.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
  expect((await res.json()).data.viewer.role).toBe('ADMIN');
});

it('keeps CSRF prevention on for a listed origin: a simple text/plain POST is refused', async () => {
  const res = await fetch(server.url, { method: 'POST', headers: { origin: APP, 'content-type': 'text/plain', authorization: server.adminAuth }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
  expect(res.status).toBe(400);
});
