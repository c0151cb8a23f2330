import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, DEPLOY, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
const rows = creditRows().slice(0, 200).map(featuresOf);
const PREDICT = `mutation($input: PredictInput!) { predict(input: $input) { predictions { row value label } rowErrors { row field message } } }`;
const logged = async () => {
  await server.services.predictionLog.flush();
  return (await server.query('query { predictions(filter: { model: "credit-rows" }) { totalCount } }')).predictions.totalCount as number;
};

beforeAll(async () => {
  server = await startTestServer({ env: { HEALTH_INTERVAL_SECONDS: '1' } });
  const { createDataset } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'credit-rows', csv: creditCsv() } });
  const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name: 'credit-rows', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
  });
  const versionId = await trainVersion(server, createModel.id, createDataset.id, 1);
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'TEST' } });
}, 60_000);
afterAll(() => server?.close());

/** Five rows: 1 lacks AGE, 3 has an unknown HOUSING category, the rest are fine. */
function mixed(): Record<string, unknown>[] {
  const five = rows.slice(0, 5).map((row) => ({ ...row }));
  delete five[1].AGE;
  five[3].HOUSING = 'castle';
  return five;
}

describe('predict with invalid rows', () => {
  it('REJECT_REQUEST (the default) refuses the request, listing every invalid row, and logs nothing', async () => {
    const before = await logged();
    const res = await server.request(PREDICT, { input: { model: 'credit-rows', environment: 'TEST', rows: mixed() } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rows[1].AGE', row: 1 });
    expect(res.errors![0].message).toMatch(/rows\[1\]: missing feature "AGE" \(and 1 more invalid row: see extensions.rows\)/);
    const listed = (res.errors![0].extensions as any).rows;
    expect(listed.map((r: any) => [r.row, r.field])).toEqual([[1, 'AGE'], [3, 'HOUSING']]);
    expect(listed[1].message).toMatch(/castle/);
    expect(await logged()).toBe(before);
  });

  it('lists at most 100 invalid rows', async () => {
    const broken = rows.slice(0, 150).map((row) => ({ ...row, AMOUNT: 'lots' }));
    const res = await server.request(PREDICT, { input: { model: 'credit-rows', environment: 'TEST', rows: broken } });
    expect((res.errors![0].extensions as any).rows).toHaveLength(100);
    expect(res.errors![0].message).toMatch(/and 99 or more more invalid rows/);
  });

  it('SKIP_ROW scores the valid rows, each with its row index, and reports each invalid one; only scored rows are logged', async () => {
    const before = await logged();
    const { predict } = await server.query(PREDICT, { input: { model: 'credit-rows', environment: 'TEST', rows: mixed(), onInvalidRow: 'SKIP_ROW' } });
    expect(predict.predictions.map((p: any) => p.row)).toEqual([0, 2, 4]);
    expect(predict.rowErrors.map((e: any) => [e.row, e.field])).toEqual([[1, 'AGE'], [3, 'HOUSING']]);
    const valid = [0, 2, 4].map((i) => rows[i]);
    const { predict: alone } = await server.query(PREDICT, { input: { model: 'credit-rows', environment: 'TEST', rows: valid } });
    expect(predict.predictions.map((p: any) => p.value)).toEqual(alone.predictions.map((p: any) => p.value));
    expect(alone.rowErrors).toEqual([]);
    expect(await logged()).toBe(before + 6);
    // Every row invalid: an answer with no predictions, every row reported.
    const { predict: none } = await server.query(PREDICT, { input: { model: 'credit-rows', environment: 'TEST', rows: [{ nope: 1 }, {}], onInvalidRow: 'SKIP_ROW' } });
    expect(none.predictions).toEqual([]);
    expect(none.rowErrors.map((e: any) => e.row)).toEqual([0, 1]);
  });
});

describe('partners know their world', () => {
  it('a PARTNER key lists its models by name; health and /metrics name the model', async () => {
    const partner = { authorization: `Bearer ${await server.createKey('PARTNER', ['credit-rows'])}` };
    const mine = await server.request('{ viewer { role models { name } } }', {}, partner);
    expect(mine.data.viewer).toEqual({ role: 'PARTNER', models: [{ name: 'credit-rows' }] });
    expect((await server.query('{ viewer { models { name } } }')).viewer.models).toBeNull();

    await server.query(PREDICT, { input: { model: 'credit-rows', environment: 'TEST', rows: rows.slice(0, 3) } });
    let health: any;
    for (let i = 0; i < 30 && !health?.predictions.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ({ health } = await server.query('{ health { predictions { modelId model { name } } } }'));
    }
    expect(health.predictions[0].model).toEqual({ name: 'credit-rows' });
    const metrics = await (await fetch(`${server.url.replace(/\/graphql$/, '')}/metrics`)).text();
    expect(metrics).toMatch(/aimass_predictions_total\{model="mdl_[^"]+",model_name="credit-rows",version="mv_[^"]+"\} \d+/);
  });
});
