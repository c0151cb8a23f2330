import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let version: string;
let holdout: string;
const rows = creditRows();
const CREATE = `mutation($input: RobustnessReportInput!) { createRobustnessReport(input: $input) {
  id metric baseline rowCount scenarios { name kind scale value change } features { feature value change } modelVersion { id } } }`;

beforeAll(async () => {
  server = await startTestServer();
  const { createDataset: train } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit-train", csv: $csv }) { id } }', { csv: creditCsv(rows.slice(0, 800)) });
  ({ createDataset: { id: holdout } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit-holdout", csv: $csv }) { id } }', { csv: creditCsv(rows.slice(800)) }));
  const { createModel } = await server.query('mutation($f: [String!]!) { createModel(input: { name: "credit-robust", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: $f, targetColumn: "RESPONSE", hyperparameters: { hiddenUnits: [16], epochs: 20, learningRate: 0.01 } }) { id } }', { f: CREDIT_FEATURES });
  version = await trainVersion(server, createModel.id, train.id, 1);
  await server.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v: version });
});
afterAll(async () => {
  await server?.close();
});

describe('robustness and sensitivity', () => {
  it('reports the metric under each scenario and per feature, zero noise equal to the plain evaluation, and keeps it on the version', async () => {
    const { createRobustnessReport: report } = await server.query(CREATE, { input: { modelVersionId: version, datasetId: holdout, scenarios: [
      { name: 'no noise', kind: 'NOISE', scale: 0 },
      { name: 'noise 1 sd', kind: 'NOISE', scale: 1 },
      { name: 'a third missing', kind: 'MISSING', scale: 0.33 },
      { name: 'housing flips', kind: 'CATEGORY_FLIP', scale: 0.5 },
      { name: 'recession', kind: 'STRESS', changes: [{ feature: 'AMOUNT', multiply: 1.5 }, { feature: 'DURATION', add: 12 }] },
    ] } });
    expect(report).toMatchObject({ metric: 'auc', rowCount: 200 });
    // Zero noise is the plain evaluation of the same rows.
    const { evaluateModelVersion } = await server.query('mutation($v: ID!, $d: ID!) { evaluateModelVersion(input: { modelVersionId: $v, datasetId: $d }) { metrics { auc } } }', { v: version, d: holdout });
    expect(report.baseline).toBeCloseTo(evaluateModelVersion.metrics.auc, 6);
    expect(report.scenarios[0]).toMatchObject({ name: 'no noise', change: 0 });
    expect(report.scenarios[1].change).toBeLessThan(0); // one standard deviation of noise on every number hurts
    for (const s of report.scenarios) expect(s.value).toEqual(expect.any(Number));
    expect(report.features.map((f: any) => f.feature).sort()).toEqual([...CREDIT_FEATURES].sort());
    for (let i = 1; i < report.features.length; i++) expect(report.features[i].change).toBeGreaterThanOrEqual(report.features[i - 1].change); // worst (largest drop) first
    const { modelVersion } = await server.query('query($v: ID!) { modelVersion(id: $v) { robustnessReports { id } } }', { v: version });
    expect(modelVersion.robustnessReports.map((r: any) => r.id)).toContain(report.id);
  });

  it('refuses a negative scale, a rate above 1, an unknown feature', async () => {
    for (const [scenario, field] of [
      [{ name: 'x', kind: 'NOISE', scale: -0.1 }, 'input.scenarios[0].scale'],
      [{ name: 'x', kind: 'MISSING', scale: 1.5 }, 'input.scenarios[0].scale'],
      [{ name: 'x', kind: 'NOISE', scale: 1, features: ['NOPE'] }, 'input.scenarios[0]'],
    ] as const) {
      const res = await server.request(CREATE, { input: { modelVersionId: version, datasetId: holdout, scenarios: [scenario] } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('slides one feature in one batched call, each answer equal to a predict of the same row', async () => {
    const row = featuresOf(rows[900]);
    const { predictSensitivity } = await server.query('query($row: JSONObject!) { predictSensitivity(input: { model: "credit-robust", environment: TEST, row: $row, feature: "AMOUNT", from: 500, to: 15000, steps: 5 }) { value prediction { value } } }', { row });
    expect(predictSensitivity.map((p: any) => p.value)).toEqual([500, 4125, 7750, 11375, 15000]);
    const { predict } = await server.query('mutation($rows: [JSONObject!]!) { predict(input: { model: "credit-robust", environment: TEST, rows: $rows }) { predictions { value } } }', { rows: [{ ...row, AMOUNT: 7750 }] });
    expect(predictSensitivity[2].prediction.value).toBeCloseTo(predict.predictions[0].value, 6);
    const bad = await server.request('query($row: JSONObject!) { predictSensitivity(input: { model: "credit-robust", environment: TEST, row: $row, feature: "HOUSING", from: 0, to: 1 }) { value } }', { row });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.feature' });
    const tooMany = await server.request('query($row: JSONObject!) { predictSensitivity(input: { model: "credit-robust", environment: TEST, row: $row, feature: "AMOUNT", from: 0, to: 1, steps: 201 }) { value } }', { row });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.steps' });
  });

  it('asks a named version instead of the live one (PRODUCTION has none here), and only a version of the model', async () => {
    const row = featuresOf(rows[900]);
    const SLIDE = 'query($row: JSONObject!, $v: ID) { predictSensitivity(input: { model: "credit-robust", modelVersionId: $v, row: $row, feature: "AMOUNT", from: 500, to: 15000, steps: 5 }) { value prediction { value } } }';
    const notLive = await server.request(SLIDE, { row, v: null });
    expect(notLive.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const { predictSensitivity } = await server.query(SLIDE, { row, v: version });
    const { predictSensitivity: live } = await server.query('query($row: JSONObject!) { predictSensitivity(input: { model: "credit-robust", environment: TEST, row: $row, feature: "AMOUNT", from: 500, to: 15000, steps: 5 }) { value prediction { value } } }', { row });
    expect(predictSensitivity).toEqual(live);
    const { createModel } = await server.query('mutation($f: [String!]!) { createModel(input: { name: "credit-other", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: $f, targetColumn: "RESPONSE" }) { id } }', { f: CREDIT_FEATURES });
    const other = await server.request(SLIDE.replace('"credit-robust"', `"${createModel.id}"`), { row, v: version });
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(other.errors?.[0].message).toContain('is not a version of model "credit-other"');
  });
});
