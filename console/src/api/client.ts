import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '../gql/graphql';
import { storedKey } from './session';

/** A GraphQL error as the console shows it: the server's `extensions.code` and message. */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string };
}

function errorOf(errors: readonly GraphQLErrorBody[] | undefined, fallback: string): ApiError {
  const first = errors?.[0];
  return new ApiError(first?.message ?? fallback, first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
}

function authorization(key = storedKey()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** One typed operation over HTTP; any error (the first) is thrown as an ApiError. */
export async function execute<Result, Variables>(document: TypedDocumentString<Result, Variables>, ...[variables]: Variables extends Record<string, never> ? [] : [Variables]): Promise<Result> {
  return executeWith(storedKey(), document, variables);
}

/** As `execute`, with an explicit key (the sign-in form checks a key before storing it). */
export async function executeWith<Result, Variables>(key: string | null, document: TypedDocumentString<Result, Variables>, variables?: Variables): Promise<Result> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...authorization(key) },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
  } catch (error) {
    throw new ApiError(`The server cannot be reached: ${(error as Error).message}`, 'NETWORK_ERROR');
  }
  let body: { data?: Result | null; errors?: GraphQLErrorBody[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${response.status} without a GraphQL body`, `HTTP_${response.status}`);
  }
  if (body.errors?.length || !body.data) throw errorOf(body.errors, `HTTP ${response.status}`);
  return body.data;
}

let socket: { key: string; client: Client } | null = null;

/** The one graphql-ws connection of the signed-in key (replaced when the key changes). */
function streams(): Client {
  const key = storedKey() ?? '';
  if (socket?.key === key) return socket.client;
  socket?.client.dispose();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const client = createClient({
    url,
    connectionParams: authorization(key),
    lazy: true,
    // Reconnect through restarts and network blips; the pages resume from what they last saw.
    retryAttempts: 1_000_000,
    shouldRetry: () => true,
    retryWait: async (tries) => new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** tries))),
  });
  socket = { key, client };
  return client;
}

/** Called on every (re)connection after the first: streams that resume from a cursor re-subscribe. */
export function onReconnect(listener: () => void): () => void {
  let first = true;
  return streams().on('connected', () => {
    if (first) first = false;
    else listener();
  });
}

export interface StreamHandlers<Result> {
  next(data: Result): void;
  error?(error: ApiError): void;
  complete?(): void;
}

/** One typed subscription over graphql-ws; returns the function that ends it. */
export function subscribe<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables: Variables, handlers: StreamHandlers<Result>): () => void {
  return streams().subscribe<Result>({ query: document.toString(), variables: variables as Record<string, unknown> }, {
    next: (message) => {
      if (message.errors?.length) handlers.error?.(errorOf(message.errors as GraphQLErrorBody[], 'stream error'));
      else if (message.data) handlers.next(message.data);
    },
    error: (error) => {
      const errors = Array.isArray(error) ? (error as GraphQLErrorBody[]) : undefined;
      handlers.error?.(errors ? errorOf(errors, 'stream error') : new ApiError(error instanceof Error ? error.message : 'The stream closed', 'STREAM_CLOSED'));
    },
    complete: () => handlers.complete?.(),
  });
}

/** Ends the live connection (on sign-out). */
export function closeStreams(): void {
  socket?.client.dispose();
  socket = null;
}
