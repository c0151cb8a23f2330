import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger';
import { RedisBuckets } from '../../src/engines/cluster/buckets';
import { RedisConnections } from '../../src/engines/cluster/redis-connections';
import { startTestServer, testRedisUrl, type TestServer } from '../support/test-server';

let a: TestServer;
let b: TestServer;
const redis = new RedisConnections({ url: testRedisUrl()!, prefix: `buckets-${randomBytes(4).toString('hex')}` }, createLogger('warn'));

beforeAll(async () => {
  // VIEWER: a burst of 4, then one a second; for one key across both instances.
  const env = { RATE_LIMIT_VIEWER: '1/4' };
  a = await startTestServer({ env, redisPrefix: `rates-${randomBytes(4).toString('hex')}` });
  b = await startTestServer({ env, database: a.services.config.database, redisPrefix: a.services.config.redis!.prefix });
  await redis.connected();
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis.close();
});

describe('rate limits in Redis', () => {
  it('hold for one key across instances: a burst of 4 in all, not 4 on each', async () => {
    const viewer = `Bearer ${await a.createKey('VIEWER')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await (i % 2 ? b : a).request('{ viewer { role } }', {}, { authorization: viewer })).status);
    // Allow one token refilled while the eight went out.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(5);
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
  });

  it('keep TokenBucket\'s arithmetic in the Lua script: burst, cost capped at the burst, refill at the rate, exact wait', async () => {
    const buckets = new RedisBuckets(redis.connect('test-buckets'), redis.config.prefix);
    await redis.connected();
    const limit = { perSecond: 20, burst: 3 };
    expect(await buckets.take('k', limit, 2)).toBe(0);
    expect(await buckets.peek('k', limit, 1)).toBe(0); // peek spends nothing
    expect(await buckets.take('k', limit, 1)).toBe(0);
    const wait = await buckets.take('k', limit, 1);
    expect(wait).toBeGreaterThan(0.03); // about 1/20 s, less what elapsed
    expect(wait).toBeLessThanOrEqual(0.05);
    await new Promise((r) => setTimeout(r, 60));
    expect(await buckets.take('k', limit, 1)).toBe(0);
    // 1,000 tokens cost a full bucket: it waits for 3, not forever.
    const full = await buckets.take('k', limit, 1000);
    expect(full).toBeGreaterThan(0.1);
    expect(full).toBeLessThanOrEqual(0.15);
  });
});
