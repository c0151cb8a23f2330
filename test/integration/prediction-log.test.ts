import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionLog, type LoggedRequest } from '../../src/modules/predictions/prediction-log';
import { Prediction } from '../../src/modules/predictions/prediction.entity';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
const logs: PredictionLog[] = [];
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => {
  // Each log has its own writer thread; stop them before the database goes.
  await Promise.all(logs.map((log) => log.close()));
  await server?.close();
});

const DAY = 86_400_000;
const track = (log: PredictionLog) => { logs.push(log); return log; };
/** A request that served rows `from` … `to - 1` at `createdAt`. */
const served = (from: number, to: number, createdAt: Date, modelId = 'mdl_log'): LoggedRequest => {
  const ids = Array.from({ length: to - from }, (_, k) => from + k);
  return { modelId, modelVersionId: 'mv_log', environment: 'TEST', inputs: ids.map((i) => ({ i })), outputs: ids.map((i) => ({ value: i / 10, label: null })), latencyMs: 1.5, requestId: `r${from}`, createdAt };
};
const count = (modelId: string) => server.services.db.manager.countBy(Prediction, { modelId });

describe('prediction log', () => {
  it('writes buffered rows in bulk, readable through predictions(filter), newest first', async () => {
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 1, flushMs: 10_000, retentionDays: 30 }));
    const now = Date.now();
    for (let i = 0; i < 600; i += 100) log.record(served(i, i + 100, new Date(now - (600 - i) * 1000), 'mdl_bulk'));
    expect(await count('mdl_bulk'), 'nothing written before the flush').toBe(0);
    await log.flush();
    expect(await count('mdl_bulk')).toBe(600);
    expect(log.counts.written).toBe(600);
    const rows = await server.services.predictions.list({ modelId: 'mdl_bulk', from: new Date(now - 150_000) }, { first: 3 });
    expect((rows.items as Prediction[]).map((p) => p.inputs)).toEqual([{ i: 599 }, { i: 598 }, { i: 597 }]);
    expect((rows.items as Prediction[])[0].outputs).toEqual({ value: 59.9, label: null });
    expect(await rows.totalCount(), 'the last request, 100 s ago, is the only one after the cut').toBe(100);
  });

  it('keeps only the sampled share of rows', async () => {
    let n = 0;
    // A deterministic "random" cycling 0.0 … 0.9: a rate of 0.3 keeps exactly 3 rows in 10.
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 0.3, flushMs: 10_000, retentionDays: 30 }, undefined, () => (n++ % 10) / 10));
    log.record(served(0, 100, new Date(), 'mdl_sampled'));
    await log.flush();
    expect(await count('mdl_sampled')).toBe(30);
    expect(log.counts.sampledOut).toBe(70);
  });

  it('deletes rows past the retention period and keeps the rest', async () => {
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 1, flushMs: 10_000, retentionDays: 7 }));
    const now = new Date();
    log.record(served(1, 2, new Date(now.getTime() - 8 * DAY), 'mdl_old'));
    log.record(served(2, 3, new Date(now.getTime() - 6 * DAY), 'mdl_old'));
    log.record(served(3, 4, now, 'mdl_old'));
    await log.flush();
    await log.sweep(now);
    const left = await server.services.db.manager.find(Prediction, { where: { modelId: 'mdl_old' } });
    expect(left.map((p) => p.inputs.i).sort()).toEqual([2, 3]);
  });

  it('drops rows beyond its buffer instead of growing without bound, and counts them', async () => {
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 1, flushMs: 10_000, retentionDays: 30, maxBuffered: 50 }));
    log.record(served(0, 80, new Date(), 'mdl_full'));
    expect(log.counts.dropped).toBe(30);
    await log.flush();
    expect(await count('mdl_full')).toBe(50);
  });
});

describe('DURABLE commits', () => {
  const durableLog = () => track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 0, flushMs: 10_000, retentionDays: 30, maxBuffered: 1 }));

  it('resolves once the rows are stored, every row whatever the sample rate and buffer cap, grouping the requests of one turn into one commit', async () => {
    const log = durableLog();
    const commits = Array.from({ length: 50 }, (_, i) => log.commit(served(i * 10, i * 10 + 10, new Date(), 'mdl_durable')));
    await Promise.all(commits);
    expect(await count('mdl_durable'), 'stored before any flush').toBe(500);
    expect(log.counts).toMatchObject({ groupCommits: 1, sampledOut: 0, dropped: 0 });
  });

  it('gathers the requests that arrive during a commit into the next one', async () => {
    const log = durableLog();
    const first = [0, 1, 2].map((i) => log.commit(served(i, i + 1, new Date(), 'mdl_grouped')));
    // The first group is in flight once its turn has ended; these wait for it, then go as one.
    await new Promise((resolve) => setImmediate(resolve));
    const second = [3, 4, 5, 6].map((i) => log.commit(served(i, i + 1, new Date(), 'mdl_grouped')));
    await Promise.all([...first, ...second]);
    expect(log.counts.groupCommits).toBe(2);
    expect(await count('mdl_grouped')).toBe(7);
  });

  it('rejects every request of a group whose commit fails, storing none of its rows', async () => {
    const log = durableLog();
    const good = log.commit(served(0, 5, new Date(), 'mdl_atomic'));
    // NOT NULL environment: the database refuses this row, and with it the whole transaction.
    const bad = log.commit({ ...served(5, 6, new Date(), 'mdl_atomic'), environment: null as unknown as string });
    const outcomes = await Promise.allSettled([good, bad]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await count('mdl_atomic')).toBe(0);
    expect(log.counts.durableFailed).toBe(6);
    // The log goes on: the next commit stores its rows.
    await log.commit(served(6, 8, new Date(), 'mdl_atomic'));
    expect(await count('mdl_atomic')).toBe(2);
  });
});
