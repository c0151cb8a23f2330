import { Repeater } from '@graphql-yoga/subscription';
import { boundedStream } from './bounded-stream';

/**
 * A state stream that starts with the current state: the live subscription opens first, then
 * `current` is yielded, then every live event. A client that subscribes after the last change
 * (a job that finished quickly) still learns the outcome, and nothing between the two is lost.
 * A Repeater, so a client that leaves releases the bus listener at once.
 */
export function currentThenLive<T>(live: AsyncIterable<T>, current: T, limit = 1000): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const source = live[Symbol.asyncIterator]();
    void stop.then(() => source.return?.());
    const stream = boundedStream(source, limit);
    // Starting the pump subscribes at once; its first value is awaited after the current state.
    let next = stream.next();
    try {
      await push(current);
      for (;;) {
        const result = await next;
        if (result.done) break;
        next = stream.next();
        await push(result.value);
      }
      stop();
    } catch (error) {
      stop(error);
    } finally {
      await stream.return(undefined);
    }
  });
}
