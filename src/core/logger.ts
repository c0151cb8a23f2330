import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

/** The longest SQL text an error log line keeps (a 400-row INSERT is tens of kilobytes). */
const MAX_LOGGED_SQL = 300;

/**
 * Errors as pino serialises them, minus what must never reach a log: the parameters of a failed
 * SQL statement (served rows, customers' data) are dropped, here and in the driver error inside,
 * and the statement itself is cut short.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete serialized.parameters;
  if (typeof serialized.query === 'string' && serialized.query.length > MAX_LOGGED_SQL) serialized.query = `${serialized.query.slice(0, MAX_LOGGED_SQL)}…`;
  const driver = serialized.driverError as Record<string, unknown> | undefined;
  if (driver && typeof driver === 'object') {
    const { parameters: _parameters, sql: _sql, ...rest } = driver;
    serialized.driverError = rest;
  }
  return serialized;
}

/** One JSON line per event on stdout; `LOG_LEVEL` decides how much. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'aimass' }, serializers: { err: serializeError } });
}
export type { Logger };
