import { describe, expect, it } from 'vitest';
import { MemoryBuckets } from '../../src/engines/cluster/buckets';
import { RateLimiter, requestCost } from '../../src/server/transport/rate-limiter';
import { TokenBucket } from '../../src/engines/cluster/token-bucket';

describe('TokenBucket', () => {
  it('grants a burst, then refills continuously at the rate, never above the burst', () => {
    let now = 0;
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBeCloseTo(0.1, 9); // one token arrives every 100 ms
    now += 50;
    expect(bucket.take()).toBeCloseTo(0.05, 9);
    now += 50;
    expect(bucket.take()).toBe(0);
    now += 10_000; // a long pause saves up at most `burst`
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBeGreaterThan(0);
  });
});

describe('TokenBucket costs', () => {
  it('takes several tokens for a costly request, waits for all of them, and never asks for more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, () => now);
    expect(bucket.take(15)).toBe(0);
    expect(bucket.take(10)).toBeCloseTo(0.5, 9); // 5 left, 5 more arrive in 500 ms
    now += 500;
    expect(bucket.take(10)).toBe(0);
    now += 10_000;
    // A request worth 1,000 tokens costs a full bucket, so it can pass at all.
    expect(bucket.take(1000)).toBe(0);
    expect(bucket.take(1)).toBeCloseTo(0.1, 9);
  });

  it('prices a request by its body: 1 token up to 128 KiB, then one per started 128 KiB', () => {
    expect([0, 1000, 128 * 1024, 128 * 1024 + 1, 2.4e6, Number.NaN].map(requestCost)).toEqual([1, 1, 1, 2, 19, 1]);
  });
});

describe('RateLimiter', () => {
  const limits = { VIEWER: { perSecond: 1, burst: 2 }, DATA_SCIENTIST: null, APPROVER: null, ADMIN: null, PARTNER: null, ANONYMOUS: { perSecond: 1, burst: 1 } };
  const caller = (keyId: string) => ({ keyId, keyName: keyId, principal: keyId, role: 'VIEWER' as never, modelScope: null });
  const limited = expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfterSeconds: 1 }) });

  it('keeps one bucket per key, and throws RATE_LIMITED with a whole-second retry-after', async () => {
    let now = 0;
    const limiter = new RateLimiter(limits, new MemoryBuckets(() => now));
    await limiter.check(caller('a'));
    await limiter.check(caller('a'));
    await expect(limiter.check(caller('a'))).rejects.toEqual(limited);
    await limiter.check(caller('b'));
    now += 1000;
    await limiter.check(caller('a'));
  });

  it('limits failed authentications per client address, refusing before spending, and skips roles set to off', async () => {
    let now = 0;
    const limiter = new RateLimiter(limits, new MemoryBuckets(() => now));
    await limiter.checkFailures('10.0.0.1');
    await limiter.checkFailures('10.0.0.1'); // checking spends nothing
    await limiter.recordFailure('10.0.0.1');
    await expect(limiter.checkFailures('10.0.0.1')).rejects.toEqual(limited);
    await limiter.checkFailures('10.0.0.2');
    now += 1000;
    await limiter.checkFailures('10.0.0.1');
    const admin = { ...caller('root'), role: 'ADMIN' as never };
    for (let i = 0; i < 100; i++) await limiter.check(admin);
  });

  it('lets requests through when its store cannot answer (Redis away), rather than failing them', async () => {
    const broken = { take: async () => { throw new Error('Connection is closed.'); }, peek: async () => { throw new Error('Connection is closed.'); } };
    const limiter = new RateLimiter(limits, broken);
    for (let i = 0; i < 5; i++) await limiter.check(caller('a'));
    await limiter.checkFailures('10.0.0.1');
    await limiter.recordFailure('10.0.0.1');
  });
});
