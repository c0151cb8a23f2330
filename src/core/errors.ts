import { GraphQLError } from 'graphql';

/** The `extensions.code` values clients can rely on. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'TIMEOUT'
  | 'INTERNAL_SERVER_ERROR';

/** Codes that mean the server failed the caller; every other code is the caller's mistake or its limits. */
const SERVER_SIDE: ReadonlySet<string> = new Set<ErrorCode>(['INTERNAL_SERVER_ERROR', 'TIMEOUT', 'SERVICE_UNAVAILABLE']);

/** How an outcome counts in health figures: served, refused for the client's own reasons, or failed by the server. */
export type OutcomeKind = 'ok' | 'client' | 'server';

/** The `extensions.code` of an error, INTERNAL_SERVER_ERROR for anything else. */
export function errorCodeOf(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** `ok`, or an error code, as an OutcomeKind; an unknown code counts as the server's failure. */
export function outcomeKind(outcome: string): OutcomeKind {
  if (outcome === 'ok') return 'ok';
  return SERVER_SIDE.has(outcome) || !/^[A-Z_]+$/.test(outcome) ? 'server' : 'client';
}

function error(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** At most this much of a client's text is echoed in an error (its message or extensions). */
const ECHO_MAX = 80;
const echo = (text: string) => (text.length > ECHO_MAX ? `${text.slice(0, ECHO_MAX)}…` : text);

/**
 * An object the client named does not exist; `message` replaces the default wording when a hint
 * helps. The name is echoed only up to 80 characters: a 10 MB name must not come back twice.
 */
export const notFound = (type: string, id: string, message?: string) => error('NOT_FOUND', message ?? `${type} ${JSON.stringify(echo(id))} was not found`, { type, id: echo(id) });

/** The client's input is wrong; `field` names the argument path, e.g. `input.csv`. */
export const badInput = (message: string, details: Record<string, unknown> = {}) => error('BAD_USER_INPUT', message, details);

/** The request clashes with existing state, e.g. a duplicate unique name. */
export const conflict = (message: string, details: Record<string, unknown> = {}) => error('CONFLICT', message, details);

/** No valid API key. HTTP status 401 when raised before execution. */
export const unauthenticated = (message = 'An API key is required: send Authorization: Bearer <key>') =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

/** A valid key whose role or model scope does not allow the operation. */
export const forbidden = (message: string) => error('FORBIDDEN', message);

/** The key's token bucket is empty; retry after `retryAfterSeconds`. HTTP status 429 with Retry-After. */
export const rateLimited = (retryAfterSeconds: number) =>
  new GraphQLError(`Rate limit exceeded; retry after ${retryAfterSeconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds, http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } },
  });

/** The server cannot take this work now (a full queue); HTTP status 503. Retrying later may succeed. */
export const serviceUnavailable = (message: string, details: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code: 'SERVICE_UNAVAILABLE', ...details, http: { status: 503 } } });

/** The server could not answer within the call's deadline; HTTP 504. Counted as the server's failure. */
export const timeout = (message: string) => new GraphQLError(message, { extensions: { code: 'TIMEOUT', http: { status: 504 } } });

/** A caller's own quota is used up (not a rate): HTTP status 429, without a retry-after. */
export const quotaExceeded = (message: string, details: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', ...details, http: { status: 429 } } });

export const payloadTooLarge = (message: string) => error('PAYLOAD_TOO_LARGE', message);

export const isGraphQLError = (value: unknown): value is GraphQLError => value instanceof GraphQLError;
