import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerToken, generateToken, hashToken, prefixOf, sameSecret, tokenMatches } from '../../src/modules/auth/api-key-token';
import { redactArguments } from '../../src/modules/auth/audit-redaction';

describe('API key tokens', () => {
  it('carry their public prefix and verify only against their own hash', () => {
    const { token, prefix } = generateToken();
    expect(token).toMatch(/^aim_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(prefixOf(token)).toBe(prefix);
    expect(tokenMatches(token, hashToken(token))).toBe(true);
    expect(tokenMatches(token, hashToken(generateToken().token))).toBe(false);
    expect(tokenMatches(token, 'not-hex')).toBe(false);
  });

  it('compare secrets whole: equal, one character off, or of another length', () => {
    const { token } = generateToken();
    expect(sameSecret(token, `${token}`)).toBe(true);
    expect(sameSecret(token, `x${token.slice(1)}`)).toBe(false);
    expect(sameSecret(token, `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`)).toBe(false);
    expect(sameSecret(token, token.slice(0, -1))).toBe(false);
    expect(sameSecret('', '')).toBe(true);
  });

  it('derive a prefix from the hash of an operator-chosen secret', () => {
    const secret = 'my-own-bootstrap-secret-123456';
    expect(prefixOf(secret)).toBe(`h${createHash('sha256').update(secret).digest('hex').slice(0, 11)}`);
  });

  it('read Bearer headers strictly', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('')).toBeNull();
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});

describe('redactArguments', () => {
  it('hides secrets, and replaces big strings and long arrays by size and SHA-256', () => {
    const csv = 'x\n'.repeat(1000);
    const rows = Array.from({ length: 60 }, (_, i) => ({ i }));
    const out = redactArguments({ input: { name: 'n', csv, rows, apiSecret: 's3cret', nested: { password: 'p', when: new Date(0) } } }) as any;
    expect(out.input.name).toBe('n');
    expect(out.input.csv).toEqual({ bytes: 2000, sha256: createHash('sha256').update(csv).digest('hex') });
    expect(out.input.rows).toEqual({ items: 60, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') });
    expect(out.input.apiSecret).toBe('[REDACTED]');
    expect(out.input.nested).toEqual({ password: '[REDACTED]', when: '1970-01-01T00:00:00.000Z' });
    expect(JSON.stringify(out)).not.toContain('s3cret');
  });
});
