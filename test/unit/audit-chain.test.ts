import { describe, expect, it } from 'vitest';
import { auditEntryHash, canonicalJson, ChainChecker, GENESIS_HASH, type StoredChainEntry } from '../../src/modules/auth/audit-chain';

const entry = (sequence: number, previousHash: string, args: unknown = { input: { b: 1, a: [1, { d: 2, c: null }] } }): StoredChainEntry => {
  const fields = {
    sequence, previousHash, id: `aud_${sequence}`, actorKeyId: 'key_1', actorName: 'n', actorPrincipal: 'p', actorRole: 'ADMIN', operation: 'createModel',
    arguments: args, outcome: 'ok', errorMessage: null, clientAddress: null, requestId: 'r', createdAt: new Date(1_700_000_000_123 + sequence),
  };
  return { ...fields, hash: auditEntryHash(fields) };
};

describe('audit chain hashing', () => {
  it('does not depend on the key order a database gives back', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [2, { x: 2, y: 1 }] }, b: 1 }));
    expect(auditEntryHash(entry(1, GENESIS_HASH, { x: 1, y: 2 }))).toBe(auditEntryHash(entry(1, GENESIS_HASH, { y: 2, x: 1 })));
  });

  it('changes with any field, the sequence and the previous hash', () => {
    const base = entry(2, 'a'.repeat(64));
    const variants = [{ sequence: 3 }, { previousHash: 'b'.repeat(64) }, { outcome: 'FORBIDDEN' }, { arguments: { input: {} } }, { createdAt: new Date(base.createdAt.getTime() + 1) }, { actorName: null }];
    for (const change of variants) expect(auditEntryHash({ ...base, ...change })).not.toBe(base.hash);
  });

  it('checks across batches and reports the first break', () => {
    const first = entry(1, GENESIS_HASH);
    const second = entry(2, first.hash);
    const third = entry(3, second.hash);
    const checker = new ChainChecker(null);
    expect(checker.check([first])).toBeNull();
    expect(checker.check([second, third])).toBeNull();
    expect(checker.checked).toBe(3);
    expect(checker.checkHead({ sequence: 3, hash: third.hash })).toBeNull();
    expect(new ChainChecker(null).check([first, third])).toMatchObject({ reason: 'SEQUENCE_GAP', sequence: 3 });
    expect(new ChainChecker({ sequence: 1, hash: first.hash }).check([{ ...second, outcome: 'x' }])).toMatchObject({ reason: 'HASH_MISMATCH', sequence: 2 });
  });
});
