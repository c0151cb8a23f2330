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

  /** Takes one token; returns 0 when granted, else the seconds until one is available. */
  take(): number {
    const wait = this.peek();
    if (wait === 0) this.tokens -= 1;
    return wait;
  }

  /** Like take, without taking: 0 when a token is there, else the seconds until one is. */
  peek(): number {
    const now = this.clock();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.limit.perSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      return 0;
    }
    return (1 - this.tokens) / this.limit.perSecond;
  }
}
