import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSeeded, count, errorCollectingLog, printTally, tally } from '../support/fuzz';
import { shortPrinted } from '../support/graphql-fuzz';
import { CREDIT_FEATURES, DEPLOY, creditCsv, creditRows, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
const { log, errors: loggedErrors } = errorCollectingLog();
const PREDICT = 'mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }';
const CATEGORIES = ['rent', 'own', 'free'];
const logged = async (): Promise<number> => {
  await server.services.predictionLog.flush();
  return (await server.query('query { predictions(filter: { model: "fuzz-credit" }) { totalCount } }')).predictions.totalCount;
};

beforeAll(async () => {
  server = await startTestServer({ log });
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'fuzz-credit', csv: creditCsv(creditRows().slice(0, 300)) } });
  const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'fuzz-credit', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  });
  const version = await trainVersion(server, createModel.id, createDataset.id, 1);
  await server.query(DEPLOY, { input: { modelVersionId: version, environment: 'TEST' } });
}, 120_000);
afterAll(() => server?.close());

/** A value and what the signature makes of it: valid, invalid, or unclear (either answer is fine). */
type Cell = { value: unknown; kind: 'valid' | 'invalid' | 'unclear' } | { missing: true; kind: 'invalid' };

const numericCell: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((value) => ({ value, kind: 'valid' as const })) },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }).map((n) => ({ value: String(n), kind: 'valid' as const })) },
  { weight: 1, arbitrary: fc.constant({ value: null, kind: 'valid' as const }) },
  { weight: 1, arbitrary: fc.constantFrom('abc', 'twelve', '1,5', '12abc').map((value) => ({ value, kind: 'invalid' as const })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({}, [1], { n: 1 }, [[]]).map((value) => ({ value, kind: 'invalid' as const })) },
  { weight: 1, arbitrary: fc.constant({ missing: true as const, kind: 'invalid' as const }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, '', ' ', ' 7 ', '1e400', 'NaN', 'Infinity', '-0', 1e308, '0x10', '١٢').map((value) => ({ value, kind: 'unclear' as const })) },
);

const categoryCell: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...CATEGORIES).map((value) => ({ value, kind: 'valid' as const })) },
  { weight: 1, arbitrary: fc.constant({ value: null, kind: 'valid' as const }) },
  { weight: 1, arbitrary: fc.constantFrom('castle', 'RENTED', 'x'.repeat(5000)).map((value) => ({ value, kind: 'invalid' as const })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({}, [CATEGORIES[0]]).map((value) => ({ value, kind: 'invalid' as const })) },
  { weight: 1, arbitrary: fc.constant({ missing: true as const, kind: 'invalid' as const }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', ' own', 'Own', 1, true).map((value) => ({ value, kind: 'unclear' as const })) },
);

const validCell = (feature: string): fc.Arbitrary<Cell> => (feature === 'HOUSING' ? categoryCell : numericCell).filter((cell) => cell.kind === 'valid');
/** Most rows valid throughout; the others with one or two cells spoiled (or unclear). */
const rowCells = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(...CREDIT_FEATURES.map(validCell)) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.tuple(...CREDIT_FEATURES.map(validCell)), fc.uniqueArray(fc.integer({ min: 0, max: CREDIT_FEATURES.length - 1 }), { minLength: 1, maxLength: 2 }), fc.infiniteStream(fc.nat()))
      .chain(([cells, spoiled]) => fc.tuple(...spoiled.map((i) => (CREDIT_FEATURES[i] === 'HOUSING' ? categoryCell : numericCell))).map((bad) => {
        const out = [...cells];
        spoiled.forEach((i, k) => { out[i] = bad[k]; });
        return out;
      })),
  },
);
/** Keys the signature does not have: a client's typo or a hostile key. */
const extraKeys = fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'RESPONSE', 'amount', '') });

const rowsCase = fc.array(fc.tuple(rowCells, extraKeys), { minLength: 1, maxLength: 5 }).map((rows) => shortPrinted({
  cells: rows.map(([cells]) => cells),
  extras: rows.map(([, extra]) => extra),
  rows: rows.map(([cells, extra]) => {
    // JSON text, so that __proto__ travels as an ordinary key, as it does from any client.
    const entries = cells.flatMap((cell, i) => ('missing' in cell ? [] : [`${JSON.stringify(CREDIT_FEATURES[i])}:${JSON.stringify(cell.value)}`]));
    if (extra !== null) entries.push(`${JSON.stringify(extra)}:1`);
    return `{${entries.join(',')}}`;
  }),
}));

describe('fuzzed predict rows against the signature', () => {
  it('answers valid rows, refuses invalid ones with BAD_USER_INPUT naming the field, and logs nothing for a refusal', async () => {
    const t = tally('predict rows');
    let before = await logged();
    const property = fc.asyncProperty(rowsCase, async (c) => {
      t.cases++;
      const body = `{"query":${JSON.stringify(PREDICT)},"variables":{"input":{"model":"fuzz-credit","environment":"TEST","rows":[${c.rows.join(',')}]}}}`;
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: server.adminAuth }, body });
      expect(res.status).toBeLessThan(500);
      const answer = await res.json() as { data?: { predict: { predictions: { value: number }[] } }; errors?: { message: string; extensions: { code: string; field?: string; rows?: { row: number; field: string }[] } }[] };
      const invalidRows = c.cells.map((cells, r) => (cells.some((cell) => cell.kind === 'invalid') ? r : -1)).filter((r) => r >= 0);
      const clearRows = c.cells.map((cells, r) => (cells.every((cell) => cell.kind === 'valid') && c.extras[r] === null ? r : -1)).filter((r) => r >= 0);
      const after = await logged();
      if (answer.errors) {
        const [error] = answer.errors;
        expect(error.extensions.code, error.message).toBe('BAD_USER_INPUT');
        expect(clearRows.length, `refused rows that are all valid: ${error.message}`).toBeLessThan(c.rows.length);
        // The field named is a row and feature this case made invalid or unclear.
        const named = /^input\.rows\[(\d+)\]\.?(.*)$/.exec(error.extensions.field ?? '');
        expect(named, `field ${error.extensions.field}`).not.toBeNull();
        const row = Number(named![1]);
        expect(clearRows, `${error.extensions.field} names a valid row: ${error.message}`).not.toContain(row);
        const listed = (error.extensions.rows ?? [{ row, field: named![2] }]).map((r) => r.row);
        for (const r of invalidRows) expect(listed, `invalid row ${r} not listed: ${error.message}`).toContain(r);
        expect(after, 'a refused request was logged').toBe(before);
        count(t, invalidRows.length ? 'refused, invalid' : 'refused, unclear');
      } else {
        expect(invalidRows, 'rows with invalid values were answered').toEqual([]);
        expect(answer.data!.predict.predictions).toHaveLength(c.rows.length);
        for (const p of answer.data!.predict.predictions) expect(Number.isFinite(p.value)).toBe(true);
        expect(after).toBe(before + c.rows.length);
        count(t, clearRows.length === c.rows.length ? 'answered, valid' : 'answered, unclear');
      }
      before = after;
    });
    await assertSeeded(property, { full: 2000, short: 150 });
    printTally(t);
    expect(loggedErrors.slice(0, 3).join('\n')).toBe('');
  });
});
