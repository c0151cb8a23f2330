import { LRUCache } from 'lru-cache';
import type { RateLimit, RateLimitedRole } from '../../core/config';
import { rateLimited } from '../../core/errors';
import type { Caller } from '../../modules/shared/caller';
import { TokenBucket, type Clock } from './token-bucket';

/**
 * Token buckets: one per API key, sized by its role, and one per client address for attempts that
 * fail authentication (the ANONYMOUS limit), so a key cannot be guessed at wire speed. In memory,
 * per instance: with N instances a key gets up to N times its rate.
 */
export class RateLimiter {
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: 100_000 });

  constructor(private readonly limits: Record<RateLimitedRole, RateLimit | null>, private readonly clock: Clock = Date.now) {}

  /** Throws RATE_LIMITED (HTTP 429, Retry-After) when the caller's bucket is empty. */
  check(caller: Caller): void {
    this.take(caller.role, `key:${caller.keyId}`);
  }

  /** Throws RATE_LIMITED when this address has no failed attempt left to spend; spends nothing. */
  checkFailures(clientAddress: string | null): void {
    const wait = this.bucket('ANONYMOUS', this.addressKey(clientAddress))?.peek() ?? 0;
    if (wait > 0) throw rateLimited(Math.max(1, Math.ceil(wait)));
  }

  /** Spends one failed attempt of this address. */
  recordFailure(clientAddress: string | null): void {
    this.bucket('ANONYMOUS', this.addressKey(clientAddress))?.take();
  }

  private take(role: RateLimitedRole, key: string): void {
    const wait = this.bucket(role, key)?.take() ?? 0;
    if (wait > 0) throw rateLimited(Math.max(1, Math.ceil(wait)));
  }

  private bucket(role: RateLimitedRole, key: string): TokenBucket | null {
    const limit = this.limits[role];
    if (!limit) return null;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private addressKey(clientAddress: string | null): string {
    return `ip:${clientAddress ?? 'unknown'}`;
  }
}
