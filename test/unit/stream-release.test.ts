import { describe, expect, it } from 'vitest';
import { currentThenLive } from '../../src/engines/events/current-then-live';
import { metricStream } from '../../src/modules/training/metric-stream';

/** A source that never yields and records when it is returned (a quiet run's event stream). */
function quietSource() {
  const state = { returned: false };
  const iterable: AsyncIterable<never> = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<never>>((resolve) => { void quiet.then(() => resolve({ done: true, value: undefined })); }),
      return: async () => { state.returned = true; release(); return { done: true, value: undefined }; },
    }),
  };
  let release!: () => void;
  const quiet = new Promise<void>((resolve) => { release = resolve; });
  return { iterable, state };
}

describe('streams release their source when the client leaves', () => {
  it('currentThenLive: after the current state, return() reaches the quiet source at once', async () => {
    const { iterable, state } = quietSource();
    const stream = currentThenLive(iterable, 'current')[Symbol.asyncIterator]();
    expect((await stream.next()).value).toBe('current');
    const pending = stream.next();
    await stream.return!();
    await new Promise((r) => setTimeout(r, 10));
    expect(state.returned).toBe(true);
    expect((await pending).done).toBe(true);
  });

  it('metricStream: a subscriber of a finished (quiet) run releases the bus listener at once', async () => {
    const { iterable, state } = quietSource();
    const sources = { events: { subscribe: () => iterable, subscribed: async () => undefined, onInterrupted: () => () => undefined }, metricStore: { since: async () => [] }, hasEnded: async () => false } as unknown as Parameters<typeof metricStream>[0];
    const stream = metricStream(sources, 'run_x', -1, null)[Symbol.asyncIterator]();
    const pending = stream.next();
    await new Promise((r) => setTimeout(r, 10));
    await stream.return!();
    await new Promise((r) => setTimeout(r, 10));
    expect(state.returned).toBe(true);
    expect((await pending).done).toBe(true);
  });
});

describe('state streams end', () => {
  it('currentThenLive completes after a last state, the current one or a live one, though the source stays quiet', async () => {
    const { iterable, state } = quietSource();
    const finished = currentThenLive(iterable, async () => 'DONE', { isLast: (s) => s === 'DONE' })[Symbol.asyncIterator]();
    expect(await finished.next()).toEqual({ value: 'DONE', done: false });
    expect((await finished.next()).done).toBe(true);
    expect(state.returned).toBe(true);

    async function* live() {
      yield 'RUNNING';
      yield 'DONE';
      yield 'NEVER';
    }
    const values: string[] = [];
    for await (const value of currentThenLive(live(), 'QUEUED', { isLast: (s) => s === 'DONE' })) values.push(value);
    expect(values).toEqual(['QUEUED', 'RUNNING', 'DONE']);
  });
});
