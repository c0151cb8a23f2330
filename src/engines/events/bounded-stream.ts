/** Thrown into a subscriber that fell too far behind; it can reconnect (with sinceStep) and lose nothing. */
export class SlowSubscriberError extends Error {
  constructor(limit: number) {
    super(`subscriber fell more than ${limit} events behind and was disconnected; reconnect (with sinceStep for metrics) to resume`);
  }
}

/**
 * Drains `source` as fast as it produces, into a buffer of at most `limit` events for a consumer
 * that may be slow (a congested socket). Producers are never held up; a consumer that lets the
 * buffer overflow gets SlowSubscriberError instead of unbounded memory.
 */
export async function* boundedStream<T>(source: AsyncIterator<T>, limit: number): AsyncGenerator<T> {
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
