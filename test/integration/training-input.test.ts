import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN } from '../support/training';

let server: TestServer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  const dataset = async (name: string, csv: string) => { ids[name] = (await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name, csv } })).createDataset.id; };
  const model = async (name: string, input: Record<string, unknown>) => { ids[name] = (await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', { input: { name, ...input } })).createModel.id; };
  await dataset('credit', readDataset('GermanCredit.csv'));
  const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 7},note ${i},${i % 3 === 0 ? 'A' : 'B'},1`);
  await dataset('mixed', `x,y,memo,grade,constant\n${rows.join('\n')}\n`);
  await dataset('tiny', 'x,y\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 2}`).join('\n') + '\n');
  await model('mlp', { task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: ['AMOUNT', 'DURATION'], targetColumn: 'RESPONSE' });
  await model('missingFeature', { task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: ['AMOUNT', 'NOPE'], targetColumn: 'RESPONSE' });
  await model('textFeature', { task: 'REGRESSION', architecture: 'MLP', featureColumns: ['memo'], targetColumn: 'y' });
  await model('categoryTarget', { task: 'REGRESSION', architecture: 'MLP', featureColumns: ['x'], targetColumn: 'grade' });
  await model('oneClass', { task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: ['x'], targetColumn: 'constant' });
  await model('tinyModel', { task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: ['x'], targetColumn: 'y' });
});
afterAll(() => server?.close());

async function runsAndChildren() {
  const [{ n }] = await server.services.db.dataSource.query('SELECT COUNT(*) AS n FROM training_run');
  return { runs: Number(n), running: server.services.trainingQueue.running };
}

describe('startTrainingRun refuses bad requests before any process starts', () => {
  const cases: [string, () => Record<string, unknown>, string, RegExp][] = [
    ['an unknown model', () => ({ modelId: 'mdl_01JZZZZZZZZZZZZZZZZZZZZZZZ', datasetId: ids.credit }), 'NOT_FOUND', /Model/],
    ['an unknown dataset', () => ({ modelId: ids.mlp, datasetId: 'ds_01JZZZZZZZZZZZZZZZZZZZZZZZ' }), 'NOT_FOUND', /Dataset/],
    ['an unknown dataset version', () => ({ modelId: ids.mlp, datasetId: ids.credit, datasetVersion: 9 }), 'NOT_FOUND', /DatasetVersion/],
    ['a feature column missing in the dataset version', () => ({ modelId: ids.missingFeature, datasetId: ids.credit }), 'BAD_USER_INPUT', /"NOPE" is not in dataset version 1/],
    ['a text column as a feature', () => ({ modelId: ids.textFeature, datasetId: ids.mixed }), 'BAD_USER_INPUT', /"memo" is free TEXT/],
    ['a non-numeric target for regression', () => ({ modelId: ids.categoryTarget, datasetId: ids.mixed }), 'BAD_USER_INPUT', /"grade" is CATEGORY; REGRESSION needs a NUMBER/],
    ['a one-class target', () => ({ modelId: ids.oneClass, datasetId: ids.mixed }), 'BAD_USER_INPUT', /1 class; BINARY_CLASSIFICATION needs exactly 2/],
    ['epochs 0', () => ({ modelId: ids.mlp, datasetId: ids.credit, hyperparameters: { epochs: 0 } }), 'BAD_USER_INPUT', /epochs/],
    ['epochs 100000', () => ({ modelId: ids.mlp, datasetId: ids.credit, hyperparameters: { epochs: 100000 } }), 'BAD_USER_INPUT', /epochs/],
    ['a batch size larger than the training split', () => ({ modelId: ids.mlp, datasetId: ids.credit, hyperparameters: { batchSize: 5000 } }), 'BAD_USER_INPUT', /batchSize 5000 is larger than the 650 training rows/],
    ['a negative learning rate', () => ({ modelId: ids.mlp, datasetId: ids.credit, hyperparameters: { learningRate: -0.01 } }), 'BAD_USER_INPUT', /learningRate/],
    ['a split that leaves fewer than 10 test rows', () => ({ modelId: ids.tinyModel, datasetId: ids.tiny, split: { test: 0.2, validation: 0.1 } }), 'BAD_USER_INPUT', /6 test rows/],
    ['validation + test leaving no training rows', () => ({ modelId: ids.mlp, datasetId: ids.credit, split: { test: 0.5, validation: 0.45 } }), 'BAD_USER_INPUT', /training/],
  ];
  for (const [label, input, code, message] of cases) {
    it(label, async () => {
      const before = await runsAndChildren();
      const res = await server.request(START_RUN, { input: input() });
      expect(res.errors?.[0].extensions?.code, JSON.stringify(res.errors)).toBe(code);
      expect(res.errors?.[0].message).toMatch(message);
      expect(await runsAndChildren()).toEqual(before);
    });
  }

  it('refuses a RANDOM split for a forecast model, which would leak the future', async () => {
    const { createModel } = await server.query('mutation { createModel(input: { name: "fc", task: TIME_SERIES_FORECAST, architecture: LSTM, featureColumns: [], targetColumn: "x" }) { id } }');
    const res = await server.request(START_RUN, { input: { modelId: createModel.id, datasetId: ids.mixed, split: { test: 0.2, validation: 0.1, strategy: 'RANDOM' } } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/TIME_ORDERED/);
  });

  it('refuses an archived model', async () => {
    const { createModel } = await server.query('mutation { createModel(input: { name: "old", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["AMOUNT"], targetColumn: "RESPONSE" }) { id } }');
    await server.query('mutation($id: ID!) { archiveModel(id: $id) { id } }', { id: createModel.id });
    const res = await server.request(START_RUN, { input: { modelId: createModel.id, datasetId: ids.credit } });
    expect(res.errors?.[0].message).toMatch(/archived/);
  });
});
