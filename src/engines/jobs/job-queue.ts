/**
 * Runs one job, given its id; what a job means is the consumer's business. Resolving `'requeue'`
 * puts the job back in the queue instead of finishing it (a run stopped by a shutdown).
 */
export type JobHandler = (jobId: string) => Promise<void | 'requeue'>;

/** Jobs waiting and running, in this queue as a whole (every worker, when it is shared). */
export interface JobCounts {
  waiting: number;
  running: number;
}

/**
 * A named queue of jobs (training runs, batch predictions…): FIFO within a priority, higher
 * priority first, `concurrency` at a time per consumer. Producing (`enqueue`) and consuming
 * (`process`) are separate, as in BullMQ, so a service can be built with its queue before
 * anything consumes it, and an API instance can produce for workers elsewhere.
 */
export interface JobQueue {
  /**
   * Adds a job; a job id already waiting or running is not added twice. Rejects (the caller
   * answers SERVICE_UNAVAILABLE) when the queue's store cannot be reached.
   */
  enqueue(jobId: string, priority?: number): Promise<void>;
  /** Takes a waiting job out of the queue; false when it is not waiting (running, or unknown). */
  remove(jobId: string): Promise<boolean>;
  /** Starts consuming with `handler`; jobs enqueued before wait until then. Once per queue. */
  process(handler: JobHandler): void;
  counts(): Promise<JobCounts>;
  /** Stops taking new jobs; resolves when this consumer's running ones have finished. */
  close(): Promise<void>;
}

export interface JobQueueOptions {
  /** Jobs this consumer runs at once. */
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

  async counts(): Promise<JobCounts> {
    return { waiting: this.queue.length, running: this.active.size };
  }

  async enqueue(jobId: string, priority = 0): Promise<void> {
    this.add(jobId, priority);
  }

  async remove(jobId: string): Promise<boolean> {
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

  private add(jobId: string, priority: number): void {
    if (this.closed || this.active.has(jobId) || this.queue.some((job) => job.jobId === jobId)) return;
    this.queue.push({ jobId, priority, order: this.order++ });
    this.queue.sort((a, b) => b.priority - a.priority || a.order - b.order);
    this.pump();
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.closed && this.active.size < this.options.concurrency && this.queue.length > 0) {
      const { jobId, priority } = this.queue.shift()!;
      const work = handler(jobId)
        .then((result) => {
          this.active.delete(jobId);
          // Closed (a shutdown): the owner's recovery queues it at the next start.
          if (result === 'requeue') this.add(jobId, priority);
        })
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
