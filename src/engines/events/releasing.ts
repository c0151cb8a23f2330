/**
 * An async generator over `source` whose return() also ends `source` at once. A generator paused
 * on an await (a quiet stream: a finished run) handles return() only after that await settles,
 * perhaps never; ending the source settles it, so a client that leaves releases the bus listener
 * now. Events still flow through the plain generator: no extra hop per event.
 */
export function releasing<T>(generator: AsyncGenerator<T>, source: AsyncIterator<unknown>): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: () => generator.next(),
    return: async (value?: unknown) => {
      await source.return?.();
      return generator.return(value as T);
    },
    throw: (error?: unknown) => generator.throw(error),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
