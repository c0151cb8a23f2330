import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { TypedDocumentString } from '../gql/graphql';
import { ApiError, execute } from './client';

export interface QueryState<Result> {
  data: Result | null;
  error: ApiError | null;
  loading: boolean;
  /** Runs the query again (after a mutation, say). */
  reload(): void;
}

/**
 * Runs a typed query whenever its variables change (compared as JSON) and on `reload()`. An
 * answer that arrives after newer variables were asked for is dropped.
 */
export function useQuery<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables: Variables, options: { skip?: boolean } = {}): QueryState<Result> {
  const [state, setState] = useState<{ data: Result | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: !options.skip });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (options.skip) return;
    const call = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    (execute as (d: typeof document, v: Variables) => Promise<Result>)(document, variables).then(
      (data) => { if (call === latest.current) setState({ data, error: null, loading: false }); },
      (error: unknown) => { if (call === latest.current) setState((previous) => ({ data: previous.data, error: asApiError(error), loading: false })); },
    );
  }, [document, key, tick, options.skip]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(error instanceof Error ? error.message : String(error), 'CLIENT_ERROR');
}

/** A mutation: `run(variables)` resolves to the result, or to null with `error` set. */
export function useMutation<Result, Variables>(document: TypedDocumentString<Result, Variables>) {
  const [state, setState] = useState<{ running: boolean; error: ApiError | null }>({ running: false, error: null });
  const run = useCallback(async (variables: Variables): Promise<Result | null> => {
    setState({ running: true, error: null });
    try {
      const result = await (execute as (d: typeof document, v: Variables) => Promise<Result>)(document, variables);
      setState({ running: false, error: null });
      return result;
    } catch (error) {
      setState({ running: false, error: asApiError(error) });
      return null;
    }
  }, [document]);
  return { ...state, run };
}
