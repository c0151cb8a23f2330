import { LRUCache } from 'lru-cache';
import type { RateLimit, RateLimitedRole } from '../../core/config';
import { rateLimited } from '../../core/errors';
import type { Caller } from '../../modules/shared/caller';
import { TokenBucket, type Clock } from './token-bucket';

/**
 * One token bucket per API key (per client address for requests without a key), sized by role.
 * In memory, per instance: with N instances a key gets up to N times its rate.
 */
export class RateLimiter {
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: 100_000 });

  constructor(private readonly limits: Record<RateLimitedRole, RateLimit | null>, private readonly clock: Clock = Date.now) {}

  /** Throws RATE_LIMITED (HTTP 429, Retry-After) when the caller's bucket is empty. */
  check(caller: Caller | null, clientAddress: string | null): void {
    const role: RateLimitedRole = caller?.role ?? 'ANONYMOUS';
    const limit = this.limits[role];
    if (!limit) return;
    const key = caller ? `key:${caller.keyId}` : `ip:${clientAddress ?? 'unknown'}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.clock);
      this.buckets.set(key, bucket);
    }
    const wait = bucket.take();
    if (wait > 0) throw rateLimited(Math.max(1, Math.ceil(wait)));
  }
}
