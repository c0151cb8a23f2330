import { queueContract } from '../support/queue-contract';
import { describe, expect, it } from 'vitest';
import { boundedStream } from '../../src/engines/events/bounded-stream';
import { SlowSubscriberError } from '../../src/engines/events/stream-errors';
import { fromColumns, isChildMessage, isParentMessage, toColumns } from '../../src/engines/trainer/protocol';
import { InProcessQueue } from '../../src/engines/jobs/job-queue';

describe('IPC protocol guards', () => {
  it('accept well-formed child messages and refuse everything else', () => {
    expect(isChildMessage({ type: 'metrics', points: [{ name: 'loss', step: 3, epoch: 1, value: 0.5, timestamp: 1 }] })).toBe(true);
    expect(isChildMessage({ type: 'progress', epochsCompleted: 2, progress: 0.5 })).toBe(true);
    expect(isChildMessage({ type: 'done', artifact: { weightData: new ArrayBuffer(4) }, evaluation: {}, summary: {} })).toBe(true);
    expect(isChildMessage({ type: 'error', message: 'boom' })).toBe(true);
    for (const bad of [
      null, 'loss', {}, { type: 'metrics' }, { type: 'metrics', points: [{ name: 'loss', step: 1.5, epoch: 1, value: 1, timestamp: 1 }] },
      { type: 'metrics', points: [{ name: 'loss', step: 1, epoch: 1, value: '1', timestamp: 1 }] },
      { type: 'progress', epochsCompleted: 1, progress: 1.5 }, { type: 'done', artifact: { weightData: 'AAAA' }, evaluation: {}, summary: {} },
      { type: 'error', message: 42 }, { type: 'shell', command: 'rm -rf /' },
    ]) expect(isChildMessage(bad), JSON.stringify(bad)).toBe(false);
  });

  it('accept only start and evaluate messages from the parent', () => {
    expect(isParentMessage({ type: 'start', job: { runId: 'run_1', rows: [] } })).toBe(true);
    expect(isParentMessage({ type: 'evaluate', job: { rows: [], artifact: { weightData: new ArrayBuffer(0) } } })).toBe(true);
    expect(isParentMessage({ type: 'start', job: { rows: [] } })).toBe(false);
    expect(isParentMessage({ type: 'evaluate', job: { rows: [], artifact: {} } })).toBe(false);
    expect(isParentMessage({ type: 'exec', job: { runId: 'x', rows: [] } })).toBe(false);
  });

  it('accept a warm message and rows as columns, and refuse columns of the wrong length', () => {
    expect(isParentMessage({ type: 'warm', backend: null })).toBe(true);
    expect(isParentMessage({ type: 'warm', backend: 42 })).toBe(false);
    expect(isChildMessage({ type: 'ready' })).toBe(true);
    expect(isParentMessage({ type: 'start', job: { runId: 'r', rows: { count: 2, columns: [{ name: 'a', values: new Float64Array(2) }, { name: 'b', values: ['x', null] }] } } })).toBe(true);
    expect(isParentMessage({ type: 'start', job: { runId: 'r', rows: { count: 3, columns: [{ name: 'a', values: new Float64Array(2) }] } } })).toBe(false);
    expect(isParentMessage({ type: 'start', job: { runId: 'r', rows: { count: 1, columns: [{ name: 'a', values: 'x' }] } } })).toBe(false);
  });

  it('send rows as columns and get the same rows back: numbers typed, nulls kept, any column name', () => {
    const row = (x: number | null, label: string | null, flag: boolean | null, proto: number | null) => {
      const values: Record<string, unknown> = { x, label, flag };
      // As the dataset reader does: a column may be called __proto__.
      Object.defineProperty(values, '__proto__', { value: proto, enumerable: true, writable: true, configurable: true });
      return values;
    };
    const rows = [row(1.5, 'yes', true, 3), row(null, null, null, -0.25), row(-2e-9, 'no', false, null)];
    expect(Object.keys(rows[0])).toEqual(['x', 'label', 'flag', '__proto__']);
    const columns = toColumns(rows);
    expect(columns.columns.find((c) => c.name === 'x')!.values).toBeInstanceOf(Float64Array);
    expect(columns.columns.find((c) => c.name === 'label')!.values).toEqual(['yes', null, 'no']);
    const back = fromColumns(columns);
    expect(back).toEqual(rows);
    expect(back.map((row) => Object.keys(row))).toEqual(rows.map((row) => Object.keys(row)));
    expect(Object.getPrototypeOf(back[0])).toBe(Object.prototype);
  });
});

describe('InProcessQueue', () => {
  queueContract((options) => new InProcessQueue(options));
});

describe('boundedStream', () => {
  async function* source(n: number) {
    for (let i = 0; i < n; i++) yield i;
  }

  it('passes every event through to a consumer that keeps up', async () => {
    const out: number[] = [];
    for await (const value of boundedStream(source(100)[Symbol.asyncIterator](), 5)) out.push(value);
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('cuts off a consumer that falls more than `limit` events behind, without holding up the producer', async () => {
    let produced = 0;
    async function* fast() { for (;;) { produced++; yield produced; } }
    const stream = boundedStream(fast()[Symbol.asyncIterator](), 10);
    await stream.next();
    await new Promise((r) => setTimeout(r, 20));
    await expect((async () => { for (;;) await stream.next(); })()).rejects.toBeInstanceOf(SlowSubscriberError);
    expect(produced).toBeGreaterThan(10);
  });
});
