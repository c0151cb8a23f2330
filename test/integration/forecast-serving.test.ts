import { afterAll, beforeAll, expect, it } from 'vitest';
import { numericColumn, readDataset } from '../support/csv';
import { DEPLOY, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let versionId: string;
const csv = readDataset('SP500.csv');
const closes = numericColumn(csv, 'Close');

beforeAll(async () => {
  server = await startTestServer();
  const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "sp500-serving", csv: $csv }) { id } }', { csv });
  const { createModel } = await server.query('mutation { createModel(input: { name: "sp500-forecast", task: TIME_SERIES_FORECAST, architecture: LSTM, featureColumns: [], targetColumn: "Close", hyperparameters: { windowSize: 6, horizon: 2, epochs: 3, batchSize: 8, hiddenUnits: [8] } }) { id } }');
  versionId = await trainVersion(server, createModel.id, createDataset.id, 1);
  await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'TEST' } });
}, 120_000);
afterAll(() => server?.close());

const FORECAST = 'mutation($rows: [JSONObject!]!) { predict(input: { model: "sp500-forecast", environment: TEST, rows: $rows }) { modelVersion { id } predictions { value label forecast } } }';

it('forecasts the next horizon steps in price units from the last windowSize + 1 observations (a DIFFERENCE model, the default)', async () => {
  const history = closes.slice(-8).map((Close) => ({ Close }));
  const { predict } = await server.query(FORECAST, { rows: history });
  expect(predict.modelVersion.id).toBe(versionId);
  expect(predict.predictions).toHaveLength(1);
  const [p] = predict.predictions;
  expect(p.label).toBeNull();
  expect(p.forecast).toHaveLength(2);
  expect(p.value).toBe(p.forecast[0]);
  // In the series' units (hundreds to ~1,500), not standardised ones.
  for (const step of p.forecast) {
    expect(step).toBeGreaterThan(Math.min(...closes) * 0.5);
    expect(step).toBeLessThan(Math.max(...closes) * 1.5);
  }
  // It learnt changes: its forecast is the last close plus a change, never far from it.
  expect(Math.abs(p.forecast[0] / closes.at(-1)! - 1)).toBeLessThan(0.2);
  // Only the last windowSize + 1 rows count (6 changes need 7 closes): older history does not change the answer.
  const trimmed = await server.query(FORECAST, { rows: closes.slice(-7).map((Close) => ({ Close })) });
  expect(trimmed.predict.predictions[0].forecast).toEqual(p.forecast);
});

it('refuses a history shorter than the window, and a missing value in it', async () => {
  const short = await server.request(FORECAST, { rows: closes.slice(-3).map((Close) => ({ Close })) });
  expect(short.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(short.errors?.[0].message).toMatch(/needs the last 7 observations/);
  const gap = await server.request(FORECAST, { rows: [...closes.slice(-6).map((Close) => ({ Close })), { Close: null }] });
  expect(gap.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});

it('refuses columns (a forecast reads its rows as one history), logging nothing, and still answers compact', async () => {
  await server.services.predictionLog.flush();
  const before = server.services.predictionLog.counts.written;
  const res = await server.request('mutation($columns: [PredictColumn!]!) { predict(input: { model: "sp500-forecast", environment: TEST, columns: $columns }) { predictions { value } } }', { columns: [{ name: 'Close', numbers: closes.slice(-8) }] });
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.columns' });
  expect(res.errors?.[0].message).toMatch(/input.columns is for tabular models/);
  await server.services.predictionLog.flush();
  expect(server.services.predictionLog.counts.written).toBe(before);
  const { predict } = await server.query('mutation($rows: [JSONObject!]!) { predict(input: { model: "sp500-forecast", environment: TEST, rows: $rows }) { predictions { value } compact { values labels classes probabilities } } }', { rows: closes.slice(-8).map((Close) => ({ Close })) });
  expect(predict.compact).toEqual({ values: [predict.predictions[0].value], labels: [null], classes: [], probabilities: null });
});
