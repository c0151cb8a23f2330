import type { Queue, Worker } from 'bullmq';

/** BullMQ itself, loaded on first use: an embedded server (no REDIS_URL) never carries it. */
const bullmq = () => require('bullmq') as typeof import('bullmq');
import type { RedisConnections } from '../cluster/redis-connections';
import type { Logger } from '../../core/logger';
import type { JobCounts, JobHandler, JobQueue, JobQueueFactory, JobQueueOptions } from './job-queue';

/** Locks and the stalled-job check (a worker that died): how long before another worker takes its jobs. */
export interface StallSettings {
  /** A job's lock lasts this long and is renewed at half of it while its worker lives. */
  lockMs: number;
  /** How often each worker looks for jobs whose lock ran out. */
  stalledIntervalMs: number;
}

// BullMQ runs lower numbers first; ours run higher first. Every job gets a priority (BullMQ keeps
// FIFO order within one), so the two kinds never mix in two lists.
const MIDDLE = 1_000_000;
const bullPriority = (priority: number) => Math.min(2_097_151, Math.max(1, MIDDLE - Math.round(priority)));

/**
 * A JobQueue on BullMQ (Redis): any instance enqueues, every worker process consumes, a job id is
 * added once, and a job whose worker died is handed to another worker once its lock runs out
 * (the consumer decides what a second delivery means: see TrainingRunService.execute).
 */
export class BullMqQueue implements JobQueue {
  private readonly queue: Queue;
  private worker: Worker | null = null;

  constructor(
    private readonly name: string,
    private readonly options: JobQueueOptions,
    private readonly redis: RedisConnections,
    private readonly stall: StallSettings,
    private readonly log: Logger,
  ) {
    this.queue = new (bullmq().Queue)(name, { connection: redis.connect(`queue:${name}`), prefix: redis.key('bull') });
    this.queue.on('error', (error) => log.debug({ queue: name, error: error.message }, 'queue connection error'));
  }

  async enqueue(jobId: string, priority = 0): Promise<void> {
    await this.queue.add(this.name, null, { jobId, priority: bullPriority(priority), removeOnComplete: true, removeOnFail: true });
  }

  async remove(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // taken by a worker meanwhile
    }
  }

  process(handler: JobHandler): void {
    if (this.worker) throw new Error('this queue already has a consumer');
    this.worker = new (bullmq().Worker)(this.name, async (job, token) => {
      const result = await handler(job.id!);
      if (result === 'requeue') {
        // Back to waiting at once, for any worker; this one is stopping.
        await job.moveToDelayed(Date.now(), token);
        throw new (bullmq().DelayedError)();
      }
    }, {
      connection: this.redis.connect(`worker:${this.name}`, { waits: true }),
      prefix: this.redis.key('bull'),
      concurrency: this.options.concurrency,
      lockDuration: this.stall.lockMs,
      stalledInterval: this.stall.stalledIntervalMs,
      // Our handler decides what a job delivered again after a stall means, every time.
      maxStalledCount: 1_000_000,
    });
    this.worker.on('failed', (job, error) => {
      if (job && !(error instanceof bullmq().DelayedError)) this.options.onError?.(error, job.id!);
    });
    this.worker.on('error', (error) => this.log.debug({ queue: this.name, error: error.message }, 'worker connection error'));
  }

  async counts(): Promise<JobCounts> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0), running: counts.active ?? 0 };
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

/** The cluster factory: every queue on BullMQ under the cluster's prefix. */
export function bullMqQueues(redis: RedisConnections, stall: StallSettings, log: Logger): JobQueueFactory {
  return (name, options) => new BullMqQueue(name, options, redis, stall, log);
}
