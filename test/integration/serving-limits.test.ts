import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, DEPLOY, PREDICT, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

// Serving's own limits: per-call deadlines, cells per request by role, and the worker pool that
// takes large predicts and explanations off the event loop (its speed is in bench/serving.ts).
let server: TestServer;
let modelId: string;
let versionId: string;
const rows = creditRows().map(featuresOf);
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const predict = (input: Record<string, unknown>, headers: Record<string, string> = {}) =>
  server.request(PREDICT, { input: { model: 'credit-limits', environment: 'TEST', ...input } }, headers);

beforeAll(async () => {
  server = await startTestServer({ env: { MAX_PREDICT_ROWS: '1000', PREDICT_POOL_THREADS: '2', PREDICT_POOL_MIN_ROWS: '100' } });
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-limits', csv: creditCsv() } });
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-limits', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [8], epochs: 2, batchSize: 64 } },
  }));
  versionId = await trainVersion(server, modelId, createDataset.id, 5);
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'TEST' } });
}, 120_000);
afterAll(() => server?.close());

describe('the worker pool', () => {
  it('scores a large predict on a worker thread with the same values as micro-batches on the event loop', async () => {
    const before = server.services.predictions.load().pool.completed;
    const large = await predict({ rows: rows.slice(0, 300) });
    expect(large.errors).toBeUndefined();
    expect(server.services.predictions.load().pool.completed).toBe(before + 1);
    // Below PREDICT_POOL_MIN_ROWS: the event loop's micro-batcher, not the pool.
    const small = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => predict({ rows: rows.slice(i * 50, i * 50 + 50) })));
    expect(server.services.predictions.load().pool.completed).toBe(before + 1);
    const pooled = large.data.predict.predictions.map((p: any) => p.value);
    const looped = small.flatMap((res) => res.data.predict.predictions.map((p: any) => p.value));
    expect(pooled).toHaveLength(300);
    pooled.forEach((value: number, i: number) => expect(value).toBeCloseTo(looped[i], 6));
  });

  it('explains on a worker thread exactly as the loaded version does in process', async () => {
    const sample = rows.slice(0, 20);
    const res = await predict({ rows: sample, explain: true });
    expect(res.errors).toBeUndefined();
    const model = await server.services.modelCache.load(versionId);
    const local = await model.score(sample, true);
    const served = res.data.predict.predictions;
    served.forEach((p: any, i: number) => {
      expect(p.value).toBeCloseTo(local[i].value as number, 6);
      expect(p.contributions.map((c: any) => c.feature)).toEqual(local[i].contributions!.map((c) => c.feature));
      p.contributions.forEach((c: any, j: number) => expect(c.contribution).toBeCloseTo(local[i].contributions![j].contribution, 6));
    });
  });

  it('checks the rows of a pooled request as any other: a bad value is BAD_USER_INPUT naming its row and field', async () => {
    const bad = rows.slice(0, 200).map((row, i) => (i === 150 ? { ...row, AGE: 'old' } : row));
    const res = await predict({ rows: bad });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.rows[150].AGE' });
  });
});

describe('deadlines', () => {
  it('answers TIMEOUT past timeoutMs, counted as the server\'s failure, and logs nothing', async () => {
    const errorsBefore = server.services.requestStats.predictSummaries().find((s) => s.modelId === modelId)?.summary.errors ?? 0;
    // 1,000 explained rows take far longer than 1 ms (11,000 forward passes on a worker thread).
    const res = await predict({ rows: rows.slice(0, 1000), explain: true, timeoutMs: 1 });
    expect(codeOf(res)).toBe('TIMEOUT');
    expect(res.status).toBe(504);
    expect(res.errors![0].message).toMatch(/within 1 ms/);
    const summary = server.services.requestStats.predictSummaries().find((s) => s.modelId === modelId)!.summary;
    expect(summary.errors).toBe(errorsBefore + 1);
  });

  it('refuses a deadline outside 1..MAX_PREDICT_TIMEOUT_MS', async () => {
    for (const timeoutMs of [0, 60_001]) {
      const res = await predict({ rows: rows.slice(0, 1), timeoutMs });
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/MAX_PREDICT_TIMEOUT_MS/);
    }
  });
});

describe('cells per request', () => {
  it('holds a partner to MAX_PREDICT_CELLS_PARTNER where an internal reader may go on to MAX_PREDICT_CELLS', async () => {
    const partner = `Bearer ${await server.createKey('PARTNER', [modelId])}`;
    const viewer = `Bearer ${await server.createKey('VIEWER')}`;
    // 1,000 rows × 10 features × 11 (explained) = 110,000 cells: over the partner's 100,000.
    const input = { rows: rows.slice(0, 1000), explain: true };
    const refused = await predict(input, { authorization: partner });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].message).toMatch(/110,000 cells.*MAX_PREDICT_CELLS_PARTNER/);
    expect(refused.errors![0].extensions).toMatchObject({ cells: 110_000, limit: 100_000 });
    const allowed = await predict(input, { authorization: viewer });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data.predict.predictions).toHaveLength(1000);
    // Without the explanation the same rows are 10,000 cells: the partner is served.
    const plain = await predict({ rows: rows.slice(0, 1000) }, { authorization: partner });
    expect(plain.errors).toBeUndefined();
  });
});
