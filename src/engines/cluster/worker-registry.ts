import os from 'node:os';
import type Redis from 'ioredis';
import type { Logger } from '../../core/logger';

/** A worker as it describes itself in each heartbeat. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  /** TensorFlow.js backend of its latest training, once it trained. */
  backend: string | null;
  /** Trainings it runs at once (TRAINING_CONCURRENCY). */
  capacity: number;
  /** Trainings it runs now. */
  running: number;
  startedAt: Date;
  lastHeartbeat: Date;
}

/** What a worker reports about itself at each beat (the rest the registry fills in). */
export type WorkerStatus = Pick<WorkerInfo, 'backend' | 'capacity' | 'running'>;

/**
 * Worker heartbeats. Each worker process writes `<prefix>:worker:<id>` every `intervalMs`, living
 * three intervals; a worker that stops cleanly deletes it and leaves a goodbye
 * (`<prefix>:worker-bye:<id>`, one minute). A worker whose entry expired without a goodbye was
 * lost (killed, frozen, cut off): `lost()` reports those the caller has seen go. Without Redis
 * (the embedded form) this process is the only worker.
 */
export class WorkerRegistry {
  private timer: NodeJS.Timeout | null = null;
  private status: (() => WorkerStatus) | null = null;
  private readonly startedAt = new Date();
  /** Read once: os.hostname() is a system call, and systemInfo lists this worker on every request. */
  private readonly host = os.hostname();
  /** Workers listed by the previous `lost()` call, to notice the ones that went. */
  private seen = new Set<string>();
  /** Workers noticed lost, and when. */
  private readonly lostAt = new Map<string, number>();

  constructor(
    private readonly redis: Redis | null,
    private readonly prefix: string,
    readonly selfId: string,
    private readonly log: Logger,
    private readonly intervalMs = 5000,
  ) {}

  /**
   * Starts beating for this process, a worker, with `status` read at each beat. `alsoEachBeat`:
   * a worker's low-rate checks that must not depend on Redis (it runs whether or not the beat is
   * written; its failure is logged); none at the first beat, which is at start.
   */
  start(status: () => WorkerStatus, alsoEachBeat?: () => Promise<void>): void {
    this.status = status;
    if (!this.redis || this.timer) return;
    const beat = () => this.redis!.set(this.key(this.selfId), JSON.stringify(this.self()), 'PX', this.intervalMs * 3)
      .catch((error: Error) => this.log.debug({ error: error.message }, 'heartbeat not written'));
    void beat();
    this.timer = setInterval(() => {
      void beat();
      void alsoEachBeat?.().catch((error: unknown) => this.log.error({ err: error }, 'a worker check failed'));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops beating and says goodbye, so this worker is not reported lost. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.redis || !this.status) return;
    await this.redis.multi().del(this.key(this.selfId)).set(`${this.prefix}:worker-bye:${this.selfId}`, '1', 'PX', 60_000).exec().catch(() => undefined);
  }

  /** The live workers, oldest first. */
  async list(): Promise<WorkerInfo[]> {
    if (!this.redis) return this.status ? [this.self()] : [];
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.key('*'), 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0' && keys.length < 10_000);
    const values = keys.length ? await this.redis.mget(...keys) : [];
    return values.flatMap((value) => (value ? [revive(JSON.parse(value))] : [])).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  /** Workers listed last time that are gone now without a goodbye. */
  async lost(): Promise<string[]> {
    if (!this.redis) return [];
    const now = new Set((await this.list()).map((worker) => worker.id));
    const gone = [...this.seen].filter((id) => !now.has(id));
    this.seen = now;
    const lost: string[] = [];
    for (const id of gone) if (!(await this.redis.exists(`${this.prefix}:worker-bye:${id}`))) lost.push(id);
    return lost;
  }

  /** How many workers were noticed lost within the last `seconds` (each call also looks for new ones). */
  async lostWithin(seconds: number): Promise<number> {
    const now = Date.now();
    for (const id of await this.lost()) this.lostAt.set(id, now);
    for (const [id, at] of this.lostAt) if (now - at > seconds * 1000) this.lostAt.delete(id);
    return this.lostAt.size;
  }

  private self(): WorkerInfo {
    return { id: this.selfId, host: this.host, pid: process.pid, ...this.status!(), startedAt: this.startedAt, lastHeartbeat: new Date() };
  }

  private key(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }
}

function revive(raw: WorkerInfo): WorkerInfo {
  return { ...raw, startedAt: new Date(raw.startedAt), lastHeartbeat: new Date(raw.lastHeartbeat) };
}
