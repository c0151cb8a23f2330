import { GraphQLError, type ExecutionResult } from 'graphql';

/**
 * A stream whose error, when its source throws (STREAM_INTERRUPTED, SUBSCRIBER_TOO_SLOW), is its
 * last result, after which it completes. graphql-sse has no error message: a stream that throws
 * ends its response without a word (and without onComplete, so the key's open-stream count would
 * keep it). As a result, the error is formatted like any other and reaches the client with its code.
 */
export function errorAsLastResult(stream: AsyncIterableIterator<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
  const done = { value: undefined, done: true } as const;
  let ended = false;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () => (ended ? Promise.resolve(done) : stream.next().catch((error: unknown) => {
      ended = true;
      const original = error instanceof Error ? error : new Error(String(error));
      return { value: { errors: [new GraphQLError(original.message, { originalError: original })] }, done: false };
    })),
    return: async () => {
      ended = true;
      await stream.return?.();
      return done;
    },
    throw: async (error?: unknown) => {
      ended = true;
      await stream.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
