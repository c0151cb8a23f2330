import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { ValidationError } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';
import type { Logger } from '../../core/logger';
import { databaseUnavailable } from '../../engines/db/unreachable';
import { SlowSubscriberError, StreamInterruptedError } from '../../engines/events/stream-errors';

/** Quoted text over 60 characters in a message (graphql-js echoes a variable's whole value when it is invalid). */
const LONG_QUOTED = /"((?:[^"\\]|\\.){60})(?:[^"\\]|\\.)+"/g;
const LONG_MESSAGE = 1000;

/** graphql-js's "Did you mean …?" hints, which spell out the schema to whoever guesses. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * Shapes every error a client sees: input validation failures name each field in the message,
 * and anything unexpected is logged in full but reaches the client only as INTERNAL_SERVER_ERROR.
 * With `hideSuggestions` (introspection off), field and value suggestions are removed, so the
 * schema cannot be read out one guess at a time. (graphql-armor's block-field-suggestions does the
 * same with one regular expression, but only as an Envelop plugin; Apollo has no such hook.)
 */
export function createErrorFormatter(log: Logger, options: { hideSuggestions?: boolean } = {}) {
  const format = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof ArgumentValidationError) {
      const fields = flatten(original.extensions.validationErrors);
      // The raw validationErrors hold the whole input (a CSV can be megabytes): never echo it.
      return {
        message: `Invalid input: ${fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(' | ')}`,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'BAD_USER_INPUT', fields },
      };
    }
    if (formatted.extensions?.code && formatted.extensions.code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _stack, ...extensions } = formatted.extensions;
      return { ...formatted, extensions };
    }
    // Apollo's own request refusals (e.g. "provided sha does not match query" for a persisted
    // query) carry a 4xx HTTP status but no code: the client's mistake, not the server's.
    const status = (original as { extensions?: { http?: { status?: number } } } | null)?.extensions?.http?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_REQUEST' } };
    }
    // A stream that missed events, or a subscriber cut off for falling behind (graphql-ws wraps
    // what the source threw, without a path): not a bug, and subscribing again resumes it.
    const cause = (original as { originalError?: unknown } | null)?.originalError ?? original;
    if (cause instanceof StreamInterruptedError || cause instanceof SlowSubscriberError) {
      const reason = cause instanceof StreamInterruptedError ? 'STREAM_INTERRUPTED' : 'SUBSCRIBER_TOO_SLOW';
      return { message: cause.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE', reason } };
    }
    // The database away (or its disk full) is an outage, not a bug: the client is told to retry,
    // and the log gets one short line per call rather than a stack trace.
    const outage = databaseUnavailable(original);
    if (outage) {
      log.warn({ code: outage.code, path: formatted.path }, 'database unavailable');
      return { message: `Service unavailable: ${outage.reason}`, locations: formatted.locations, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE', reason: outage.code } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const shaped = format(formatted, error);
    let message = options.hideSuggestions ? shaped.message.replace(SUGGESTION, '') : shaped.message;
    // A client's own megabytes are not sent back to it: long quoted values in a long message are cut.
    if (message.length > LONG_MESSAGE) message = message.replace(LONG_QUOTED, '"$1…"');
    return message === shaped.message ? shaped : { ...shaped, message };
  };
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
