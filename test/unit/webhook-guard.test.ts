import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedReason, checkWebhookUrl } from '../../src/engines/notify/address-guard';
import { postJson } from '../../src/engines/notify/sender';
import { signature, verifySignature } from '../../src/engines/notify/signature';
import { backoffMs } from '../../src/modules/notifications/delivery-loop';

let server: http.Server;
let url: string;
let hits = 0;
beforeAll(async () => {
  server = http.createServer((_req, res) => { hits++; res.end('ok'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the webhook SSRF guard', () => {
  it('refuses private, loopback, link-local and mapped addresses, and allows public ones', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:192.168.1.1']) {
      expect(blockedReason(address), address).not.toBeNull();
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(blockedReason(address), address).toBeNull();
  });

  it('checks a URL\'s scheme, credentials and where it resolves', async () => {
    expect(await checkWebhookUrl('ftp://example.com/x', false)).toMatch(/http or https/);
    expect(await checkWebhookUrl('https://user:pw@example.com/x', false)).toMatch(/credentials/);
    expect(await checkWebhookUrl('http://127.0.0.1:9/x', false)).toMatch(/private, loopback/);
    expect(await checkWebhookUrl('http://localhost:9/x', false)).toMatch(/private, loopback/);
    expect(await checkWebhookUrl('http://[::1]:9/x', false)).toMatch(/private, loopback/);
    expect(await checkWebhookUrl('http://127.0.0.1:9/x', true)).toBeNull();
  });

  it('refuses at connect time too: nothing reaches a local receiver unless allowed', async () => {
    const refused = await postJson(url.replace('127.0.0.1', 'localhost'), '{}', {}, { timeoutMs: 2000, allowPrivate: false });
    expect(refused).toMatchObject({ statusCode: null, error: expect.stringMatching(/refused: localhost resolves to .* private, loopback/) });
    expect(hits).toBe(0);
    const allowed = await postJson(url, '{}', {}, { timeoutMs: 2000, allowPrivate: true });
    expect(allowed).toMatchObject({ statusCode: 200, error: null });
    expect(hits).toBe(1);
  });
});

describe('webhook signatures and back-off', () => {
  it('verifies a fresh signature, and refuses a changed body, another secret or an old timestamp', () => {
    const now = 1_800_000_000;
    const header = signature('s3cret-s3cret-s3cret', '{"a":1}', now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', header, now + 10)).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":2}', header, now)).toBe(false);
    expect(verifySignature('another-secret-xxxx', '{"a":1}', header, now)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', header, now + 301)).toBe(false);
  });

  it('doubles the ceiling of its full-jitter back-off per attempt, up to 10 minutes', () => {
    expect(backoffMs(1, 1000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, () => 1)).toBe(8000);
    expect(backoffMs(4, 1000, () => 0.5)).toBe(4000);
    expect(backoffMs(30, 1000, () => 1)).toBe(600_000);
  });
});
