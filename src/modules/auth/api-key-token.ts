import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const FORMAT = /^aim_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new secret API key, `aim_<12-char public prefix>_<256 random bits>`, and its prefix. */
export function generateToken(): { token: string; prefix: string } {
  const prefix = Array.from(randomBytes(12), (b) => ALPHABET[b % ALPHABET.length]).join('');
  return { token: `aim_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

/**
 * The public prefix the key is looked up by. Keys of our own format carry it; any other secret
 * (e.g. an AIMASS_BOOTSTRAP_ADMIN_KEY chosen by an operator) gets one derived from its hash.
 */
export function prefixOf(token: string): string {
  const match = FORMAT.exec(token);
  return match ? match[1] : `h${sha256(token).slice(0, 11)}`;
}

/**
 * Keys are 256-bit random secrets, so a single SHA-256 is enough to store them safely: a slow
 * password hash only helps against guessable secrets, and would cost every request.
 */
export function hashToken(token: string): string {
  return sha256(token);
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether two secrets are equal, in time that depends on their length only (not on where they
 * first differ), like crypto.timingSafeEqual but without encoding both into buffers.
 */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The token from an `Authorization: Bearer <key>` header value; null when absent. */
export function bearerToken(header: unknown): string | null | undefined {
  if (header == null || header === '') return null;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
