/** Thrown into a subscriber that fell too far behind; it can reconnect (with sinceStep) and lose nothing. */
export class SlowSubscriberError extends Error {
  constructor(limit: number) {
    super(`subscriber fell more than ${limit} events behind and was disconnected; reconnect (with sinceStep for metrics) to resume`);
  }
}

/** Registers a callback that fails the stream with an error (the bus missed events); returns the unregister. */
export type Interrupts = (fail: (error: Error) => void) => () => void;

/** Thrown into a subscriber when events may have been missed (Redis was away): it can resubscribe (with sinceStep for metrics) and lose nothing. */
export class StreamInterruptedError extends Error {
  constructor() {
    super('events were interrupted (the connection to Redis was lost and is back); subscribe again (with sinceStep for metrics) to resume without a gap');
  }
}

/** A source that can hold the bound itself: it queues what it is given, and fails past `limit` unread or when told to. */
export interface Boundable {
  bound(limit: number): void;
  /** Ends the source with `error`, after what it has queued. */
  fail(error: Error): void;
}

const isBoundable = (source: object): source is Boundable => typeof (source as Partial<Boundable>).bound === 'function';

/**
 * Drains `source` as fast as it produces, into a buffer of at most `limit` events for a consumer
 * that may be slow (a congested socket). Producers are never held up; a consumer that lets the
 * buffer overflow gets SlowSubscriberError instead of unbounded memory. A Boundable source (the
 * event bus's subscriptions) already queues as it is told: it is bounded and read directly,
 * without a second buffer and the hops of a pump per event.
 */
export function boundedStream<T>(source: AsyncIterator<T>, limit: number, interrupts?: Interrupts): AsyncGenerator<T> {
  if (!isBoundable(source)) return pumped(source, limit, interrupts);
  source.bound(limit);
  const stopInterrupts = interrupts?.((error) => source.fail(error));
  const end = async () => {
    stopInterrupts?.();
    await source.return?.();
  };
  const direct = {
    next: () => source.next(),
    return: async () => {
      await end();
      return { value: undefined, done: true };
    },
    throw: async (error?: unknown) => {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]: () => direct,
  };
  return direct as unknown as AsyncGenerator<T>;
}

async function* pumped<T>(source: AsyncIterator<T>, limit: number, interrupts?: Interrupts): AsyncGenerator<T> {
  const buffer: T[] = [];
  const waiting: { wake: (() => void) | null } = { wake: null };
  let failure: unknown = null;
  let ended = false;
  // Events already buffered are still delivered; the error comes after them.
  const stopInterrupts = interrupts?.((error) => {
    failure ??= error;
    waiting.wake?.();
  });
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
    stopInterrupts?.();
    failure ??= new Error('closed');
    await source.return?.();
    await pump;
  }
}
