import type { RateLimit, RateLimitedRole } from '../../core/config';
import { rateLimited } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { MemoryBuckets, type BucketStore } from '../../engines/cluster/buckets';
import type { Caller } from '../../modules/shared/caller';

/** A request's body buys one rate token per started 128 KiB (a 1 KB predict: 1; a 2.4 MB one: 19). */
export const REQUEST_TOKEN_BYTES = 128 * 1024;

/** Rate tokens a request of `bytes` costs. */
export function requestCost(bytes: number): number {
  return Number.isFinite(bytes) && bytes > REQUEST_TOKEN_BYTES ? Math.ceil(bytes / REQUEST_TOKEN_BYTES) : 1;
}

/**
 * Token buckets: one per API key, sized by its role, and one per client address for attempts that
 * fail authentication (the ANONYMOUS limit), so a key cannot be guessed at wire speed. In this
 * process's memory, or in Redis for a cluster (one bucket per key for all instances). A store
 * that cannot answer (Redis away) lets the request through, logged: an outage of the limiter must
 * not become an outage of the API.
 */
export class RateLimiter {
  constructor(
    private readonly limits: Record<RateLimitedRole, RateLimit | null>,
    private readonly store: BucketStore = new MemoryBuckets(),
    private readonly log?: Logger,
  ) {}

  /**
   * Throws RATE_LIMITED (HTTP 429, Retry-After) when the caller's bucket is empty. A request costs
   * one token per started REQUEST_TOKEN_BYTES of its body: parsing a body costs the event loop
   * time in proportion to its size, so a key's rate bounds that time, not only its request count.
   */
  async check(caller: Caller, bytes = 0): Promise<void> {
    await this.spend(caller.role, `key:${caller.keyId}`, requestCost(bytes), true);
  }

  /** Throws RATE_LIMITED when this address has no failed attempt left to spend; spends nothing. */
  async checkFailures(clientAddress: string | null): Promise<void> {
    await this.spend('ANONYMOUS', this.addressKey(clientAddress), 1, false);
  }

  /** Spends one failed attempt of this address. */
  async recordFailure(clientAddress: string | null): Promise<void> {
    const limit = this.limits.ANONYMOUS;
    if (limit) await this.store.take(this.addressKey(clientAddress), limit, 1).catch((error) => this.unavailable(error));
  }

  private async spend(role: RateLimitedRole, key: string, cost: number, take: boolean): Promise<void> {
    const limit = this.limits[role];
    if (!limit) return;
    let wait: number;
    try {
      wait = take ? await this.store.take(key, limit, cost) : await this.store.peek(key, limit, cost);
    } catch (error) {
      this.unavailable(error);
      return;
    }
    if (wait > 0) throw rateLimited(Math.max(1, Math.ceil(wait)));
  }

  private lastWarning = 0;
  private unavailable(error: unknown): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.log?.warn({ error: error instanceof Error ? error.message : String(error) }, 'rate limits cannot be checked (Redis away); requests pass unlimited meanwhile');
  }

  private addressKey(clientAddress: string | null): string {
    return `ip:${clientAddress ?? 'unknown'}`;
  }
}
