import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionLog, type LoggedPrediction } from '../../src/modules/predictions/prediction-log';
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
const entry = (i: number, createdAt: Date, modelId = 'mdl_log'): LoggedPrediction => ({
  modelId, modelVersionId: 'mv_log', environment: 'TEST', inputs: { i }, outputs: { value: i / 10, label: null }, latencyMs: 1.5, requestId: `r${i}`, createdAt,
});
const count = (modelId: string) => server.services.db.manager.countBy(Prediction, { modelId });

describe('prediction log', () => {
  it('writes buffered rows in bulk, readable through predictions(filter), newest first', async () => {
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 1, flushMs: 10_000, retentionDays: 30 }));
    const now = Date.now();
    log.record(Array.from({ length: 600 }, (_, i) => entry(i, new Date(now - (600 - i) * 1000), 'mdl_bulk')));
    expect(await count('mdl_bulk'), 'nothing written before the flush').toBe(0);
    await log.flush();
    expect(await count('mdl_bulk')).toBe(600);
    expect(log.counts.written).toBe(600);
    const rows = await server.services.predictions.list({ modelId: 'mdl_bulk', from: new Date(now - 100_000) }, { first: 3 });
    expect((rows.items as Prediction[]).map((p) => p.inputs)).toEqual([{ i: 599 }, { i: 598 }, { i: 597 }]);
    expect(await rows.totalCount()).toBe(100);
  });

  it('keeps only the sampled share of rows', async () => {
    let n = 0;
    // A deterministic "random" cycling 0.0 … 0.9: a rate of 0.3 keeps exactly 3 rows in 10.
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 0.3, flushMs: 10_000, retentionDays: 30 }, undefined, () => (n++ % 10) / 10));
    log.record(Array.from({ length: 100 }, (_, i) => entry(i, new Date(), 'mdl_sampled')));
    await log.flush();
    expect(await count('mdl_sampled')).toBe(30);
    expect(log.counts.sampledOut).toBe(70);
  });

  it('deletes rows past the retention period and keeps the rest', async () => {
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 1, flushMs: 10_000, retentionDays: 7 }));
    const now = new Date();
    log.record([entry(1, new Date(now.getTime() - 8 * DAY), 'mdl_old'), entry(2, new Date(now.getTime() - 6 * DAY), 'mdl_old'), entry(3, now, 'mdl_old')]);
    await log.flush();
    await log.sweep(now);
    const left = await server.services.db.manager.find(Prediction, { where: { modelId: 'mdl_old' } });
    expect(left.map((p) => p.inputs.i).sort()).toEqual([2, 3]);
  });

  it('drops rows beyond its buffer instead of growing without bound, and counts them', async () => {
    const log = track(new PredictionLog(server.services.db, server.services.config.database, { sampleRate: 1, flushMs: 10_000, retentionDays: 30, maxBuffered: 50 }));
    log.record(Array.from({ length: 80 }, (_, i) => entry(i, new Date(), 'mdl_full')));
    expect(log.counts.dropped).toBe(30);
    await log.flush();
    expect(await count('mdl_full')).toBe(50);
  });
});
