import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** The type prefix of every object id; `node(id)` uses it to find the object's type. */
export const ID_PREFIXES = {
  Dataset: 'ds',
  DatasetVersion: 'dsv',
  Model: 'mdl',
  ModelVersion: 'mv',
  Artifact: 'art',
  ApiKey: 'key',
  TrainingRun: 'run',
  Evaluation: 'ev',
  AuditEntry: 'aud',
  Deployment: 'dep',
  DeploymentRequest: 'dreq',
  Prediction: 'pred',
  BatchPredictionJob: 'bpj',
  AlertRule: 'rule',
  Alert: 'alr',
} as const;

export type NodeTypeName = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[NodeTypeName];

const TYPE_BY_PREFIX = new Map<string, NodeTypeName>(
  Object.entries(ID_PREFIXES).map(([type, prefix]) => [prefix, type as NodeTypeName]),
);
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

/** A new opaque id: `<prefix>_<ULID>`, sortable by creation time. */
export function newId(type: NodeTypeName): string {
  return `${ID_PREFIXES[type]}_${nextUlid()}`;
}

/** The type an id names, or null when it is not a well-formed aimass id. */
export function typeOfId(id: string): NodeTypeName | null {
  const cut = id.indexOf('_');
  if (cut < 0 || !ULID.test(id.slice(cut + 1))) return null;
  return TYPE_BY_PREFIX.get(id.slice(0, cut)) ?? null;
}
