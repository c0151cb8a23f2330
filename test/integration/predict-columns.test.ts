import { In } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prediction } from '../../src/modules/predictions/prediction.entity';
import { CREDIT_FEATURES, DEPLOY, creditCsv, creditRows, featuresOf, referencePredictions, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

/** PredictInput.columns and PredictResult.compact, over HTTP against a real server. */
let server: TestServer;
let modelId: string;
let versionId: string;
const auth = {} as Record<'partner' | 'outsider', string>;
const rows = creditRows().slice(0, 300).map(featuresOf);

const PREDICT = `mutation($input: PredictInput!) { predict(input: $input) {
  modelVersion { id } ignoredFeatures rowErrors { row field message }
  predictions { row id value label probabilities { label probability } }
  compact { rows values labels classes probabilities ids } } }`;
const predict = (input: Record<string, unknown>, authorization?: string) => server.request(PREDICT, { input: { model: 'credit-columns', environment: 'TEST', ...input } }, authorization ? { authorization } : {});

/** Rows as columns: HOUSING (a category) as strings, every other feature as numbers. */
function columnsOf(list: Record<string, unknown>[], names = CREDIT_FEATURES): { name: string; numbers?: unknown[]; strings?: unknown[] }[] {
  return names.map((name) => (name === 'HOUSING' ? { name, strings: list.map((r) => r[name]) } : { name, numbers: list.map((r) => r[name]) }));
}

/** Stored log rows by id, read back through their entity (the JSON columns decoded). */
const logged = async (ids: string[]) => new Map((await server.services.db.manager.findBy(Prediction, { id: In(ids) })).map((row) => [row.id, row]));

/** Written log rows, after the ASYNC buffer has been flushed. */
const written = async () => {
  await server.services.predictionLog.flush();
  return server.services.predictionLog.counts.written;
};

beforeAll(async () => {
  // PREVIEW logs DURABLY here, so that both log modes are driven (TEST is ASYNC).
  server = await startTestServer({ env: { MAX_PREDICT_ROWS: '1000', MAX_PREDICT_CELLS_PARTNER: '5000', PREDICT_UNKNOWN_FIELDS: 'REJECT', PREDICTION_LOG_FLUSH_MS: '20', PREDICTION_LOG_DURABILITY_PREVIEW: 'DURABLE' } });
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-columns', csv: creditCsv() } });
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-columns', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [8], epochs: 4, batchSize: 32 } },
  }));
  versionId = await trainVersion(server, modelId, createDataset.id, 1);
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'TEST' } });
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'PREVIEW' } });
  auth.partner = `Bearer ${await server.createKey('PARTNER', [modelId])}`;
  const { createModel: other } = await server.query('mutation { createModel(input: { name: "not-columns", task: REGRESSION, architecture: MLP, featureColumns: ["AGE"], targetColumn: "AMOUNT" }) { id } }');
  auth.outsider = `Bearer ${await server.createKey('PARTNER', [other.id])}`;
}, 120_000);
afterAll(() => server?.close());

/** The independent computation (test/support/serving.ts). */
const reference = (input: Record<string, unknown>[]) => referencePredictions(server, versionId, input);

