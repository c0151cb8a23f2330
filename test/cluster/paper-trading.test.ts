import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { trainVersion } from '../support/serving';
import { freshDatabase } from '../support/test-database';
import { startTestServer, testRedisUrl, type TestServer } from '../support/test-server';
import { until } from '../support/until';

/**
 * Paper trading fed through a Redis stream: every tick decided once, also across a server
 * restart with ticks arriving while it was down (its consumer group remembers what was read).
 */
const rows = readDataset('SP500.csv').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1).map((line) => {
  const [date, close] = line.split(',');
  return { Date: date, Close: Number(close) };
});
const prefix = `paper-${process.pid}-${Date.now()}`;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let redis: Redis;
let server: TestServer | null = null;
const SESSION = 'query($id: ID!) { paperTradingSession(id: $id) { lastSeq decisions } }';

beforeAll(async () => {
  database = await freshDatabase();
  redis = new Redis(testRedisUrl()!);
});
afterAll(async () => {
  await server?.close();
  redis?.disconnect();
  await database?.drop();
});

describe('paper trading on a Redis stream', () => {
  it('decides each tick once, before and after a restart, and dead-letters a bad entry', async () => {
    server = await startTestServer({ database: database.config, redisPrefix: prefix });
    const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "sp500", csv: $csv }) { id } }', { csv: readDataset('SP500.csv') });
    const { createModel } = await server.query('mutation { createModel(input: { name: "sp500-lstm", task: TIME_SERIES_FORECAST, architecture: LSTM, featureColumns: [], targetColumn: "Close", hyperparameters: { windowSize: 4, horizon: 1, epochs: 2, batchSize: 8, hiddenUnits: [4] } }) { id } }');
    const version = await trainVersion(server, createModel.id, createDataset.id, 1);
    await server.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v: version });
    const { createFeed } = await server.query('mutation($d: ID!) { createFeed(input: { name: "ticks", datasetId: $d, kind: REDIS_STREAM }) { id streamKey } }', { d: createDataset.id });
    expect(createFeed.streamKey).toBe(`${prefix}:feeds:ticks`);
    const { startPaperTrading } = await server.query('mutation($f: ID!) { startPaperTrading(input: { modelId: "sp500-lstm", environment: TEST, feedId: $f, strategy: LONG_SHORT }) { id } }', { f: createFeed.id });
    const add = async (from: number, to: number) => { for (const row of rows.slice(from, to)) await redis.xadd(createFeed.streamKey, '*', 'row', JSON.stringify(row)); };

    await add(0, 8);
    await until(() => server!.query(SESSION, { id: startPaperTrading.id }), (d) => d.paperTradingSession.decisions === 8, 20_000);
    await server.close();
    server = null;
    // While no server runs: six more ticks and a bad one.
    await add(8, 11);
    await redis.xadd(createFeed.streamKey, '*', 'row', JSON.stringify({ Date: 'yesterday-ish', Close: 1 }));
    await add(11, 14);

    server = await startTestServer({ database: database.config, redisPrefix: prefix });
    const { paperTradingSession } = await until(() => server!.query(SESSION, { id: startPaperTrading.id }), (d) => d.paperTradingSession.decisions >= 14, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await server.query(SESSION, { id: startPaperTrading.id })).paperTradingSession;
    expect(after).toEqual({ lastSeq: 14, decisions: 14 });
    expect(paperTradingSession.lastSeq).toBe(14);
    const { feedDeadLetters } = await server.query('query($f: ID!) { feedDeadLetters(feedId: $f) { reason } }', { f: createFeed.id });
    expect(feedDeadLetters).toHaveLength(1);
    expect(feedDeadLetters[0].reason).toMatch(/column "Date"/);
    await server.query('mutation($id: ID!) { stopPaperTrading(id: $id) { status } }', { id: startPaperTrading.id });
  });
});
