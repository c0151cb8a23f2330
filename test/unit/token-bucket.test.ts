import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/transport/rate-limiter';
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
