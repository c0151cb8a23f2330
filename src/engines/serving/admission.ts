import { serviceUnavailable } from '../../core/errors';

/**
 * A concurrency limit per lane (an environment): at most `limits[lane]` calls run at once, up to
 * `queueLimit` more wait in order, and the rest are refused at once (SERVICE_UNAVAILABLE). Lanes
 * share nothing, so a flood of TEST predicts waits in TEST's lane while PRODUCTION's go on.
 */
export class Admission<L extends string> {
  private readonly running = new Map<L, number>();
  private readonly waiting = new Map<L, (() => void)[]>();

  constructor(private readonly limits: Record<L, number>, private readonly queueLimit: number) {}

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

  private async enter(lane: L): Promise<void> {
    const running = this.running.get(lane) ?? 0;
    if (running < this.limits[lane]) {
      this.running.set(lane, running + 1);
      return;
    }
    const queue = this.waiting.get(lane) ?? [];
    if (queue.length >= this.queueLimit) {
      throw serviceUnavailable(`${lane} is serving ${running} predict calls with ${queue.length} waiting, its limit; retry shortly`, { environment: lane });
    }
    this.waiting.set(lane, queue);
    // leave() hands its slot straight to the first waiter, so the count stays right.
    await new Promise<void>((resolve) => queue.push(resolve));
  }

  private leave(lane: L): void {
    const next = this.waiting.get(lane)?.shift();
    if (next) next();
    else this.running.set(lane, (this.running.get(lane) ?? 1) - 1);
  }
}
