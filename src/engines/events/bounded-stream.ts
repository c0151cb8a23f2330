import { SlowSubscriberError } from './stream-errors';

/** A source that can hold the bound itself: it queues what it is given, and fails past `limit` unread. */
export interface Boundable {
  bound(limit: number): void;
}

const isBoundable = (source: object): source is Boundable => typeof (source as Partial<Boundable>).bound === 'function';

/**
 * Drains `source` as fast as it produces, into a buffer of at most `limit` events for a consumer
 * that may be slow (a congested socket). Producers are never held up; a consumer that lets the
 * buffer overflow gets SlowSubscriberError instead of unbounded memory. A Boundable source (the
 * event bus's subscriptions) already queues as it is told: it is bounded and read directly,
 * without a second buffer and the hops of a pump per event.
 */
export function boundedStream<T>(source: AsyncIterator<T>, limit: number): AsyncGenerator<T> {
  if (!isBoundable(source)) return pumped(source, limit);
  source.bound(limit);
  const direct = {
    next: () => source.next(),
    return: async () => {
      await source.return?.();
      return { value: undefined, done: true };
    },
    throw: async (error?: unknown) => {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => direct,
  };
  return direct as unknown as AsyncGenerator<T>;
}

async function* pumped<T>(source: AsyncIterator<T>, limit: number): AsyncGenerator<T> {
  const buffer: T[] = [];
  const waiting: { wake: (() => void) | null } = { wake: null };
  let failure: unknown = null;
  let ended = false;
  const pump = (async () => {
    try {
      for (;;) {
        const next = await source.next();
        if (next.done || failure) break;
        if (buffer.length >= limit) {
          failure = new SlowSubscriberError(limit);
          break;
        }
        buffer.push(next.value);
        waiting.wake?.();
      }
    } catch (error) {
      failure = error;
    }
    ended = true;
    waiting.wake?.();
  })();
  try {
    for (;;) {
      if (buffer.length) {
        yield buffer.shift()!;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => { waiting.wake = resolve; });
      waiting.wake = null;
    }
  } finally {
    failure ??= new Error('closed');
    await source.return?.();
    await pump;
  }
}
