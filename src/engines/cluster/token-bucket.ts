import type { RateLimit } from '../../core/config';

/** Milliseconds since some fixed point; injected so tests drive time. */
export type Clock = () => number;

/**
 * A token bucket: `burst` tokens to start, refilled at `perSecond`. Written out rather than taken
 * from a library because the semantics (continuous refill, an exact retry-after) are the contract
 * clients code against, and it is twenty lines.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly limit: RateLimit, private readonly clock: Clock) {
    this.tokens = limit.burst;
    this.updatedAt = clock();
  }

  /**
   * Takes `cost` tokens (at most `burst`, so any request can pass once the bucket is full);
   * returns 0 when granted, else the seconds until that many are available.
   */
  take(cost = 1): number {
    const needed = Math.min(cost, this.limit.burst);
    const wait = this.peek(needed);
    if (wait === 0) this.tokens -= needed;
    return wait;
  }

  /** Like take, without taking: 0 when `cost` tokens are there, else the seconds until they are. */
  peek(cost = 1): number {
    const now = this.clock();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.limit.perSecond);
    this.updatedAt = now;
    if (this.tokens >= cost) {
      return 0;
    }
    return (cost - this.tokens) / this.limit.perSecond;
  }
}
