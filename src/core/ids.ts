import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * What an id is minted for: an entity class with a static `idPrefix` (e.g. `Model.idPrefix =
 * 'mdl'`), or any object carrying one. Each module declares its prefixes on its entities; the
 * server's registry checks that no two modules share one.
 */
export interface IdType {
  readonly idPrefix: string;
}

/**
 * ulid's default generator asks the OS for one random byte per character (16 calls per id); the
 * prediction log makes thousands of ids a second, so bytes come from a refilled pool instead.
 */
const pool = { bytes: Buffer.alloc(0), at: 0 };
function pooledRandom(): number {
  if (pool.at >= pool.bytes.length) {
    pool.bytes = randomBytes(4096);
    pool.at = 0;
  }
  return pool.bytes[pool.at++] / 256;
}

// Monotonic, so ids made in the same millisecond still sort in creation order (cursors rely on it).
const nextUlid = monotonicFactory(pooledRandom);
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const PREFIX = /^[a-z]{1,8}$/;

/** A new opaque id: `<prefix>_<ULID>`, sortable by creation time. */
export function newId(type: IdType): string {
  return `${type.idPrefix}_${nextUlid()}`;
}

/** The prefix of a well-formed aimass id (`mdl` for `mdl_01J…`), or null for anything else. */
export function prefixOfId(id: string): string | null {
  const cut = id.indexOf('_');
  if (cut < 1) return null;
  const prefix = id.slice(0, cut);
  return PREFIX.test(prefix) && ULID.test(id.slice(cut + 1)) ? prefix : null;
}

/** True when `id` is a well-formed id of `type`: a cheap check before any query. */
export function isIdOf(id: string, type: IdType): boolean {
  return prefixOfId(id) === type.idPrefix;
}
