import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchCostModel } from '../../src/engines/serving/batch-cost-model';
import { nextBatchStep, type BatchView } from '../../src/engines/serving/batch-policy';
import { type BatchRunner, MicroBatcher, type MicroBatcherOptions } from '../../src/engines/serving/micro-batcher';

import { answer, expected, IN, OUT, rowsFrom } from '../support/batch-rows';

/**
 * An ADAPTIVE batcher on a fake clock. The default model blocks as a forward pass on the event loop
 * does: it moves the clock on by 3 ms + 0.05 ms a row before it answers, so the cost model has
 * exact figures to fit and no test depends on real time.
 */
function adaptive(options: Partial<MicroBatcherOptions> = {}, run?: BatchRunner) {
  const clock = { now: 0 };
  const model: BatchRunner = run ?? (async (input, rows) => {
    clock.now += 3 + 0.05 * rows;
    return answer(input, rows);
  });
  const spy = vi.fn(model);
  const mb = new MicroBatcher(spy, IN, OUT, { maxBatchSize: 256, maxDelayMs: 2, enabled: true, policy: 'ADAPTIVE', clock: () => clock.now, ...options });
  return { mb, spy, clock, callRows: () => spy.mock.calls.map(([, rows]) => rows) };
}

/** One event-loop turn: the batcher's setImmediate, queued first, runs before ours. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('nextBatchStep (the ADAPTIVE policy)', () => {
  const view = (changes: Partial<BatchView>): BatchView => ({
    busy: false, waitedMs: 0.2, arrivedRequests: 3, arrivedRows: 3, lastTurnMs: 0.2, fixedMs: 3, perRowMs: 0.05, maxDelayMs: 2, gapMs: 5, timerMs: 1, ...changes,
  });

  it('waits another turn while requests keep arriving faster than a call costs, within the bound', () => {
    expect(nextBatchStep(view({}))).toEqual({ kind: 'turn' });
    // Before any call is measured, the fixed cost is unknown (infinite): only the bound limits the wait.
    expect(nextBatchStep(view({ fixedMs: Number.POSITIVE_INFINITY, lastTurnMs: 1.5, waitedMs: 0 }))).toEqual({ kind: 'turn' });
  });

  it('when the last turn brought nobody, sends unless the next request is expected sooner than a call costs, within the bound', () => {
    const quiet = { arrivedRequests: 0, arrivedRows: 0 };
    // Expected in 5 ms: past the bound.
    expect(nextBatchStep(view(quiet))).toEqual({ kind: 'send' });
    // Expected in 0.3 ms, but a timer waits 1 ms at least: 0.2 + 1 + 0.05 ≤ 2, and 1 < 3 ms a call.
    expect(nextBatchStep(view({ ...quiet, gapMs: 0.3 }))).toEqual({ kind: 'wait', ms: 1 });
    expect(nextBatchStep(view({ ...quiet, gapMs: 1.9 }))).toEqual({ kind: 'send' });
    expect(nextBatchStep(view({ ...quiet, gapMs: 1.9, maxDelayMs: 10 }))).toEqual({ kind: 'wait', ms: 1.9 });
    // A call cheaper than the shortest wait (an MLP's 0.25 ms): waiting cannot pay.
    expect(nextBatchStep(view({ ...quiet, gapMs: 0.3, fixedMs: 0.25 }))).toEqual({ kind: 'send' });
    expect(nextBatchStep(view({ ...quiet, gapMs: Number.POSITIVE_INFINITY, fixedMs: Number.POSITIVE_INFINITY, maxDelayMs: 1000 }))).toEqual({ kind: 'send' });
  });

  it('sends when a turn costs at least what a call costs whatever its size', () => {
    expect(nextBatchStep(view({ lastTurnMs: 3, fixedMs: 3, waitedMs: 0, maxDelayMs: 100 }))).toEqual({ kind: 'send' });
  });

  it('sends when another turn and its rows would take the oldest request past the bound', () => {
    // 0.9 waited + 0.2 for the turn + 0.05 × 18 rows = 2.0: exactly the bound, still allowed.
    expect(nextBatchStep(view({ waitedMs: 0.9, arrivedRows: 18 }))).toEqual({ kind: 'turn' });
    expect(nextBatchStep(view({ waitedMs: 0.9, arrivedRows: 19 }))).toEqual({ kind: 'send' });
    expect(nextBatchStep(view({ maxDelayMs: 0 }))).toEqual({ kind: 'send' });
  });

  it('holds while a call is in flight, for at most the rest of the bound', () => {
    expect(nextBatchStep(view({ busy: true, waitedMs: 0.5 }))).toEqual({ kind: 'hold', ms: 1.5 });
    expect(nextBatchStep(view({ busy: true, waitedMs: 2 }))).toEqual({ kind: 'send' });
  });
});

describe('BatchCostModel', () => {
  it('fits duration = perRowMs · rows + fixedMs by least squares', () => {
    const cost = new BatchCostModel();
    expect(cost.fixedMs).toBe(Number.POSITIVE_INFINITY);
    for (const rows of [1, 8, 64, 3]) cost.record(rows, 2.9 + 0.045 * rows);
    expect(cost.perRowMs).toBeCloseTo(0.045, 10);
    expect(cost.fixedMs).toBeCloseTo(2.9, 10);
    expect(cost.samples).toBe(4);
  });

  it('keeps only the last `window` calls', () => {
    const cost = new BatchCostModel(3);
    for (const rows of [1, 2, 3]) cost.record(rows, 100 * rows);
    for (const rows of [1, 2, 3]) cost.record(rows, 1 + rows);
    expect(cost.perRowMs).toBeCloseTo(1, 10);
    expect(cost.fixedMs).toBeCloseTo(1, 10);
    expect(cost.samples).toBe(3);
  });

  it('takes calls of one size as all fixed cost, never fits a negative slope or intercept, and ignores nonsense', () => {
    const same = new BatchCostModel();
    same.record(1, 2);
    same.record(1, 4);
    expect([same.perRowMs, same.fixedMs]).toEqual([0, 3]);
    const falling = new BatchCostModel();
    falling.record(1, 5);
    falling.record(10, 1);
    expect(falling.perRowMs).toBe(0);
    const steep = new BatchCostModel();
    steep.record(1, 0);
    steep.record(2, 10);
    expect(steep.fixedMs).toBe(0);
    for (const [rows, ms] of [[0, 1], [1, -1], [1, Number.NaN], [Number.NaN, 1], [1, Number.POSITIVE_INFINITY]]) steep.record(rows, ms);
    expect(steep.samples).toBe(2);
  });

  it('refuses a bad window', () => {
    expect(() => new BatchCostModel(0)).toThrow(RangeError);
  });
});

describe('MicroBatcher with the ADAPTIVE policy', () => {
  it('sends a lone request on an idle model after one empty turn, without waiting for the delay', async () => {
    const { mb, callRows } = adaptive({ maxDelayMs: 1000 });
    const result = mb.submit(rowsFrom(0, 1), 1);
    await turn();
    // The turn that brought it may be followed by others: one more look.
    expect(callRows()).toEqual([]);
    await turn();
    expect(callRows()).toEqual([1]);
    expect(Array.from(await result)).toEqual(expected(0, 1));
  });

  it('keeps coalescing while each turn brings requests, and sends on the first turn that brings none', async () => {
    // A bound under the shortest timer: only turns are in play.
    const { mb, callRows } = adaptive({ maxDelayMs: 0.9 });
    const results = [mb.submit(rowsFrom(0, 1), 1), mb.submit(rowsFrom(1, 1), 1)];
    await turn();
    results.push(mb.submit(rowsFrom(2, 2), 2));
    await turn();
    results.push(mb.submit(rowsFrom(4, 1), 1));
    await turn();
    expect(callRows()).toEqual([]);
    await turn();
    expect(callRows()).toEqual([5]);
    expect((await Promise.all(results)).map((r) => Array.from(r))).toEqual([expected(0, 1), expected(1, 1), expected(2, 2), expected(4, 1)]);
    expect(mb.stats).toEqual({ batches: 1, rows: 5, requests: 4 });
  });

  it('sends once the oldest request would wait past maxDelayMs, though requests keep arriving', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { mb, clock, callRows } = adaptive({ maxDelayMs: 2 });
    const results = [mb.submit(rowsFrom(0, 1), 1)];
    for (let i = 1; i <= 3; i++) {
      clock.now += 0.6;
      await turn();
      results.push(mb.submit(rowsFrom(i, 1), 1));
    }
    // Looks at 0.6 and 1.2 ms waited (each + a 0.6 ms turn ≤ 2); at 1.8 ms another turn would pass 2.
    expect(callRows()).toEqual([3]);
    await turn();
    await turn();
    // The last one is alone; the next is expected within 1 ms, cheaper than a call: it waits, up to the bound.
    expect(callRows()).toEqual([3]);
    for (let i = 0; i < 2; i++) {
      clock.now += 1;
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(callRows()).toEqual([3, 1]);
    expect((await Promise.all(results)).map((r) => Array.from(r))).toEqual([0, 1, 2, 3].map((i) => expected(i, 1)));
  });

  it('learns the cost of its calls, and sends when a turn takes as long as a call costs', async () => {
    const { mb, clock, callRows } = adaptive({ maxDelayMs: 1000 });
    await Promise.all([mb.submit(rowsFrom(0, 1), 1)]);
    // Far apart from the first: no request is expected soon, so no timer is set.
    clock.now += 100;
    await Promise.all([mb.submit(rowsFrom(0, 3), 3), mb.submit(rowsFrom(3, 2), 2)]);
    expect(callRows()).toEqual([1, 5]);
    expect(mb.cost.fixedMs).toBeCloseTo(3, 10);
    expect(mb.cost.perRowMs).toBeCloseTo(0.05, 10);
    // Requests still arriving, but the turn took 3 ms: waiting for the next would cost what it saves.
    const late = mb.submit(rowsFrom(9, 1), 1);
    clock.now += 3;
    await turn();
    expect(callRows()).toEqual([1, 5, 1]);
    expect(Array.from(await late)).toEqual(expected(9, 1));
  });

  it('holds a batch while a call is in flight and sends it as soon as the model is idle', async () => {
    let release!: () => void;
    const { mb, callRows } = adaptive({ maxBatchSize: 2, maxDelayMs: 1000 }, async (input, rows) => {
      if (rows === 2) await new Promise<void>((resolve) => (release = resolve));
      return answer(input, rows);
    });
    // Full, so it goes at once, and stays in flight.
    const slow = mb.submit(rowsFrom(0, 2), 2);
    const next = mb.submit(rowsFrom(2, 1), 1);
    for (let i = 0; i < 5; i++) await turn();
    expect(callRows()).toEqual([2]);
    release();
    expect(Array.from(await slow)).toEqual(expected(0, 2));
    await turn();
    await turn();
    expect(callRows()).toEqual([2, 1]);
    expect(Array.from(await next)).toEqual(expected(2, 1));
  });

  it('holds for a busy model at most maxDelayMs, then overlaps the call in flight', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let release!: () => void;
    const { mb, clock, callRows } = adaptive({ maxBatchSize: 2, maxDelayMs: 10 }, async (input, rows) => {
      if (rows === 2) await new Promise<void>((resolve) => (release = resolve));
      return answer(input, rows);
    });
    const slow = mb.submit(rowsFrom(0, 2), 2);
    const next = mb.submit(rowsFrom(2, 1), 1);
    await turn();
    await vi.advanceTimersByTimeAsync(9);
    expect(callRows()).toEqual([2]);
    clock.now += 10;
    await vi.advanceTimersByTimeAsync(1);
    expect(callRows()).toEqual([2, 1]);
    expect(Array.from(await next)).toEqual(expected(2, 1));
    release();
    expect(Array.from(await slow)).toEqual(expected(0, 2));
  });

  it('keeps the batch semantics: never past maxBatchSize, never a split request, a failing request isolated', async () => {
    const { mb, callRows } = adaptive({ maxBatchSize: 4, maxDelayMs: 0.9 });
    const bad = rowsFrom(3, 1);
    bad[1] = Number.NaN;
    const results = await Promise.allSettled([mb.submit(rowsFrom(0, 3), 3), mb.submit(rowsFrom(10, 2), 2), mb.submit(bad, 1)]);
    // 3 + 2 > 4: the 3 go first; the 2 and the bad row make the next batch, which fails and re-runs alone.
    expect(callRows()).toEqual([3, 3, 2, 1]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: new Float32Array(expected(0, 3)) });
    expect(results[1]).toEqual({ status: 'fulfilled', value: new Float32Array(expected(10, 2)) });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: new Error('NaN in input') });
  });

  it('rejects a wrong-size output and leaves the failed call out of the cost fit', async () => {
    const { mb, spy } = adaptive({}, async (_input, rows) => new Float32Array(rows * OUT - 1));
    await expect(mb.submit(rowsFrom(0, 2), 2)).rejects.toThrow('expected 4, got 3');
    expect(spy).toHaveBeenCalledTimes(1);
    const failing = adaptive({}, async () => { throw new Error('boom'); });
    await expect(failing.mb.submit(rowsFrom(0, 1), 1)).rejects.toThrow('boom');
    expect(failing.mb.cost.samples).toBe(0);
  });

  it('waits on a timer for a request expected sooner than a call costs, and sends when the bound is reached', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { mb, clock, callRows } = adaptive({ maxBatchSize: 20, maxDelayMs: 2.5 });
    // Requests 0.1 ms apart in full batches (sent at once, 4 ms a call): a mean gap well under 1 ms.
    const results: Promise<Float32Array>[] = [];
    for (let i = 0; i < 100; i++) {
      clock.now += 0.1;
      results.push(mb.submit(rowsFrom(i, 1), 1));
    }
    expect(callRows()).toEqual([20, 20, 20, 20, 20]);
    clock.now += 0.1;
    results.push(mb.submit(rowsFrom(100, 1), 1));
    await turn();
    await turn();
    // Nobody readable now, the next expected in under the shortest timer (1 ms) < 4 ms a call: wait.
    expect(callRows()).toHaveLength(5);
    clock.now += 0.4;
    results.push(mb.submit(rowsFrom(101, 1), 1));
    clock.now += 0.6;
    await vi.advanceTimersByTimeAsync(1);
    await turn();
    // 1 ms waited: one more 1 ms wait still fits in 2.5 ms.
    expect(callRows()).toHaveLength(5);
    clock.now += 1;
    await vi.advanceTimersByTimeAsync(1);
    // 2 ms waited: another would pass the bound, so it goes with what it has.
    expect(callRows()).toEqual([20, 20, 20, 20, 20, 2]);
    expect((await Promise.all(results)).map((r) => Array.from(r))).toEqual(Array.from({ length: 102 }, (_, i) => expected(i, 1)));
  });

  it('enabled: false still runs every request alone and at once', () => {
    const { mb, callRows } = adaptive({ enabled: false });
    void mb.submit(rowsFrom(0, 1), 1);
    void mb.submit(rowsFrom(1, 1), 1);
    expect(callRows()).toEqual([1, 1]);
  });
});
