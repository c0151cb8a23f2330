/** Runs one job, given its id; what a job means is the consumer's business. */
export type JobHandler = (jobId: string) => Promise<void>;

/**
 * A named queue of jobs (training runs, batch predictions…): FIFO within a priority, higher
 * priority first, `concurrency` at a time. Producing (`enqueue`) and consuming (`process`) are
 * separate, as in BullMQ, so a service can be built with its queue before anything consumes it.
 */
export interface JobQueue {
  enqueue(jobId: string, priority?: number): void;
  /** Takes a waiting job out of the queue; false when it is not waiting (running, or unknown). */
  remove(jobId: string): boolean;
  /** Starts consuming with `handler`; jobs enqueued before wait until then. Once per queue. */
  process(handler: JobHandler): void;
  readonly waiting: number;
  readonly running: number;
  /** Stops taking new jobs; resolves when the running ones have finished. */
  close(): Promise<void>;
}

export interface JobQueueOptions {
  /** Jobs run at once. */
  concurrency: number;
  /** Hears a job whose handler threw (the handler should record its own failures; this is the last resort). */
  onError?: (error: unknown, jobId: string) => void;
}

/** Makes the queue called `name`: the platform's one way to get a queue, whatever backs it. */
export type JobQueueFactory = (name: string, options: JobQueueOptions) => JobQueue;

/** The embedded queue: in this process's memory. Jobs left QUEUED by a restart are re-enqueued from the database by their owner. */
export class InProcessQueue implements JobQueue {
  private readonly queue: { jobId: string; priority: number; order: number }[] = [];
  private readonly active = new Map<string, Promise<void>>();
  private handler: JobHandler | null = null;
  private order = 0;
  private closed = false;

  constructor(private readonly options: JobQueueOptions) {}

  get waiting(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.active.size;
  }

  enqueue(jobId: string, priority = 0): void {
    if (this.closed || this.active.has(jobId) || this.queue.some((job) => job.jobId === jobId)) return;
    this.queue.push({ jobId, priority, order: this.order++ });
    this.queue.sort((a, b) => b.priority - a.priority || a.order - b.order);
    this.pump();
  }

  remove(jobId: string): boolean {
    const index = this.queue.findIndex((job) => job.jobId === jobId);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    return true;
  }

  process(handler: JobHandler): void {
    if (this.handler) throw new Error('this queue already has a consumer');
    this.handler = handler;
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.allSettled(this.active.values());
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.closed && this.active.size < this.options.concurrency && this.queue.length > 0) {
      const { jobId } = this.queue.shift()!;
      const work = handler(jobId)
        .catch((error) => this.options.onError?.(error, jobId))
        .finally(() => {
          this.active.delete(jobId);
          this.pump();
        });
      this.active.set(jobId, work);
    }
  }
}

/** The embedded factory: every queue in this process's memory. */
export const inProcessQueues: JobQueueFactory = (_name, options) => new InProcessQueue(options);
