import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { StreamInterruptedError } from './stream-errors';

/**
 * graphql-js `subscribe`, but each event is executed once per distinct (operation, variables,
 * caller permissions) and the result shared by every subscriber with the same key, instead of
 * once per subscriber. A thousand clients on one training run's metrics then cost one execution
 * per point, not a thousand. Events are matched by object identity, which the in-process event
 * bus preserves for all subscribers of a topic; replayed points are per subscriber and are
 * executed per subscriber as before.
 *
 * `keyOf` gives the sharing key of a subscription (null: never share). It must include anything
 * a result can depend on besides the event: the query text, its variables, and the caller's role
 * and model scope (field-level permissions differ by role). `contextFor` makes the context each
 * event executes with.
 *
 * `onInterrupted` is the event bus's: when it reports that events may have been missed (Redis was
 * away), every open subscription ends with StreamInterruptedError, whatever its source, so the
 * client subscribes again and gets what a fresh subscription gives (a state stream's current
 * state, metrics replayed after `sinceStep`) instead of waiting for a change it will never hear.
 */
export function sharedSubscribe(keyOf: (args: ExecutionArgs) => string | null, contextFor: (args: ExecutionArgs) => unknown = (args) => args.contextValue, onInterrupted?: (listener: () => void) => () => void) {
  const results = new WeakMap<object, Map<string, ReturnType<typeof execute>>>();
  const executeOnce = (args: ExecutionArgs, key: string | null, payload: unknown) => {
    // A fresh context per event: DataLoaders must not serve one event's rows to the next.
    const run = () => execute({ ...args, rootValue: payload, contextValue: contextFor(args) });
    if (key === null || typeof payload !== 'object' || payload === null) return run();
    let byKey = results.get(payload);
    if (!byKey) results.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = run()));
    return result;
  };
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
    const key = keyOf(args);
    const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]() as AsyncIterator<unknown>;
    const done = { value: undefined, done: true } as const;
    let closed = false;
    // The caller of a pending next(): return() settles it at once. (Racing every next() against
    // one long-lived "closed" promise would pile a reaction onto it per event.)
    let settlePending: ((result: IteratorResult<ExecutionResult>) => void) | null = null;
    let failPending: ((error: unknown) => void) | null = null;
    // Raised by the next next() when the interruption came while an event was being executed.
    let failure: unknown = null;
    let stopInterrupts: (() => void) | undefined;
    const close = () => {
      closed = true;
      stopInterrupts?.();
      settlePending?.(done);
      settlePending = failPending = null;
      // A source built as an async generator handles return() only once its pending next()
      // settles (on a quiet stream: never); nobody waits for it here.
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    };
    // The transports do not call return() on a stream that threw: close() releases its source.
    stopInterrupts = onInterrupted?.(() => {
      if (closed) return;
      const fail = failPending;
      if (!fail) {
        failure = new StreamInterruptedError();
        return;
      }
      settlePending = failPending = null;
      fail(new StreamInterruptedError());
      close();
    });
    const mapped: AsyncIterableIterator<ExecutionResult> = {
      next() {
        if (failure) {
          const error = failure;
          failure = null;
          close();
          return Promise.reject(error);
        }
        if (closed) return Promise.resolve(done);
        return new Promise<IteratorResult<ExecutionResult>>((resolve, reject) => {
          settlePending = resolve;
          failPending = reject;
          // Plain callbacks, no async function: a few promises fewer per event and subscriber.
          iterator.next().then((step) => {
            if (closed) return;
            settlePending = failPending = null;
            if (step.done) {
              stopInterrupts?.();
              return resolve(done);
            }
            try {
              const result = executeOnce(args, key, step.value);
              resolve(isPromise(result) ? result.then((value) => ({ value, done: false })) : { value: result, done: false });
            } catch (error) {
              reject(error);
            }
          }, (error: unknown) => {
            // The source failed (a slow subscriber): it has ended, and the transport ends the stream.
            stopInterrupts?.();
            reject(error);
          });
        });
      },
      async return() {
        close();
        return done;
      },
      async throw(error?: unknown) {
        close();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return mapped;
      },
    };
    return mapped;
  };
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T>)?.then === 'function';
