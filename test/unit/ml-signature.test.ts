import { describe, expect, it } from 'vitest';
import { fitPreprocessor } from '../../src/ml/preprocessing';
import { RowValidationError, signatureOf, validateRows, type Signature, type SignatureFeature, type UnknownFieldPolicy } from '../../src/ml/signature';

const training = [
  { AMOUNT: 100, ACTIVE: true, OPENED: '2024-01-01', HOUSING: 'own' },
  { AMOUNT: 200, ACTIVE: false, OPENED: '2024-01-03', HOUSING: 'rent' },
  { AMOUNT: 300, ACTIVE: true, OPENED: '2024-01-02', HOUSING: 'own' },
  { AMOUNT: 400, ACTIVE: true, OPENED: '2024-01-04', HOUSING: 'free' },
];
const preprocessor = fitPreprocessor(training, [
  { name: 'AMOUNT', type: 'NUMBER' },
  { name: 'ACTIVE', type: 'BOOLEAN' },
  { name: 'OPENED', type: 'DATE' },
  { name: 'HOUSING', type: 'CATEGORY' },
]);
const signature = signatureOf(preprocessor);
const valid = (): Record<string, unknown> => ({ AMOUNT: 150, ACTIVE: false, OPENED: '2024-02-01', HOUSING: 'rent' });

/** The RowValidationError validateRows throws (fails the test when it does not throw one). */
function rejection(rows: Record<string, unknown>[], policy: UnknownFieldPolicy = 'IGNORE', sig: Signature = signature): RowValidationError {
  try {
    validateRows(sig, rows, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(RowValidationError);
    return error as RowValidationError;
  }
  throw new Error('validateRows accepted the rows');
}

/** Rows of valid values with `field` of row `index` set to `value`. */
function withValue(field: string, value: unknown, index = 0, count = index + 1): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => (i === index ? { ...valid(), [field]: value } : valid()));
}

describe('signatureOf', () => {
  it('maps the preprocessor features with their types, categories and training statistics', () => {
    // 2024-01-01 is day 19 723; the dates are days 19 723 … 19 726, mean 19 724.5.
    expect(signature.features).toEqual([
      { name: 'AMOUNT', type: 'NUMBER', categories: null, min: 100, max: 400, mean: 250 },
      { name: 'ACTIVE', type: 'BOOLEAN', categories: null, min: 0, max: 1, mean: 0.75 },
      { name: 'OPENED', type: 'DATE', categories: null, min: 19_723, max: 19_726, mean: 19_724.5 },
      { name: 'HOUSING', type: 'CATEGORY', categories: ['free', 'own', 'rent'], min: null, max: null, mean: null },
    ]);
  });

  it('gives null ranges for artifacts saved without a profile', () => {
    const old = { outputSize: 1, features: [{ name: 'X', kind: 'numeric' as const, source: 'NUMBER' as const, mean: 5, std: 2 }] };
    expect(signatureOf(old).features).toEqual([{ name: 'X', type: 'NUMBER', categories: null, min: null, max: null, mean: 5 }]);
  });

  it('appends extra required columns as NUMBER with null stats, once', () => {
    const sig = signatureOf(preprocessor, ['SALES', 'AMOUNT', 'SALES']);
    expect(sig.features.map((f) => f.name)).toEqual(['AMOUNT', 'ACTIVE', 'OPENED', 'HOUSING', 'SALES']);
    expect(sig.features[4]).toEqual({ name: 'SALES', type: 'NUMBER', categories: null, min: null, max: null, mean: null });
    expect(signatureOf(null, ['SALES']).features.map((f) => f.name)).toEqual(['SALES']);
    expect(signatureOf(null).features).toEqual([]);
  });
});

