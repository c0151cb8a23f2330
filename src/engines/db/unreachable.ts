/**
 * Errors that mean the database itself is out of reach or cannot take writes, not that a request
 * was wrong: the client gets SERVICE_UNAVAILABLE (retry later) instead of INTERNAL_SERVER_ERROR.
 * mysql2 and TypeORM put the driver's code on the error or on its `driverError`.
 */
const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  // SQLite: the file's disk is full (or the process's file-size limit is reached), or another
  // connection kept the lock past busy_timeout.
  'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_SHMSIZE', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'ENOSPC', 'EFBIG',
]);

const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EFBIG']);

function codeOf(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; driverError?: unknown; cause?: unknown } | null, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    if (typeof e.code === 'string' && UNREACHABLE.has(e.code)) return e.code;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return undefined;
}

/** Why the database cannot serve (for the client's message), or null when `error` is something else. */
export function databaseUnavailable(error: unknown): { code: string; reason: string } | null {
  const code = codeOf(error);
  if (!code) return null;
  if (FULL.has(code)) return { code, reason: 'the database has no room left to write (its disk is full); stored data is intact, retry once space is freed' };
  if (code.startsWith('SQLITE_BUSY')) return { code, reason: 'the database is busy; retry shortly' };
  if (code.startsWith('SQLITE_IOERR')) return { code, reason: 'the database could not write to its disk; retry shortly' };
  return { code, reason: 'the database cannot be reached; retry shortly' };
}
