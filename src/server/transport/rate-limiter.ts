import { LRUCache } from 'lru-cache';
import type { RateLimit, RateLimitedRole } from '../../core/config';
import { rateLimited } from '../../core/errors';
import type { Caller } from '../../modules/shared/caller';
import { TokenBucket, type Clock } from './token-bucket';

/** A request's body buys one rate token per started 128 KiB (a 1 KB predict: 1; a 2.4 MB one: 19). */
export const REQUEST_TOKEN_BYTES = 128 * 1024;

/** Rate tokens a request of `bytes` costs. */
export function requestCost(bytes: number): number {
  return Number.isFinite(bytes) && bytes > REQUEST_TOKEN_BYTES ? Math.ceil(bytes / REQUEST_TOKEN_BYTES) : 1;
}

/**
 * Token buckets: one per API key, sized by its role, and one per client address for attempts that
 * fail authentication (the ANONYMOUS limit), so a key cannot be guessed at wire speed. In memory,
 * per instance: with N instances a key gets up to N times its rate.
 */
export class RateLimiter {
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: 100_000 });

  constructor(private readonly limits: Record<RateLimitedRole, RateLimit | null>, private readonly clock: Clock = Date.now) {}

  /**
   * Throws RATE_LIMITED (HTTP 429, Retry-After) when the caller's bucket is empty. A request costs
   * one token per started REQUEST_TOKEN_BYTES of its body: parsing a body costs the event loop
   * time in proportion to its size, so a key's rate bounds that time, not only its request count.
   */
  check(caller: Caller, bytes = 0): void {
    this.take(caller.role, `key:${caller.keyId}`, requestCost(bytes));
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

  private take(role: RateLimitedRole, key: string, cost = 1): void {
    const wait = this.bucket(role, key)?.take(cost) ?? 0;
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
