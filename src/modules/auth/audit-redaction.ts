import { createHash } from 'node:crypto';

const SECRET_KEY = /secret|password|token|authorization|apikey/i;
const MAX_STRING = 512;
const MAX_ITEMS = 50;
/** Deeper than any input type of the schema: past it, a value is kept as its hash. */
const MAX_DEPTH = 20;

/**
 * Arguments as the audit log keeps them: secrets redacted, and big payloads (a CSV, thousands of
 * rows) replaced by their size and SHA-256, which still proves what was sent.
 */
export function redactArguments(value: unknown, key = '', depth = 0): unknown {
  if (key && SECRET_KEY.test(key)) return '[REDACTED]';
  // A refused request's variables are audited as sent: thousands of nested levels overflowed the
  // stack here, and the refusal went unaudited (found by the reliability fuzzer).
  if (depth > MAX_DEPTH && value && typeof value === 'object') return { nestedDeeperThan: MAX_DEPTH, sha256: hashOf(value) };
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? { bytes: Buffer.byteLength(value), sha256: sha256(value) } : value;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) return { items: value.length, sha256: sha256(JSON.stringify(value)) };
    return value.map((item) => redactArguments(item, '', depth + 1));
  }
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactArguments(v, k, depth + 1)]));
  }
  return value;
}

/** The hash of a value's JSON, or null when even JSON.stringify cannot walk it. */
function hashOf(value: unknown): string | null {
  try {
    return sha256(JSON.stringify(value));
  } catch {
    return null;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
