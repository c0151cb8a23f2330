import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

/** One JSON line per event on stdout; `LOG_LEVEL` decides how much. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'aimass' } });
}
export type { Logger };
