import type Redis from 'ioredis';
import { decodeEvent, encodeEvent } from '../events/redis-event-target';

/**
 * Items a process holds before they reach the database (a worker's unflushed metric points),
 * readable by every process of the cluster: a subscriber that joins on another instance replays
 * the database plus these, so it sees what was published before it subscribed and not yet
 * written. The holder adds before it publishes and removes only after the database has them.
 */
export interface SharedPending<T> {
  add(group: string, items: T[]): Promise<void>;
  remove(group: string, items: T[]): Promise<void>;
  read(group: string): Promise<T[]>;
  clear(group: string): Promise<void>;
}

/** A hash per group (`<key>:<group>`), one field per item; forgotten after `ttlMs` if its holder dies. */
export class RedisPending<T> implements SharedPending<T> {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly fieldOf: (item: T) => string,
    private readonly ttlMs = 24 * 3600_000,
  ) {}

  async add(group: string, items: T[]): Promise<void> {
    if (items.length === 0) return;
    const key = `${this.key}:${group}`;
    const fields = items.flatMap((item) => [this.fieldOf(item), encodeEvent(item)]);
    await this.redis.multi().hset(key, ...fields).pexpire(key, this.ttlMs).exec();
  }

  async remove(group: string, items: T[]): Promise<void> {
    if (items.length === 0) return;
    await this.redis.hdel(`${this.key}:${group}`, ...items.map(this.fieldOf));
  }

  async read(group: string): Promise<T[]> {
    return (await this.redis.hvals(`${this.key}:${group}`)).map((text) => decodeEvent(text) as T);
  }

  async clear(group: string): Promise<void> {
    await this.redis.del(`${this.key}:${group}`);
  }
}
