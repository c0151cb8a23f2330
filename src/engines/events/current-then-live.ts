import { boundedStream } from './bounded-stream';
import { nextAhead } from './next-ahead';
import { releasing } from './releasing';

export interface StateStreamOptions<T> {
  /** True for the state after which nothing more can happen (a finished job): the stream then completes. */
  isLast?: (state: T) => boolean;
  /** Events a slow subscriber may fall behind before it is cut off. */
  limit?: number;
}

/**
 * The stream of one object's state: its current state first, then every change, completing after
 * a last (terminal) state. The live subscription opens first, then `current` is read, so a change
 * between the two is not lost, and a client that subscribes after the end (a job that finished
 * quickly) still learns the outcome and is not left waiting.
 */
export function currentThenLive<T>(live: AsyncIterable<T>, current: T | (() => Promise<T>), options: StateStreamOptions<T> = {}): AsyncIterableIterator<T> {
  const source = live[Symbol.asyncIterator]();
  return releasing(currentThenSource(source, current, options), source);
}

async function* currentThenSource<T>(source: AsyncIterator<T>, current: T | (() => Promise<T>), { isLast = () => false, limit = 1000 }: StateStreamOptions<T>): AsyncGenerator<T> {
  const stream = boundedStream(source, limit);
  // Starting the pump subscribes at once; its first value is awaited after the current state.
  let next = nextAhead(stream);
  try {
    const now = typeof current === 'function' ? await (current as () => Promise<T>)() : current;
    yield now;
    if (isLast(now)) return;
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = nextAhead(stream);
      yield result.value;
      if (isLast(result.value)) return;
    }
  } finally {
    // The source first: the bounded stream's pending next() waits on it, and its return() would
    // queue behind that next() forever (an async generator handles one call at a time).
    await source.return?.();
    await stream.return(undefined);
  }
}
