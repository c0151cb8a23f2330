import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BatchRunner, MicroBatcher, type MicroBatcherOptions } from '../../src/engines/serving/micro-batcher';

import { answer, expected, IN, OUT, rowsFrom } from '../support/batch-rows';

function fakeModel(): BatchRunner {
  return async (input, rows) => answer(input, rows);
}

// These cases pin the fixed window (MICRO_BATCH_POLICY=FIXED); micro-batcher-adaptive.test.ts covers ADAPTIVE.
function batcher(options: Partial<MicroBatcherOptions> = {}, run: BatchRunner = fakeModel()) {
  const spy = vi.fn(run);
  const mb = new MicroBatcher(spy, IN, OUT, { maxBatchSize: 256, maxDelayMs: 2, enabled: true, policy: 'FIXED', ...options });
  return { mb, spy, callRows: () => spy.mock.calls.map(([, rows]) => rows) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MicroBatcher', () => {
  it('coalesces requests from the same tick into one call and gives each its own copy', async () => {
    const { mb, spy } = batcher({ maxDelayMs: 0 });
    const results = await Promise.all([mb.submit(rowsFrom(0, 2), 2), mb.submit(rowsFrom(10, 1), 1), mb.submit(rowsFrom(20, 3), 3)]);
    expect(spy).toHaveBeenCalledTimes(1);
    const [input, rows] = spy.mock.calls[0];
    expect(rows).toBe(6);
    expect(Array.from(input)).toEqual([...rowsFrom(0, 2), ...rowsFrom(10, 1), ...rowsFrom(20, 3)]);
    expect(Array.from(results[0])).toEqual(expected(0, 2));
    expect(Array.from(results[1])).toEqual(expected(10, 1));
    expect(Array.from(results[2])).toEqual(expected(20, 3));
    // Copies, not views of the batch output.
    for (const result of results) expect(result.buffer.byteLength).toBe(result.byteLength);
    expect(mb.stats).toEqual({ batches: 1, rows: 6, requests: 3 });
  });

  it('with maxDelayMs 0, a request after the next macrotask starts a new batch', async () => {
    const { mb, callRows } = batcher({ maxDelayMs: 0 });
    const first = [mb.submit(rowsFrom(0, 1), 1), mb.submit(rowsFrom(1, 1), 1)];
    await new Promise((resolve) => setImmediate(resolve));
    const later = mb.submit(rowsFrom(2, 1), 1);
    await Promise.all([...first, later]);
    expect(callRows()).toEqual([2, 1]);
  });

  it('never exceeds maxBatchSize and never splits a request', async () => {
    vi.useFakeTimers();
    const { mb, callRows } = batcher({ maxBatchSize: 4, maxDelayMs: 1000 });
    // 3 + 1 fills the batch exactly, so it runs at once; 2 waits for the timer.
    const a = [mb.submit(rowsFrom(0, 3), 3), mb.submit(rowsFrom(3, 1), 1)];
    expect(callRows()).toEqual([4]);
    a.push(mb.submit(rowsFrom(4, 2), 2));
    expect(callRows()).toEqual([4]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(callRows()).toEqual([4, 2]);
    // 3 + 2 would exceed 4, so the pending 3 runs first and 2 starts the next batch (joined by 1).
    const b = [mb.submit(rowsFrom(10, 3), 3), mb.submit(rowsFrom(13, 2), 2), mb.submit(rowsFrom(15, 1), 1)];
    expect(callRows()).toEqual([4, 2, 3]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(callRows()).toEqual([4, 2, 3, 3]);
    const results = await Promise.all([...a, ...b]);
    expect(results.map((r) => Array.from(r))).toEqual([
      expected(0, 3), expected(3, 1), expected(4, 2), expected(10, 3), expected(13, 2), expected(15, 1),
    ]);
  });

  it('runs a request of >= maxBatchSize rows alone and at once, leaving the pending batch alone', async () => {
    vi.useFakeTimers();
    const { mb, callRows } = batcher({ maxBatchSize: 4, maxDelayMs: 1000 });
    const small = mb.submit(rowsFrom(0, 1), 1);
    const big = mb.submit(rowsFrom(1, 5), 5);
    const exact = mb.submit(rowsFrom(6, 4), 4);
    expect(callRows()).toEqual([5, 4]);
    expect(Array.from(await big)).toEqual(expected(1, 5));
    expect(Array.from(await exact)).toEqual(expected(6, 4));
    await vi.advanceTimersByTimeAsync(999);
    expect(callRows()).toEqual([5, 4]);
    await vi.advanceTimersByTimeAsync(1);
    expect(callRows()).toEqual([5, 4, 1]);
    expect(Array.from(await small)).toEqual(expected(0, 1));
  });

  it('waits maxDelayMs from the first request, and later arrivals within it join', async () => {
    vi.useFakeTimers();
    const { mb, callRows } = batcher({ maxDelayMs: 10 });
    const a = mb.submit(rowsFrom(0, 1), 1);
    await vi.advanceTimersByTimeAsync(9);
    const b = mb.submit(rowsFrom(1, 2), 2);
    expect(callRows()).toEqual([]);
    // The timer counts from the first request, not the latest one.
    await vi.advanceTimersByTimeAsync(1);
    expect(callRows()).toEqual([3]);
    expect((await Promise.all([a, b])).map((r) => Array.from(r))).toEqual([expected(0, 1), expected(1, 2)]);
    // A lone request still runs, but not before the delay.
    const c = mb.submit(rowsFrom(5, 1), 1);
    await vi.advanceTimersByTimeAsync(9);
    expect(callRows()).toEqual([3]);
    await vi.advanceTimersByTimeAsync(1);
    expect(callRows()).toEqual([3, 1]);
    expect(Array.from(await c)).toEqual(expected(5, 1));
  });

  it('enabled: false runs every request alone and at once', async () => {
    vi.useFakeTimers();
    const { mb, callRows } = batcher({ enabled: false, maxDelayMs: 1000 });
    const results = [mb.submit(rowsFrom(0, 1), 1), mb.submit(rowsFrom(1, 2), 2), mb.submit(rowsFrom(3, 1), 1)];
    expect(callRows()).toEqual([1, 2, 1]);
    expect((await Promise.all(results)).map((r) => Array.from(r))).toEqual([expected(0, 1), expected(1, 2), expected(3, 1)]);
  });

  it('lets calls overlap: a new batch runs while an earlier call is still in progress', async () => {
    let release!: () => void;
    const model = fakeModel();
    const { mb, callRows } = batcher({ maxBatchSize: 2, maxDelayMs: 0 }, async (input, rows) => {
      if (rows === 2) await new Promise<void>((resolve) => (release = resolve));
      return model(input, rows);
    });
    const slow = mb.submit(rowsFrom(0, 2), 2);
    const fast = await mb.submit(rowsFrom(2, 1), 1);
    expect(Array.from(fast)).toEqual(expected(2, 1));
    expect(callRows()).toEqual([2, 1]);
    release();
    expect(Array.from(await slow)).toEqual(expected(0, 2));
  });

  it('isolates a failing request: only it rejects, the others are re-run alone and resolve', async () => {
    const { mb, spy, callRows } = batcher({ maxDelayMs: 0 });
    const bad = rowsFrom(1, 1);
    bad[1] = NaN;
    const results = await Promise.allSettled([mb.submit(rowsFrom(0, 1), 1), mb.submit(bad, 1), mb.submit(rowsFrom(2, 2), 2)]);
    expect(spy).toHaveBeenCalledTimes(1 + 3);
    expect(callRows()).toEqual([4, 1, 1, 2]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: new Float32Array(expected(0, 1)) });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: new Error('NaN in input') });
    expect(results[2]).toEqual({ status: 'fulfilled', value: new Float32Array(expected(2, 2)) });
    expect(mb.stats).toEqual({ batches: 4, rows: 8, requests: 3 });
  });

  it('rejects a single-request batch with the error, without re-running it', async () => {
    const { mb, spy } = batcher({ maxDelayMs: 0 });
    await expect(mb.submit(new Float32Array([NaN, 1]), 1)).rejects.toThrow('NaN in input');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('rejects a wrong-size output with a clear message, isolating as for errors', async () => {
    const short = batcher({ maxDelayMs: 0 }, async (_input, rows) => new Float32Array(rows * OUT - 1));
    await expect(short.mb.submit(rowsFrom(0, 2), 2)).rejects.toThrow('expected 4, got 3');
    // A model that always returns one row's worth fails only when batched: the re-runs alone succeed.
    const oneRow = batcher({ maxDelayMs: 0 }, async (input) => new Float32Array([input[0] + input[1], input[0]]));
    const results = await Promise.all([oneRow.mb.submit(rowsFrom(0, 1), 1), oneRow.mb.submit(rowsFrom(7, 1), 1)]);
    expect(results.map((r) => Array.from(r))).toEqual([expected(0, 1), expected(7, 1)]);
    expect(oneRow.callRows()).toEqual([2, 1, 1]);
  });

  it('rejects (does not throw) bad rows or input length with a RangeError', async () => {
    const { mb, spy } = batcher({ maxDelayMs: 0 });
    const cases: [Float32Array, number][] = [
      [new Float32Array(0), 0], [new Float32Array(2), -1], [new Float32Array(3), 1.5], [new Float32Array(2), NaN],
      [new Float32Array(3), 1], [new Float32Array(2), 2],
    ];
    for (const [input, rows] of cases) {
      let result!: Promise<Float32Array>;
      expect(() => (result = mb.submit(input, rows))).not.toThrow();
      await expect(result).rejects.toBeInstanceOf(RangeError);
    }
    expect(spy).not.toHaveBeenCalled();
    expect(mb.stats).toEqual({ batches: 0, rows: 0, requests: 0 });
  });

  it('rejects bad construction options', () => {
    const run = fakeModel();
    const options = { maxBatchSize: 4, maxDelayMs: 2, enabled: true };
    expect(() => new MicroBatcher(run, 0, OUT, options)).toThrow(RangeError);
    expect(() => new MicroBatcher(run, IN, OUT, { ...options, maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => new MicroBatcher(run, IN, OUT, { ...options, maxDelayMs: -1 })).toThrow(RangeError);
    expect(() => new MicroBatcher(run, IN, OUT, { ...options, policy: 'SOMETIMES' as never })).toThrow(RangeError);
  });
});