describe('columnar predict', () => {
  it('answers as the rows path and the independent computation do (to 1e-5), and compact matches predictions', async () => {
    const byRows = await predict({ rows });
    const byColumns = await predict({ columns: columnsOf(rows) });
    expect(byRows.errors).toBeUndefined();
    expect(byColumns.errors).toBeUndefined();
    const a = byRows.data.predict;
    const b = byColumns.data.predict;
    expect(b.modelVersion.id).toBe(versionId);
    expect(b.predictions).toHaveLength(rows.length);
    const expected = await reference(rows);
    b.predictions.forEach((p: any, i: number) => {
      expect(p.row).toBe(i);
      expect(p.value).toBeCloseTo(a.predictions[i].value, 5);
      expect(p.value).toBeCloseTo(expected[i], 5);
      expect(p.label).toBe(a.predictions[i].label);
      expect(p.probabilities).toEqual(a.predictions[i].probabilities.map((q: any) => ({ label: q.label, probability: expect.closeTo(q.probability, 5) })));
    });
    expect(new Set(b.predictions.map((p: any) => p.label)).size).toBe(2);
    // compact: the same answers as parallel lists, on both paths.
    for (const answer of [a, b]) {
      const { compact, predictions } = answer;
      expect(compact.classes).toEqual(['0', '1']);
      expect(compact.rows).toEqual(predictions.map((p: any) => p.row));
      expect(compact.values).toEqual(predictions.map((p: any) => p.value));
      expect(compact.labels).toEqual(predictions.map((p: any) => p.label));
      expect(compact.ids).toEqual(predictions.map((p: any) => p.id));
      expect(compact.probabilities).toEqual(predictions.map((p: any) => p.probabilities.map((q: any) => q.probability)));
    }
    expect(b.rowErrors).toEqual([]);
    expect(b.ignoredFeatures).toEqual([]);
  });

  it('reads numbers sent as text, categories, and nulls (imputed) as the rows path does', async () => {
    const some = rows.slice(0, 20).map((row, i) => ({ ...row, AGE: i % 3 === 0 ? null : row.AGE, HOUSING: i % 4 === 0 ? null : row.HOUSING }));
    const columns = columnsOf(some).map((c) => (c.name === 'AMOUNT' ? { name: 'AMOUNT', strings: some.map((r) => String(r.AMOUNT)) } : c));
    const [byRows, byColumns] = [await predict({ rows: some }), await predict({ columns })];
    expect(byColumns.errors).toBeUndefined();
    byColumns.data.predict.predictions.forEach((p: any, i: number) => expect(p.value).toBeCloseTo(byRows.data.predict.predictions[i].value, 5));
  });

  it('logs each served row with its inputs, as for rows', async () => {
    const before = await written();
    const res = await predict({ columns: columnsOf(rows.slice(0, 3)) });
    expect(res.errors).toBeUndefined();
    expect((await written()) - before).toBe(3);
    const { predictions } = await server.query('query { predictions(first: 3, filter: { model: "credit-columns" }) { edges { node { id inputs } } } }');
    const logged = new Map(predictions.edges.map(({ node }: any) => [node.id, node.inputs]));
    res.data.predict.predictions.forEach((p: any, i: number) => expect(logged.get(p.id)).toEqual(rows[i]));
  });

  for (const environment of ['TEST', 'PREVIEW']) {
    it(`logs (${environment === 'TEST' ? 'ASYNC' : 'DURABLE'}) each served row as sent with the answer returned, its JSON encoded by the writer thread`, async () => {
      const some = rows.slice(0, 6).map((row, i) => ({ ...row, AGE: i === 2 ? null : row.AGE }));
      const columns = columnsOf(some).map((c) => (c.name === 'HOUSING' ? { ...c, strings: some.map((r, i) => (i === 4 ? 'castle' : r.HOUSING)) } : c));
      const before = server.services.predictionLog.counts.groupCommits;
      const res = await predict({ columns, onInvalidRow: 'SKIP_ROW', environment });
      expect(res.errors).toBeUndefined();
      const { predictions } = res.data.predict;
      expect(predictions.map((p: any) => p.row)).toEqual([0, 1, 2, 3, 5]);
      if (environment === 'PREVIEW') expect(server.services.predictionLog.counts.groupCommits).toBeGreaterThan(before);
      else await server.services.predictionLog.flush();
      const stored = await logged(predictions.map((p: any) => p.id));
      expect(stored.size).toBe(predictions.length);
      for (const p of predictions) {
        expect(stored.get(p.id)!.inputs).toEqual(some[p.row]);
        expect(stored.get(p.id)!.outputs).toEqual({ value: p.value, label: p.label, probabilities: p.probabilities, forecast: null, contributions: null });
      }
    });
  }

  it('logs an explained columnar request with its contributions (as rows: the typed form has none)', async () => {
    const res = await predict({ columns: columnsOf(rows.slice(0, 2)), explain: true, environment: 'PREVIEW' });
    expect(res.errors).toBeUndefined();
    const ids = res.data.predict.predictions.map((p: any) => p.id);
    const stored = await logged(ids);
    expect(stored.size).toBe(2);
    ids.forEach((id: string, i: number) => {
      expect(stored.get(id)!.inputs).toEqual(rows[i]);
      expect((stored.get(id)!.outputs as any).contributions).toHaveLength(CREDIT_FEATURES.length);
    });
  });

  it('SKIP_ROW scores the valid rows and names the others', async () => {
    const five = rows.slice(0, 5);
    const columns = columnsOf(five).map((c) => (c.name === 'HOUSING' ? { ...c, strings: ['own', 'castle', 'rent', 'own', 'free'] } : c.name === 'AMOUNT' ? { ...c, strings: five.map((r, i) => (i === 3 ? 'lots' : String(r.AMOUNT))), numbers: undefined } : c));
    const res = await predict({ columns, onInvalidRow: 'SKIP_ROW' });
    expect(res.errors).toBeUndefined();
    const { predictions, rowErrors, compact } = res.data.predict;
    expect(predictions.map((p: any) => p.row)).toEqual([0, 2, 4]);
    expect(compact.rows).toEqual([0, 2, 4]);
    expect(rowErrors.map((e: any) => [e.row, e.field])).toEqual([[1, 'HOUSING'], [3, 'AMOUNT']]);
    expect(rowErrors[0].message).toMatch(/castle/);
    const whole = (await predict({ rows: five.filter((_, i) => i % 2 === 0).map((r, i) => ({ ...r, HOUSING: ['own', 'rent', 'free'][i] })) })).data.predict.predictions;
    predictions.forEach((p: any, i: number) => expect(p.value).toBeCloseTo(whole[i].value, 5));
  });

  it('keeps a partner key to its scope and to MAX_PREDICT_CELLS_PARTNER', async () => {
    expect((await predict({ columns: columnsOf(rows.slice(0, 2)) }, auth.partner)).errors).toBeUndefined();
    const outside = await predict({ columns: columnsOf(rows.slice(0, 2)) }, auth.outsider);
    expect(outside.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const many = columnsOf([...rows, ...rows].slice(0, 600));
    const refused = await predict({ columns: many }, auth.partner);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.columns', limit: 5000 });
    expect(refused.errors![0].message).toMatch(/600 rows × 10 columns is 6,000 cells.*MAX_PREDICT_CELLS_PARTNER/);
    expect((await predict({ columns: many })).errors).toBeUndefined();
  });
});

describe('bad columnar input', () => {
  const two = rows.slice(0, 2);
  const withColumn = (name: string, change: (c: any) => any) => columnsOf(two).map((c) => (c.name === name ? change(c) : c));
  const cases: [string, () => Record<string, unknown>, string, RegExp][] = [
    ['both rows and columns', () => ({ rows: two, columns: columnsOf(two) }), 'input.columns', /exactly one of input.rows or input.columns/],
    ['neither rows nor columns', () => ({}), 'input.rows', /exactly one of input.rows or input.columns/],
    ['no column', () => ({ columns: [] }), 'input.columns', /at least one column/],
    ['columns of no rows', () => ({ columns: columnsOf([]) }), 'input.columns[0].numbers', /at least one row/],
    ['columns of unequal length', () => ({ columns: withColumn('AGE', (c) => ({ ...c, numbers: [30] })) }), 'input.columns[7].numbers', /columns\[7\] \("AGE"\) has 1 values; columns\[0\] has 2/],
    ['a column with numbers and strings', () => ({ columns: withColumn('AGE', (c) => ({ ...c, strings: ['30', '40'] })) }), 'input.columns[7]', /exactly one of numbers or strings/],
    ['a column with neither', () => ({ columns: withColumn('AGE', () => ({ name: 'AGE' })) }), 'input.columns[7]', /exactly one of numbers or strings/],
    ['a column sent twice', () => ({ columns: [...columnsOf(two), { name: 'AGE', numbers: [1, 2] }] }), 'input.columns[10].name', /"AGE" is sent twice/],
    ['a missing feature', () => ({ columns: columnsOf(two, CREDIT_FEATURES.filter((f) => f !== 'AGE')) }), 'input.columns', /missing feature "AGE"/],
    ['an unknown column (PREDICT_UNKNOWN_FIELDS=REJECT)', () => ({ columns: [...columnsOf(two), { name: 'AGEE', numbers: [1, 2] }] }), 'input.columns[10].name', /unknown field "AGEE"/],
    ['a number as text that is not one', () => ({ columns: withColumn('AMOUNT', (c) => ({ name: c.name, strings: ['100', 'lots'] })) }), 'input.columns[3].strings[1]', /columns\[3\] \("AMOUNT"\) row 1: "lots" is not a number/],
    ['NaN as text', () => ({ columns: withColumn('DURATION', (c) => ({ name: c.name, strings: ['NaN', '12'] })) }), 'input.columns[1].strings[0]', /row 0: .*not a finite number/],
    ['Infinity as text', () => ({ columns: withColumn('DURATION', (c) => ({ name: c.name, strings: ['12', 'Infinity'] })) }), 'input.columns[1].strings[1]', /row 1: .*not a finite number/],
    ['1e999 as a number literal', () => ({ columns: withColumn('DURATION', (c) => ({ ...c, numbers: [12, 1e999] })) }), 'input.columns[1].numbers[1]', /row 1: Infinity is not a finite number/],
    ['an unknown category', () => ({ columns: withColumn('HOUSING', (c) => ({ ...c, strings: ['own', 'castle'] })) }), 'input.columns[8].strings[1]', /unknown category "castle"/],
    ['more rows than MAX_PREDICT_ROWS', () => ({ columns: columnsOf(Array(1001).fill(rows[0])) }), 'input.columns[0].numbers', /1001 rows is over the limit of 1000/],
  ];
  it('a text in numbers → BAD_USER_INPUT naming the column in the message, nothing logged', async () => {
    const before = await written();
    const res = await predict({ columns: withColumn('AMOUNT', (c) => ({ ...c, numbers: [100, 'lots'] })) });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/input\.columns\[3\]\.numbers.*FloatList item 1 is "lots", not a number or null/);
    expect(await written()).toBe(before);
  });

  it('an object in numbers is echoed short in the error, whatever its size', async () => {
    const big = { nested: 'x'.repeat(100_000) };
    const res = await predict({ columns: withColumn('AMOUNT', (c) => ({ ...c, numbers: [100, big] })) });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/FloatList item 1 is \{"nested":"x+… \(an object\), not a number or null/);
    expect(res.errors![0].message.length).toBeLessThan(1000);
  });

  for (const [name, input, field, message] of cases) {
    it(`${name} → BAD_USER_INPUT at ${field}, nothing logged`, async () => {
      const before = await written();
      let res;
      if (name.startsWith('1e999')) {
        // JSON cannot carry Infinity: sent as a literal in the query, which GraphQL reads as Infinity.
        const literal = JSON.stringify(input().columns).replace(/"(\w+)":/g, '$1:').replace('null]', '1e999]');
        res = await server.request(`mutation { predict(input: { model: "credit-columns", environment: TEST, columns: ${literal} }) { predictions { value } } }`);
      } else {
        res = await predict(input());
      }
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors![0].message).toMatch(message);
      expect(await written(), 'a refused request logs nothing').toBe(before);
    });
  }
});