describe('validateRows: accepted values', () => {
  it('accepts typed values, numeric/boolean/date text, null and blank text as missing', () => {
    const rows = [
      valid(),
      { AMOUNT: '-1.5e3', ACTIVE: 'yes', OPENED: '2024-01-31T10:00:00Z', HOUSING: 'own' },
      { AMOUNT: ' 42 ', ACTIVE: '1', OPENED: '5/31/2024', HOUSING: 'free' },
      { AMOUNT: null, ACTIVE: null, OPENED: null, HOUSING: null },
      { AMOUNT: '', ACTIVE: ' ', OPENED: '', HOUSING: '' },
      { AMOUNT: 1e9, ACTIVE: 1, OPENED: '01-May-95', HOUSING: 'rent' },
      { AMOUNT: 0, ACTIVE: 0, OPENED: '2024/05/31', HOUSING: 'rent' },
    ];
    expect(() => validateRows(signature, rows, 'REJECT')).not.toThrow();
    expect(() => validateRows(signature, [], 'REJECT')).not.toThrow();
  });

  it('accepts numbers and booleans as category text, and anything for a feature without categories', () => {
    const p = fitPreprocessor([{ CODE: 4 }, { CODE: true }, { CODE: 'x' }], [{ name: 'CODE', type: 'CATEGORY' }]);
    expect(() => validateRows(signatureOf(p), [{ CODE: 4 }, { CODE: '4' }, { CODE: true }, { CODE: 'true' }], 'IGNORE')).not.toThrow();
    const empty = fitPreprocessor([{ CODE: null }], [{ name: 'CODE', type: 'CATEGORY' }]);
    expect(signatureOf(empty).features[0].categories).toEqual([]);
    expect(() => validateRows(signatureOf(empty), [{ CODE: 'anything' }, { CODE: 7 }], 'IGNORE')).not.toThrow();
  });

  it('does not enforce the training range', () => {
    expect(() => validateRows(signature, withValue('AMOUNT', -1e6), 'IGNORE')).not.toThrow();
    expect(() => validateRows(signature, withValue('OPENED', '1990-01-01'), 'IGNORE')).not.toThrow();
  });
});

