import { boundedStream } from './bounded-stream';
import { releasing } from './releasing';

/**
 * A state stream that starts with the current state: the live subscription opens first, then
 * `current` is yielded, then every live event. A client that subscribes after the last change
 * (a job that finished quickly) still learns the outcome, and nothing between the two is lost.
 */
export function currentThenLive<T>(live: AsyncIterable<T>, current: T, limit = 1000): AsyncIterableIterator<T> {
  const source = live[Symbol.asyncIterator]();
  return releasing(currentThenSource(source, current, limit), source);
}

async function* currentThenSource<T>(source: AsyncIterator<T>, current: T, limit: number): AsyncGenerator<T> {
  const stream = boundedStream(source, limit);
  // Starting the pump subscribes at once; its first value is awaited after the current state.
  let next = stream.next();
  try {
    yield current;
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = stream.next();
      yield result.value;
    }
  } finally {
    await stream.return(undefined);
  }
}
