import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/modules/shared/role';
import { startTestServices, type TestServices } from '../support/test-services';

// The key check on a cache hit compares with the token that last matched instead of hashing
// again: a token that shares a cached key's public prefix must still be refused.
let t: TestServices;
beforeAll(async () => { t = await startTestServices(); });
afterAll(() => t?.close());

describe('API key check on a cache hit', () => {
  it('accepts the key again and again, and refuses another secret under the same prefix, before and after the key was cached', async () => {
    const { apiKey, secret } = await t.services.apiKeys.create({ name: 'cache-hit', role: Role.VIEWER }, null);
    const forged = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(await t.services.apiKeys.authenticate(forged)).toBeNull();
    for (let i = 0; i < 3; i++) expect((await t.services.apiKeys.authenticate(secret))?.keyId).toBe(apiKey.id);
    expect(await t.services.apiKeys.authenticate(forged)).toBeNull();
    expect((await t.services.apiKeys.authenticate(secret))?.keyId).toBe(apiKey.id);
  });

  it('refuses a revoked key even after it matched', async () => {
    const { apiKey, secret } = await t.services.apiKeys.create({ name: 'cache-hit-revoked', role: Role.VIEWER }, null);
    expect((await t.services.apiKeys.authenticate(secret))?.keyId).toBe(apiKey.id);
    await t.services.apiKeys.revoke(apiKey.id);
    expect(await t.services.apiKeys.authenticate(secret)).toBeNull();
  });
});
