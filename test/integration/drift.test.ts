import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Environment } from '../../src/modules/deployments/environment';
import { CREDIT_FEATURES, DEPLOY, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let modelId: string;
let versionId: string;
const rows = creditRows();
// Every third row: spread over the file, so the sample looks like the whole (and the training split).
const real = rows.filter((_, i) => i % 3 === 0).slice(0, 300).map(featuresOf);

const REPORT = `query($model: String!, $env: Environment, $from: DateTimeISO, $to: DateTimeISO) {
  driftReport(model: $model, environment: $env, from: $from, to: $to) {
    model { id name } environment modelVersion { id } from to rowCount sampled status maxPsi message
    scorePsi scoreBins { label expected actual }
    features { feature type psi ks status count bins { label expected actual } } } }`;
const PREDICT = 'mutation($input: PredictInput!) { predict(input: $input) { latencyMs } }';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const report = async (variables: Record<string, unknown>) => (await server.query(REPORT, { model: 'credit-drift', ...variables })).driftReport;

async function serve(environment: string, input: Record<string, unknown>[]): Promise<void> {
  const res = await server.request(PREDICT, { input: { model: 'credit-drift', environment, rows: input } });
  expect(res.errors).toBeUndefined();
  // Stored before anything reads the log.
  await server.services.predictionLog.flush();
}

beforeAll(async () => {
  // 300 served rows a report: DRIFT_MIN_ROWS is lowered to let them count.
  server = await startTestServer({ env: { MAX_PREDICT_ROWS: '1000', PREDICTION_LOG_FLUSH_MS: '20', DRIFT_MIN_ROWS: '100' } });
  const { createDataset: dataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-drift', csv: creditCsv(rows) } });
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-drift', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [4], epochs: 2, batchSize: 64 } },
  }));
  versionId = await trainVersion(server, modelId, dataset.id, 1);
  await server.query('mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: modelId });
  for (const environment of ['PRODUCTION', 'TEST']) {
    const { deployModelVersion } = await server.query(DEPLOY, { input: { modelVersionId: versionId, environment } });
    expect(deployModelVersion).toMatchObject({ __typename: 'Deployment', environment });
  }
}, 120_000);
afterAll(() => server?.close());

