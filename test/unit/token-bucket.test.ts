import { describe, expect, it } from 'vitest';
import { RateLimiter, requestCost } from '../../src/server/transport/rate-limiter';
import { TokenBucket } from '../../src/server/transport/token-bucket';

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
  const caller = (keyId: string) => ({ keyId, keyName: keyId, role: 'VIEWER' as never, modelScope: null });

  it('keeps one bucket per key, and throws RATE_LIMITED with a whole-second retry-after', () => {
    let now = 0;
    const limiter = new RateLimiter(limits, () => now);
    limiter.check(caller('a'));
    limiter.check(caller('a'));
    expect(() => limiter.check(caller('a'))).toThrowError(expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfterSeconds: 1 }) }));
    limiter.check(caller('b'));
    now += 1000;
    limiter.check(caller('a'));
  });

  it('limits failed authentications per client address, refusing before spending, and skips roles set to off', () => {
    let now = 0;
    const limiter = new RateLimiter(limits, () => now);
    limiter.checkFailures('10.0.0.1');
    limiter.checkFailures('10.0.0.1'); // checking spends nothing
    limiter.recordFailure('10.0.0.1');
    expect(() => limiter.checkFailures('10.0.0.1')).toThrowError(expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }));
    limiter.checkFailures('10.0.0.2');
    now += 1000;
    limiter.checkFailures('10.0.0.1');
    const admin = { ...caller('root'), role: 'ADMIN' as never };
    for (let i = 0; i < 100; i++) limiter.check(admin);
  });
});
