import type Redis from 'ioredis';
import { badInput, conflict, notFound } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Logger } from '../../core/logger';
import type { RedisConnections } from '../../engines/cluster/redis-connections';
import type { Database } from '../../engines/db/database';
import { isUniqueViolation } from '../../engines/db/unique-violation';
import { toTypedValue, type ColumnType } from '../../ml/value-parsers';
import type { DatasetService } from '../datasets/dataset.service';
import { Feed, FeedDeadLetter, FeedKind, FeedTick } from './feed.entities';

export interface PushResult { accepted: number; duplicates: number; deadLettered: number }

/** A pushed or streamed row's shape: checked against the feed dataset's columns. */
type Columns = { name: string; type: string }[];

/**
 * Feeds: rows arriving one by one (a Redis stream read with XREADGROUP, or pushTicks), each
 * checked against the feed dataset's columns and stored once per source id with the next
 * sequence number, or dead-lettered with its reason (never dropped). Listeners (paper trading)
 * hear each stored tick in the process that stored it.
 */
export class FeedService {
  private readonly listeners: ((feedId: string) => Promise<void>)[] = [];
  private readonly consumers = new Map<string, { client: Redis; stopped: boolean }>();
  private rescan: NodeJS.Timeout | null = null;

  constructor(private readonly deps: { db: Database; log: Logger; redis: RedisConnections | null; datasets: DatasetService; instanceId: string }) {}

  onTick(listener: (feedId: string) => Promise<void>): void {
    this.listeners.push(listener);
  }

