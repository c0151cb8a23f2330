import type Redis from 'ioredis';

/**
 * ioredis, loaded on first connection: an embedded server (no REDIS_URL) never carries it. With
 * BullMQ and nodemailer loaded the same way, idle RSS with the demo data went from 163 to 159 MB
 * (`node dist/bench/run.js memory`, 3 servers each; 334 fewer modules).
 */
const ioredis = () => require('ioredis') as typeof import('ioredis').default;
import type { Logger } from '../../core/logger';

const redactRedisUrl = (url: string) => url.replace(/\/\/([^@]*)@/, '//***@');

export interface RedisConfig {
  /** `REDIS_URL`, e.g. redis://127.0.0.1:6379. */
  url: string;
  /** `REDIS_PREFIX`: channels, keys and queues of this cluster start with it. */
  prefix: string;
}

/**
 * The Redis connections of one process (ioredis: reconnects with back-off by itself). A command
 * connection fails fast while Redis is away, so a request that needs Redis answers at once
 * instead of hanging; a waiting connection (subscriber, queue worker) keeps its commands until
 * Redis is back. Each state change is logged once, not once per retry.
 */
export class RedisConnections {
  private readonly clients: Redis[] = [];

  constructor(readonly config: RedisConfig, private readonly log: Logger) {}

  /** A new connection named `<prefix>:<name>` in CLIENT LIST. */
  connect(name: string, { waits = false } = {}): Redis {
    const client = new (ioredis())(this.config.url, {
      connectionName: `${this.config.prefix}:${name}`,
      // null: BullMQ's blocking commands and a subscriber wait out an outage; 1: fail fast.
      maxRetriesPerRequest: waits ? null : 1,
      enableOfflineQueue: waits,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3000),
    });
    let lost = false;
    client.on('error', (error: Error) => {
      if (lost) return;
      lost = true;
      this.log.warn({ connection: name, error: error.message }, 'Redis connection lost; reconnecting');
    });
    client.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.log.info({ connection: name }, 'Redis connection back');
    });
    this.clients.push(client);
    return client;
  }

  /** Resolves once every connection is up; rejects after `timeoutMs` (a start with Redis away fails, naming it). */
  async connected(timeoutMs = 10_000): Promise<void> {
    const pending = this.clients.filter((client) => client.status !== 'ready');
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(pending.map((client) => new Promise<void>((resolve) => client.once('ready', () => resolve())))),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`Redis at ${redactRedisUrl(this.config.url)} did not answer within ${timeoutMs} ms`)), timeoutMs); }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every connection is up (for /readyz). */
  get ready(): boolean {
    return !this.closed && this.clients.every((client) => client.status === 'ready');
  }

  private closed = false;

  /** A key in this cluster's namespace. */
  key(...parts: string[]): string {
    return [this.config.prefix, ...parts].join(':');
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
  }
}
