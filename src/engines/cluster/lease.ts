import type Redis from 'ioredis';
import type { Logger } from '../../core/logger';

/**
 * Who runs the cluster's schedules (alert evaluation, drift checks, retention clean-ups): the one
 * process holding the lease. Embedded, this process always does.
 */
export interface Lease {
  readonly held: boolean;
  start(): void;
  stop(): Promise<void>;
}

export const soloLease: Lease = { held: true, start() {}, async stop() {} };

// Renew or release only a lease this owner still holds.
const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * A lease in Redis: SET NX PX, renewed every third of its lifetime by its holder. If the holder
 * dies the key expires and another process takes it at its next try, within `ttlMs` plus a third.
 * A holder that cannot renew (Redis away, or too slow) stops believing it holds the lease before
 * the key can expire, so two processes never both act for long.
 */
export class RedisLease implements Lease {
  private heldUntil = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly redis: Redis, private readonly key: string, private readonly owner: string, private readonly log: Logger, private readonly ttlMs = 15_000) {}

  get held(): boolean {
    return Date.now() < this.heldUntil;
  }

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.held) return;
    this.heldUntil = 0;
    await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const asked = Date.now();
    try {
      const wasHeld = this.held;
      const ok = wasHeld
        ? Number(await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.ttlMs))) === 1
        : (await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX')) === 'OK';
      // Counted from before the request went out: the key may expire that much sooner.
      this.heldUntil = ok ? asked + this.ttlMs - 1000 : 0;
      if (ok !== wasHeld) this.log.info({ lease: this.key, held: ok }, ok ? 'this process now runs the cluster\'s schedules' : 'another process runs the cluster\'s schedules');
    } catch {
      this.heldUntil = Math.min(this.heldUntil, asked + this.ttlMs - 1000);
    }
  }
}
