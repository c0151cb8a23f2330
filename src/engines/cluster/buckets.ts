import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { RateLimit } from '../../core/config';
import { TokenBucket, type Clock } from './token-bucket';

/**
 * Where token buckets live: this process's memory, or Redis so that every instance of a cluster
 * draws on one bucket per key. Both answer 0 when the tokens are there (taken, for `take`), else
 * the seconds until they will be.
 */
export interface BucketStore {
  take(key: string, limit: RateLimit, cost: number): Promise<number>;
  peek(key: string, limit: RateLimit, cost: number): Promise<number>;
}

/** The embedded store: a bucket per key in an LRU of 100,000. */
export class MemoryBuckets implements BucketStore {
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: 100_000 });

  constructor(private readonly clock: Clock = Date.now) {}

  async take(key: string, limit: RateLimit, cost: number): Promise<number> {
    return this.bucket(key, limit).take(cost);
  }

  async peek(key: string, limit: RateLimit, cost: number): Promise<number> {
    return this.bucket(key, limit).peek(Math.min(cost, limit.burst));
  }

  private bucket(key: string, limit: RateLimit): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(limit, this.clock)));
    return bucket;
  }
}

/**
 * TokenBucket's arithmetic in one Lua script, so a bucket shared by instances is read, refilled
 * and taken atomically. Time is Redis's own (TIME), so instances' clocks cannot disagree. The
 * bucket expires once it would be full again.
 */
const SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = math.min(tonumber(ARGV[3]), burst)
local take = ARGV[4] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local wait = 0
if tokens >= cost then
  if take then tokens = tokens - cost end
else
  wait = (cost - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return tostring(wait)
`;

type BucketClient = Redis & { aimassBucket(key: string, rate: number, burst: number, cost: number, take: string): Promise<string> };

/** The cluster store: one bucket per key in Redis, under `<prefix>:rate:`. */
export class RedisBuckets implements BucketStore {
  private readonly client: BucketClient;

  constructor(client: Redis, private readonly prefix: string) {
    client.defineCommand('aimassBucket', { numberOfKeys: 1, lua: SCRIPT });
    this.client = client as BucketClient;
  }

  async take(key: string, limit: RateLimit, cost: number): Promise<number> {
    return Number(await this.client.aimassBucket(`${this.prefix}:rate:${key}`, limit.perSecond, limit.burst, cost, '1'));
  }

  async peek(key: string, limit: RateLimit, cost: number): Promise<number> {
    return Number(await this.client.aimassBucket(`${this.prefix}:rate:${key}`, limit.perSecond, limit.burst, cost, '0'));
  }
}