describe('driftReport', () => {
  it('finds real rows served unchanged stable against training, with a score shift over the two halves of the window', async () => {
    const started = Date.now();
    await serve('PRODUCTION', real.slice(0, 150));
    const between = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await serve('PRODUCTION', real.slice(150));
    // A window centred between the two batches: the first lands in its first half, the second in its second.
    const middle = between + 15;
    const half = Math.max(middle - started, Date.now() - middle) + 50;
    const drift = await report({ from: new Date(middle - half).toISOString(), to: new Date(middle + half).toISOString() });
    expect(drift).toMatchObject({ model: { id: modelId, name: 'credit-drift' }, environment: 'PRODUCTION', modelVersion: { id: versionId }, rowCount: 300, sampled: false, message: null });
    expect(drift.features.map((f: any) => f.feature)).toEqual(CREDIT_FEATURES);
    for (const f of drift.features) {
      expect(['STABLE', 'MODERATE'], `${f.feature} psi ${f.psi}`).toContain(f.status);
      expect(f.count).toBe(300);
    }
    const amount = drift.features.find((f: any) => f.feature === 'AMOUNT');
    expect(amount).toMatchObject({ type: 'NUMBER', status: 'STABLE' });
    expect(amount.psi).toBeLessThan(0.1);
    expect(amount.ks).toBeGreaterThanOrEqual(0);
    expect(amount.ks).toBeLessThan(0.15);
    expect(drift.features.find((f: any) => f.feature === 'HOUSING')).toMatchObject({ type: 'CATEGORY', ks: null });
    expect(drift.maxPsi).toBe(Math.max(...drift.features.map((f: any) => f.psi)));
    expect(['STABLE', 'MODERATE']).toContain(drift.status);
    expect(drift.scorePsi).toBeGreaterThanOrEqual(0);
    expect(drift.scoreBins).toHaveLength(10);
    expect(drift.scoreBins[0].label).toBe('0.0 to 0.1');
    expect(sum(drift.scoreBins.map((b: any) => b.expected))).toBeCloseTo(1, 6);
    expect(sum(drift.scoreBins.map((b: any) => b.actual))).toBeCloseTo(1, 6);

    // The default window (the last 24 h) holds the same rows.
    const latest = await report({});
    expect(latest).toMatchObject({ rowCount: 300, status: drift.status });
    expect(new Date(latest.to).getTime() - new Date(latest.from).getTime()).toBe(86_400_000);
  });

  it('flags AMOUNT tripled in TEST as SIGNIFICANT, with expected and actual shares each summing to 1', async () => {
    await serve('TEST', real.map((row) => ({ ...row, AMOUNT: (row.AMOUNT as number) * 3 })));
    const drift = await report({ env: 'TEST' });
    expect(drift).toMatchObject({ environment: 'TEST', rowCount: 300, status: 'SIGNIFICANT' });
    const amount = drift.features.find((f: any) => f.feature === 'AMOUNT');
    expect(amount.status).toBe('SIGNIFICANT');
    expect(amount.psi).toBeGreaterThan(0.25);
    expect(drift.maxPsi).toBeGreaterThanOrEqual(amount.psi);
    expect(amount.ks).toBeGreaterThan(0.2);
    expect(amount.bins.length).toBeGreaterThan(1);
    expect(amount.bins[0].label).toMatch(/^<= /);
    expect(amount.bins.at(-1).label).toMatch(/^> /);
    expect(sum(amount.bins.map((b: any) => b.expected))).toBeCloseTo(1, 6);
    expect(sum(amount.bins.map((b: any) => b.actual))).toBeCloseTo(1, 6);
    // Only AMOUNT changed: the other features of the same rows stay as they were.
    for (const f of drift.features.filter((f: any) => f.feature !== 'AMOUNT')) expect(f.status, f.feature).not.toBe('SIGNIFICANT');
    const housing = drift.features.find((f: any) => f.feature === 'HOUSING');
    expect(housing.bins.map((b: any) => b.label)).toEqual(['free', 'own', 'rent', '(other)']);
    expect(sum(housing.bins.map((b: any) => b.expected))).toBeCloseTo(1, 6);

    // Rows served in TEST do not count towards PRODUCTION.
    expect((await report({})).rowCount).toBe(300);
  });

  it('answers a model with nothing deployed in the environment with a message and no status', async () => {
    const drift = await report({ env: 'PREVIEW' });
    expect(drift).toMatchObject({ environment: 'PREVIEW', modelVersion: null, rowCount: 0, sampled: false, status: null, maxPsi: null, features: [], scorePsi: null, scoreBins: null });
    expect(drift.message).toBe('model "credit-drift" has no version deployed to PREVIEW');
  });

  it('answers a window without served rows with rowCount 0 and a message', async () => {
    const drift = await report({ from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' });
    expect(drift).toMatchObject({ modelVersion: { id: versionId }, rowCount: 0, status: null, maxPsi: null, features: [], scorePsi: null });
    expect(drift.message).toBe('no predictions served between 2000-01-01T00:00:00.000Z and 2000-01-02T00:00:00.000Z');
  });

  it('refuses an unknown model (NOT_FOUND) and a window whose start is not before its end (BAD_USER_INPUT)', async () => {
    expect(codeOf(await server.request(REPORT, { model: 'no-such-model' }))).toBe('NOT_FOUND');
    const at = '2024-06-01T00:00:00Z';
    for (const to of [at, '2024-05-31T00:00:00Z']) {
      const res = await server.request(REPORT, { model: 'credit-drift', from: at, to });
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/must be before/);
    }
  });

  it('reads only the newest 10,000 served rows of a window, and says so', async () => {
    const { deployModelVersion } = await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'PREVIEW' } });
    expect(deployModelVersion.environment).toBe('PREVIEW');
    const batch = Array.from({ length: 1000 }, (_, i) => real[i % real.length]);
    for (let i = 0; i < 11; i++) await serve('PREVIEW', batch);
    const drift = await report({ env: 'PREVIEW' });
    expect(drift).toMatchObject({ rowCount: 10_000, sampled: true });
    expect(drift.features.find((f: any) => f.feature === 'AMOUNT').count).toBe(10_000);
  }, 60_000);

  it('checks every model live in an environment for alerting', async () => {
    const test = await server.services.drift.checkAll(Environment.TEST, 3600);
    expect(test).toEqual([{ modelId, maxPsi: expect.any(Number), status: 'SIGNIFICANT' }]);
    expect(test[0].maxPsi).toBeGreaterThan(0.25);
    const production = await server.services.drift.checkAll(undefined, 3600);
    expect(production).toEqual([{ modelId, maxPsi: expect.any(Number), status: expect.stringMatching(/^(STABLE|MODERATE)$/) }]);
    expect(await server.services.drift.checkAll(Environment.TEST, 0.001)).toEqual([{ modelId, maxPsi: null, status: null }]);
  });

  it('gives INSUFFICIENT_DATA, and no PSI to alert on, below DRIFT_MIN_ROWS (2 rows once read SIGNIFICANT)', async () => {
    // PREVIEW serves this version since the test above; only the rows from now on are read.
    const from = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await serve('PREVIEW', real.slice(0, 2).map((row) => ({ ...row, AMOUNT: Number(row.AMOUNT) * 3 })));
    const drift = await report({ env: 'PREVIEW', from });
    expect(drift).toMatchObject({ rowCount: 2, status: 'INSUFFICIENT_DATA' });
    expect(drift.message).toMatch(/fewer than DRIFT_MIN_ROWS \(100\)/);
    expect(drift.features.every((f: any) => f.status === 'INSUFFICIENT_DATA')).toBe(true);
    const checked = await server.services.drift.checkAll(Environment.PREVIEW, (Date.now() - Date.parse(from)) / 1000);
    expect(checked).toEqual([{ modelId, maxPsi: null, status: 'INSUFFICIENT_DATA' }]);
  });
});
