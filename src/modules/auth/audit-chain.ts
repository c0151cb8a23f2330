import { createHash } from 'node:crypto';

/** The previous hash of the first entry in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit entry that its hash covers: all of them, and its place in the chain. */
export interface ChainedFields {
  sequence: number;
  previousHash: string;
  id: string;
  actorKeyId: string | null;
  actorName: string | null;
  actorPrincipal: string | null;
  actorRole: string | null;
  operation: string;
  arguments: unknown;
  outcome: string;
  errorMessage: string | null;
  clientAddress: string | null;
  requestId: string;
  createdAt: Date;
}

/**
 * JSON with object keys sorted at every level, so the hash does not depend on how a database
 * stores the arguments document (MySQL's JSON type reorders keys; text columns keep them).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

/**
 * SHA-256 (hex) of an entry together with the previous entry's hash: changing, removing or
 * reordering any stored entry breaks every hash after it. Times count in milliseconds, the
 * precision both databases keep.
 */
export function auditEntryHash(entry: ChainedFields): string {
  const fields = [
    entry.sequence, entry.previousHash, entry.id, entry.actorKeyId, entry.actorName, entry.actorPrincipal, entry.actorRole,
    entry.operation, canonicalJson(entry.arguments), entry.outcome, entry.errorMessage, entry.clientAddress, entry.requestId,
    entry.createdAt.getTime(),
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** Why a chain check stopped at an entry. */
export enum ChainBreakReason {
  /** The entry's stored hash is not the hash of its stored fields: the entry was changed. */
  HASH_MISMATCH = 'HASH_MISMATCH',
  /** The entry does not point at the stored hash of the entry before it: an entry before it was changed or replaced. */
  PREVIOUS_HASH_MISMATCH = 'PREVIOUS_HASH_MISMATCH',
  /** A sequence number is missing: an entry was deleted. */
  SEQUENCE_GAP = 'SEQUENCE_GAP',
  /** The last entry is not the chain head the database recorded: entries at the end were deleted or added around the chain. */
  HEAD_MISMATCH = 'HEAD_MISMATCH',
}

export interface ChainBreak {
  reason: ChainBreakReason;
  /** The entry where the chain breaks (null for a head with no entry to match). */
  entryId: string | null;
  sequence: number;
  expected: string;
  found: string;
}

export interface StoredChainEntry extends ChainedFields {
  hash: string;
}

/**
 * Checks entries in sequence order, one batch at a time, carrying the previous entry across
 * batches. Returns the first break, or null.
 */
export class ChainChecker {
  private previous: { sequence: number; hash: string } | undefined;
  checked = 0;

  /** `before`: the entry just before the first one checked (its stored hash), or none at the start of the chain. */
  constructor(before: { sequence: number; hash: string } | null) {
    this.previous = before ?? { sequence: 0, hash: GENESIS_HASH };
  }

  check(entries: StoredChainEntry[]): ChainBreak | null {
    for (const entry of entries) {
      const previous = this.previous!;
      if (entry.sequence !== previous.sequence + 1) {
        return { reason: ChainBreakReason.SEQUENCE_GAP, entryId: entry.id, sequence: entry.sequence, expected: String(previous.sequence + 1), found: String(entry.sequence) };
      }
      if (entry.previousHash !== previous.hash) {
        return { reason: ChainBreakReason.PREVIOUS_HASH_MISMATCH, entryId: entry.id, sequence: entry.sequence, expected: previous.hash, found: entry.previousHash };
      }
      const recomputed = auditEntryHash(entry);
      if (entry.hash !== recomputed) {
        return { reason: ChainBreakReason.HASH_MISMATCH, entryId: entry.id, sequence: entry.sequence, expected: recomputed, found: entry.hash };
      }
      this.previous = { sequence: entry.sequence, hash: entry.hash };
      this.checked++;
    }
    return null;
  }

  /** The head the database recorded must be the last entry checked (when the check reached the end). */
  checkHead(head: { sequence: number; hash: string }): ChainBreak | null {
    const last = this.previous!;
    if (head.sequence === last.sequence && head.hash === last.hash) return null;
    return { reason: ChainBreakReason.HEAD_MISMATCH, entryId: null, sequence: head.sequence, expected: `${head.sequence}:${head.hash}`, found: `${last.sequence}:${last.hash}` };
  }
}
