import { createHash } from 'node:crypto';

const SECRET_KEY = /secret|password|token|authorization|apikey/i;
const MAX_STRING = 512;
const MAX_ITEMS = 50;

/**
 * Arguments as the audit log keeps them: secrets redacted, and big payloads (a CSV, thousands of
 * rows) replaced by their size and SHA-256, which still proves what was sent.
 */
export function redactArguments(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key)) return '[REDACTED]';
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? { bytes: Buffer.byteLength(value), sha256: sha256(value) } : value;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) return { items: value.length, sha256: sha256(JSON.stringify(value)) };
    return value.map((item) => redactArguments(item));
  }
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactArguments(v, k)]));
  }
  return value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
