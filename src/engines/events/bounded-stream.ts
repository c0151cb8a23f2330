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

/**
 * Drains `source` as fast as it produces, into a buffer of at most `limit` events for a consumer
 * that may be slow (a congested socket). Producers are never held up; a consumer that lets the
 * buffer overflow gets SlowSubscriberError instead of unbounded memory.
 */
export async function* boundedStream<T>(source: AsyncIterator<T>, limit: number, interrupts?: Interrupts): AsyncGenerator<T> {
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