describe('validateRows: rejections', () => {
  it('rejects non-numeric NUMBER values with row and field', () => {
    const e = rejection(withValue('AMOUNT', 'abc', 3));
    expect([e.row, e.field, e.message]).toEqual([3, 'AMOUNT', 'rows[3].AMOUNT: "abc" is not a number']);
    expect(rejection(withValue('AMOUNT', true)).message).toBe('rows[0].AMOUNT: true is not a number');
    expect(rejection(withValue('AMOUNT', { v: 1 })).message).toBe('rows[0].AMOUNT: an object is not a number');
    expect(rejection(withValue('AMOUNT', [1])).message).toBe('rows[0].AMOUNT: an array is not a number');
    expect(rejection(withValue('AMOUNT', '0x10')).message).toBe('rows[0].AMOUNT: "0x10" is not a number');
  });

  it('rejects NaN and infinities as not finite, as numbers and as text', () => {
    const e = rejection(withValue('AMOUNT', NaN, 1));
    expect([e.row, e.field, e.message]).toEqual([1, 'AMOUNT', 'rows[1].AMOUNT: NaN is not a finite number']);
    expect(rejection(withValue('AMOUNT', Infinity)).message).toBe('rows[0].AMOUNT: Infinity is not a finite number');
    expect(rejection(withValue('AMOUNT', 'NaN')).message).toBe('rows[0].AMOUNT: "NaN" is not a finite number');
    expect(rejection(withValue('AMOUNT', '-Infinity')).message).toBe('rows[0].AMOUNT: "-Infinity" is not a finite number');
    expect(rejection(withValue('AMOUNT', '1e999')).message).toBe('rows[0].AMOUNT: "1e999" is not a finite number');
  });

  it('rejects a row that omits a feature, but not one that sends null', () => {
    const rows = [valid(), valid()];
    delete rows[1].OPENED;
    const e = rejection(rows);
    expect([e.row, e.field, e.message]).toEqual([1, 'OPENED', 'rows[1]: missing feature "OPENED"']);
    expect(rejection([{ ...valid(), OPENED: undefined }]).field).toBe('OPENED');
  });

  it('rejects a category outside the training categories, listing them', () => {
    const e = rejection(withValue('HOUSING', 'castle', 2));
    expect([e.row, e.field]).toEqual([2, 'HOUSING']);
    expect(e.message).toBe('rows[2].HOUSING: unknown category "castle" (expected one of: free, own, rent)');
    expect(rejection(withValue('HOUSING', 3)).message).toContain('unknown category "3"');
    expect(rejection(withValue('HOUSING', { a: 1 })).message).toContain('an object is not a category value');
  });

  it('lists at most 10 categories', () => {
    const names = Array.from({ length: 12 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const sig = signatureOf(fitPreprocessor(names.map((C) => ({ C })), [{ name: 'C', type: 'CATEGORY' }]));
    const e = rejection([{ C: 'zz' }], 'IGNORE', sig);
    expect(e.message).toBe('rows[0].C: unknown category "zz" (expected one of: c00, c01, c02, c03, c04, c05, c06, c07, c08, c09, …)');
  });

  it('rejects values that are not booleans or dates', () => {
    const b = rejection(withValue('ACTIVE', 'maybe', 4));
    expect([b.row, b.field]).toEqual([4, 'ACTIVE']);
    expect(b.message).toMatch(/^rows\[4\]\.ACTIVE: "maybe" is not a boolean/);
    expect(rejection(withValue('ACTIVE', 2)).field).toBe('ACTIVE');
    const d = rejection(withValue('OPENED', '31-Feb-95', 1));
    expect([d.row, d.field]).toEqual([1, 'OPENED']);
    expect(d.message).toMatch(/^rows\[1\]\.OPENED: "31-Feb-95" is not a date/);
    expect(rejection(withValue('OPENED', 20240101)).message).toMatch(/^rows\[0\]\.OPENED: 20240101 is not a date/);
  });

  it('ignores unknown fields with IGNORE and rejects them with REJECT', () => {
    const rows = withValue('FOO', 1, 4, 6);
    expect(() => validateRows(signature, rows, 'IGNORE')).not.toThrow();
    const e = rejection(rows, 'REJECT');
    expect([e.row, e.field, e.message]).toEqual([4, 'FOO', 'rows[4]: unknown field "FOO"']);
  });

  it('reports the first problem: earliest row, then signature order', () => {
    const rows = [valid(), { ...valid(), HOUSING: 'castle', AMOUNT: 'abc' }, { ...valid(), AMOUNT: 'x' }];
    const e = rejection(rows, 'REJECT');
    expect([e.row, e.field]).toEqual([1, 'AMOUNT']);
    // Within a row, the features come before unknown keys.
    const f = rejection([{ FOO: 1, ...valid(), HOUSING: 'castle' }], 'REJECT');
    expect([f.row, f.field]).toEqual([0, 'HOUSING']);
  });

  it('rejects a row that is not an object', () => {
    const e = rejection([valid(), null as unknown as Record<string, unknown>]);
    expect([e.row, e.message]).toEqual([1, 'rows[1]: null is not an object']);
  });

  it('checks 10 000 rows × 20 features quickly', () => {
    const features = Array.from({ length: 20 }, (_, i): SignatureFeature => ({ name: `F${i}`, type: 'NUMBER', categories: null, min: null, max: null, mean: 0 }));
    features[0] = { ...features[0], type: 'CATEGORY', categories: ['a', 'b'], mean: null };
    const row = Object.fromEntries(features.map((f, i) => [f.name, i === 0 ? 'b' : i % 2 ? i : String(i)]));
    const rows = Array.from({ length: 10_000 }, () => ({ ...row }));
    const started = performance.now();
    validateRows({ features }, rows, 'REJECT');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
