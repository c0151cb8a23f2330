/** A queue of training runs: FIFO within a priority, higher priority first, `concurrency` at a time. */
export interface JobQueue {
  enqueue(runId: string, priority?: number): void;
  /** Takes a waiting run out of the queue; false when it is not waiting (running, or unknown). */
  remove(runId: string): boolean;
  readonly waiting: number;
  readonly running: number;
  /** Stops taking new runs; resolves when the running ones have finished. */
  close(): Promise<void>;
}

/** The embedded queue: in this process's memory. Runs left QUEUED by a restart are re-enqueued from the database. */
export class InProcessQueue implements JobQueue {
  private readonly queue: { runId: string; priority: number; order: number }[] = [];
  private readonly active = new Map<string, Promise<void>>();
  private order = 0;
  private closed = false;

  constructor(private readonly handler: (runId: string) => Promise<void>, private readonly concurrency: number, private readonly onError: (error: unknown, runId: string) => void = () => {}) {}

  get waiting(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.active.size;
  }

  enqueue(runId: string, priority = 0): void {
    if (this.closed || this.active.has(runId) || this.queue.some((job) => job.runId === runId)) return;
    this.queue.push({ runId, priority, order: this.order++ });
    this.queue.sort((a, b) => b.priority - a.priority || a.order - b.order);
    this.pump();
  }

  remove(runId: string): boolean {
    const index = this.queue.findIndex((job) => job.runId === runId);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.allSettled(this.active.values());
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.concurrency && this.queue.length > 0) {
      const { runId } = this.queue.shift()!;
      const work = this.handler(runId)
        .catch((error) => this.onError(error, runId))
        .finally(() => {
          this.active.delete(runId);
          this.pump();
        });
      this.active.set(runId, work);
    }
  }
}
