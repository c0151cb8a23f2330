import { serviceUnavailable } from '../../core/errors';

export interface AdmissionOptions<L extends string> {
  /** Calls each lane may run at once. */
  limits: Record<L, number>;
  /** Calls that may wait per lane beyond that; more are refused (SERVICE_UNAVAILABLE). */
  queueLimit: number;
  /**
   * The lane that comes first (PRODUCTION). While it has run a call within `activeMs`, every other
   * lane runs at most `yieldLimit` calls at once: their waiting callers cost nothing, so a flood
   * in TEST then takes a small share of the one event loop instead of most of it.
   */
  priority?: { lane: L; yieldLimit: number; activeMs: number };
  clock?: () => number;
}

/**
 * A concurrency limit per lane (an environment): at most `limits[lane]` calls run at once, up to
 * `queueLimit` more wait in order, and the rest are refused at once (SERVICE_UNAVAILABLE). Lanes
 * share no slots, so a flood of TEST predicts waits in TEST's lane while PRODUCTION's go on; and
 * while PRODUCTION is busy the other lanes shrink to `priority.yieldLimit`.
 */
export class Admission<L extends string> {
  private readonly running = new Map<L, number>();
  private readonly waiting = new Map<L, (() => void)[]>();
  private priorityLastActive = Number.NEGATIVE_INFINITY;
  private readonly clock: () => number;

  constructor(private readonly options: AdmissionOptions<L>) {
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Runs `work` once the lane has room. */
  async run<T>(lane: L, work: () => Promise<T>): Promise<T> {
    await this.enter(lane);
    try {
      return await work();
    } finally {
      this.leave(lane);
    }
  }

  /** Calls running and waiting in a lane (for tests and health). */
  load(lane: L): { running: number; waiting: number } {
    return { running: this.running.get(lane) ?? 0, waiting: this.waiting.get(lane)?.length ?? 0 };
  }

  /** What a lane may run at once now. */
  limitOf(lane: L): number {
    const { limits, priority } = this.options;
    if (!priority || lane === priority.lane) return limits[lane];
    const active = (this.running.get(priority.lane) ?? 0) > 0 || this.clock() - this.priorityLastActive < priority.activeMs;
    return active ? Math.min(limits[lane], priority.yieldLimit) : limits[lane];
  }

  private async enter(lane: L): Promise<void> {
    if (lane === this.options.priority?.lane) this.priorityLastActive = this.clock();
    const running = this.running.get(lane) ?? 0;
    const queue = this.waiting.get(lane) ?? [];
    if (running < this.limitOf(lane) && queue.length === 0) {
      this.running.set(lane, running + 1);
      return;
    }
    if (queue.length >= this.options.queueLimit) {
      throw serviceUnavailable(`${lane} is serving ${running} predict calls with ${queue.length} waiting, its limit; retry shortly`, { environment: lane });
    }
    this.waiting.set(lane, queue);
    // leave() counts the slot in before it wakes a waiter, so the count stays right.
    await new Promise<void>((resolve) => queue.push(resolve));
  }

  private leave(lane: L): void {
    if (lane === this.options.priority?.lane) this.priorityLastActive = this.clock();
    this.running.set(lane, (this.running.get(lane) ?? 1) - 1);
    // Wake as many as the lane's limit now allows: more than one when PRODUCTION went quiet.
    const queue = this.waiting.get(lane);
    while (queue?.length && (this.running.get(lane) ?? 0) < this.limitOf(lane)) {
      this.running.set(lane, (this.running.get(lane) ?? 0) + 1);
      queue.shift()!();
    }
  }
}
