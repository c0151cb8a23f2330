import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Database } from '../../src/engines/db/database';
import { databaseSchema } from '../../src/server/registry';
import { MetricStore } from '../../src/modules/training/metric-store';
import { freshDatabase } from '../support/test-database';

let db: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  const fresh = await freshDatabase();
  drop = fresh.drop;
  db = await Database.open(fresh.config, databaseSchema());
});
afterAll(async () => {
  await db?.close();
  await drop?.();
});

it('keeps count, min, max, last and every spike of a long series, written in several flushes', async () => {
  const store = new MetricStore(db);
  const values: number[] = [];
  let walk = 0;
  for (let step = 1; step <= 50_000; step++) {
    walk += Math.sin(step / 7) * 0.01;
    values.push(step === 31_337 ? 99 : step === 12_345 ? -99 : walk);
  }
  const points = values.map((value, i) => ({ runId: 'run_test', name: 'loss', step: i + 1, epoch: 1 + Math.floor(i / 1000), value, timestamp: 1_700_000_000_000 + i }));
  // Out of order and across flushes, as a run's batches arrive.
  store.add(points.slice(25_000));
  await store.flush();
  store.add(points.slice(0, 25_000));
  store.add([{ runId: 'run_test', name: 'accuracy', step: 10, epoch: 1, value: 0.5, timestamp: 0 }]);

  const [summary] = await store.summaries('run_test', ['loss']);
  expect(summary).toEqual({ name: 'loss', count: 50_000, min: -99, max: 99, last: values.at(-1), lastStep: 50_000 });
  const drawn = await store.points('run_test', 'loss', 500);
  expect(drawn.length).toBeLessThanOrEqual(500);
  expect(drawn.length).toBeGreaterThan(400);
  expect(drawn.map((p) => p.step)).toEqual([...drawn.map((p) => p.step)].sort((a, b) => a - b));
  expect(drawn).toContainEqual({ step: 31_337, value: 99, epoch: 32, timestamp: 1_700_000_031_336 });
  expect(drawn.find((p) => p.step === 12_345)?.value).toBe(-99);
  for (const p of drawn) expect(p.value).toBe(values[p.step - 1]);
  expect((await store.summaries('run_test')).map((s) => s.name)).toEqual(['accuracy', 'loss']);
});

it('writes each point once when flushes overlap (two runs finishing at once), and keeps points added meanwhile', async () => {
  const store = new MetricStore(db);
  const point = (runId: string, step: number) => ({ runId, name: 'val_loss', step, epoch: step, value: step / 10, timestamp: step });
  store.add([1, 2, 3].map((step) => point('run_overlap_a', step)));
  const first = store.flush();
  // Added while the first flush is writing; both flushes are asked for before either ends.
  store.add([4, 5].map((step) => point('run_overlap_a', step)));
  store.add([1, 2].map((step) => point('run_overlap_b', step)));
  const second = store.flush();
  await Promise.all([first, second]);
  expect((await store.summaries('run_overlap_a'))[0]).toMatchObject({ count: 5, lastStep: 5 });
  expect((await store.summaries('run_overlap_b'))[0]).toMatchObject({ count: 2, lastStep: 2 });
  expect((await store.since('run_overlap_a', -1)).map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
});

it('stores the valid points of a batch that also holds NaN and Infinity', async () => {
  const store = new MetricStore(db);
  store.add([
    { runId: 'run_nan', name: 'loss', step: 1, epoch: 1, value: 0.5, timestamp: 1 },
    { runId: 'run_nan', name: 'loss', step: 2, epoch: 1, value: Number.NaN, timestamp: 2 },
    { runId: 'run_nan', name: 'loss', step: 3, epoch: 1, value: Number.POSITIVE_INFINITY, timestamp: 3 },
    { runId: 'run_nan', name: 'loss', step: 4, epoch: 2, value: 0.25, timestamp: 4 },
  ]);
  await store.flush();
  expect((await store.since('run_nan', -1)).map((p) => [p.step, p.value])).toEqual([[1, 0.5], [4, 0.25]]);
});