  async create(input: { name: string; datasetId: string; kind: FeedKind; streamKey?: string | null }, createdBy: string | null): Promise<Feed> {
    const { db, redis, datasets } = this.deps;
    const dataset = await datasets.byRef(input.datasetId, 'input.datasetId');
    if (input.kind === FeedKind.REDIS_STREAM && !redis) throw badInput('a REDIS_STREAM feed needs the cluster form (REDIS_URL)', { field: 'input.kind' });
    if (input.kind === FeedKind.HTTP_PUSH && input.streamKey) throw badInput('streamKey is for REDIS_STREAM feeds', { field: 'input.streamKey' });
    const feed = Object.assign(new Feed(), {
      id: newId(Feed), name: input.name, datasetId: dataset.id, kind: input.kind,
      streamKey: input.kind === FeedKind.REDIS_STREAM ? (input.streamKey ?? redis!.key('feeds', input.name)) : null,
      lastSeq: 0, createdBy, createdAt: new Date(),
    });
    try {
      await db.transaction((m) => m.insert(Feed, feed));
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a feed named ${JSON.stringify(input.name)} already exists`, { field: 'input.name' });
      throw error;
    }
    if (feed.kind === FeedKind.REDIS_STREAM) this.consume(feed);
    return feed;
  }

  async get(id: string): Promise<Feed> {
    const feed = await this.deps.db.manager.findOneBy(Feed, { id });
    if (!feed) throw notFound('Feed', id);
    return feed;
  }

  deadLetters(feedId: string, first: number): Promise<FeedDeadLetter[]> {
    return this.deps.db.manager.find(FeedDeadLetter, { where: { feedId }, order: { receivedAt: 'DESC', id: 'DESC' }, take: first });
  }

  async push(feedId: string, ticks: { id?: string | null; row: Record<string, unknown> }[]): Promise<PushResult> {
    const feed = await this.get(feedId);
    if (feed.kind !== FeedKind.HTTP_PUSH) throw badInput('this feed reads a Redis stream; XADD to it instead', { field: 'input.feedId' });
    const columns = await this.columnsOf(feed);
    const result: PushResult = { accepted: 0, duplicates: 0, deadLettered: 0 };
    for (const tick of ticks) result[await this.ingest(feed, columns, tick.id ?? newId(FeedTick), tick.row)]++;
    return result;
  }

  private async columnsOf(feed: Feed): Promise<Columns> {
    const dataset = await this.deps.datasets.get(feed.datasetId);
    return (await this.deps.datasets.version(dataset.id, dataset.latestVersion)).columns;
  }

  /** Checks one row and stores it with the feed's next sequence number (one transaction), or dead-letters it. */
  private async ingest(feed: Feed, columns: Columns, sourceId: string, row: Record<string, unknown>): Promise<'accepted' | 'duplicates' | 'deadLettered'> {
    const { db } = this.deps;
    let typed: Record<string, unknown>;
    try {
      typed = typedRow(columns, row);
    } catch (error) {
      await db.transaction((m) => m.insert(FeedDeadLetter, { id: newId(FeedDeadLetter), feedId: feed.id, sourceId, data: row as never, reason: (error as Error).message, receivedAt: new Date() }));
      return 'deadLettered';
    }
    if (await db.manager.existsBy(FeedTick, { feedId: feed.id, sourceId })) return 'duplicates';
    for (let attempt = 0; attempt < 20; attempt++) {
      const { lastSeq } = await this.get(feed.id);
      try {
        await db.transaction(async (m) => {
          const moved = await m.update(Feed, { id: feed.id, lastSeq }, { lastSeq: lastSeq + 1 });
          if (!moved.affected) throw new SeqTaken();
          await m.insert(FeedTick, { id: newId(FeedTick), feedId: feed.id, seq: lastSeq + 1, sourceId, data: typed as never, receivedAt: new Date() });
        });
      } catch (error) {
        if (error instanceof SeqTaken) continue;
        if (isUniqueViolation(error)) return 'duplicates';
        throw error;
      }
      for (const listener of this.listeners) await listener(feed.id).catch((e) => this.deps.log.error({ err: e, feedId: feed.id }, 'a tick listener failed'));
      return 'accepted';
    }
    throw conflict('the feed is too busy to take this row now; retry');
  }

  /** Starts reading every REDIS_STREAM feed (and, every 5 s, those created by other instances). */
  start(): void {
    if (!this.deps.redis) return;
    const scan = async () => {
      for (const feed of await this.deps.db.manager.findBy(Feed, { kind: FeedKind.REDIS_STREAM })) this.consume(feed);
    };
    void scan().catch((error) => this.deps.log.error({ err: error }, 'could not list feeds'));
    this.rescan = setInterval(() => void scan().catch(() => undefined), 5000);
    this.rescan.unref();
  }

  async stop(): Promise<void> {
    if (this.rescan) clearInterval(this.rescan);
    for (const consumer of this.consumers.values()) {
      consumer.stopped = true;
      consumer.client.disconnect();
    }
    this.consumers.clear();
  }

  /**
   * One consumer of the group `aimass` per feed per process: entries this consumer was given and
   * did not acknowledge (a restart) are read first, then new ones; an entry is acknowledged once
   * stored or dead-lettered. A tick is stored once per entry id, so a redelivery changes nothing.
   */
  private consume(feed: Feed): void {
    if (this.consumers.has(feed.id) || !this.deps.redis) return;
    const client = this.deps.redis.connect(`feed:${feed.name}`, { waits: true });
    const consumer = { client, stopped: false };
    this.consumers.set(feed.id, consumer);
    const key = feed.streamKey!;
    const group = 'aimass';
    const name = this.deps.instanceId;
    void (async () => {
      await client.xgroup('CREATE', key, group, '0', 'MKSTREAM').catch((error: Error) => { if (!/BUSYGROUP/.test(error.message)) throw error; });
      const columns = await this.columnsOf(feed);
      let cursor = '0'; // our pending entries first
      while (!consumer.stopped) {
        const reply = await client.xreadgroup('GROUP', group, name, 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', key, cursor) as [string, [string, string[]][]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (cursor === '0' && entries.length === 0) cursor = '>';
        for (const [id, fields] of entries) {
          const raw = fields[fields.indexOf('row') + 1];
          let row: Record<string, unknown>;
          try {
            row = fields.includes('row') ? JSON.parse(raw) : Object.fromEntries(fields.flatMap((f, i) => (i % 2 ? [] : [[f, fields[i + 1]]])));
          } catch {
            row = { raw };
          }
          await this.ingest(feed, columns, id, row);
          await client.xack(key, group, id);
        }
      }
    })().catch((error) => {
      if (!consumer.stopped) this.deps.log.error({ err: error, feedId: feed.id }, 'feed consumer stopped');
      this.consumers.delete(feed.id);
    });
  }
}

class SeqTaken extends Error {}

/** A row checked against the columns: each present, each of its column's type. */
function typedRow(columns: Columns, row: Record<string, unknown>): Record<string, unknown> {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error('a tick is an object of column values');
  const typed: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.name];
    if (value === undefined || value === null || value === '') throw new Error(`column ${JSON.stringify(column.name)} is missing`);
    try {
      typed[column.name] = toTypedValue(column.type as ColumnType, String(value));
    } catch (error) {
      throw new Error(`column ${JSON.stringify(column.name)}: ${(error as Error).message}`);
    }
  }
  return typed;
}
