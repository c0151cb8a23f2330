import { expect, it } from 'vitest';
import { numericColumn, readDataset } from '../support/csv';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { freshDatabase } from '../support/test-database';
import { START_RUN } from '../support/training';
import { until } from '../support/until';

const FEATURES = ['Age', 'Income', 'CCAvg'];

const killed = (server: ServerProcess) => {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGKILL');
  return new Promise((r) => child.once('exit', r));
};

const logged = async (server: ServerProcess, environment: string) =>
  (await server.request('query($env: Environment) { predictions(filter: { model: "bank-durable", environment: $env }) { totalCount } }', { env: environment })).predictions.totalCount;

it('keeps every row of a PRODUCTION predict answered just before a kill -9 (DURABLE), where ASYNC TEST rows still buffered are lost', async () => {
  const { config, drop } = await freshDatabase();
  // ASYNC rows wait a minute in memory: a kill in between must lose them, showing the difference.
  const env = { PREDICTION_LOG_FLUSH_MS: '60000' };
  const first = await startServerProcess(config, env);
  let second: ServerProcess | undefined;
  try {
    const csv = readDataset('UniversalBank.csv');
    const { createDataset } = await first.request('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv } });
    const { createModel } = await first.request('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
      input: { name: 'bank-durable', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: FEATURES, targetColumn: 'Personal Loan', hyperparameters: { epochs: 2, batchSize: 64 } },
    });
    const run = (await first.request(START_RUN, { input: { modelId: createModel.id, datasetId: createDataset.id } })).startTrainingRun.id;
    const trained = await until(
      () => first.request('query($id: ID!) { trainingRun(id: $id) { status modelVersion { id } } }', { id: run }).then((d) => d.trainingRun),
      (r) => r.status === 'SUCCEEDED' || r.status === 'FAILED',
    );
    expect(trained.status).toBe('SUCCEEDED');
    await first.request('mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: createModel.id });
    for (const environment of ['TEST', 'PRODUCTION']) {
      await first.request('mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId: trained.modelVersion.id, environment } });
    }

    const columns = Object.fromEntries(FEATURES.map((f) => [f, numericColumn(csv, f)]));
    const rows = Array.from({ length: 500 }, (_, i) => Object.fromEntries(FEATURES.map((f) => [f, columns[f][i]])));
    const predict = 'mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }';
    const test = await first.request(predict, { input: { model: 'bank-durable', environment: 'TEST', rows } });
    const production = await first.request(predict, { input: { model: 'bank-durable', environment: 'PRODUCTION', rows } });
    expect(test.predict.predictions).toHaveLength(500);
    expect(production.predict.predictions).toHaveLength(500);
    // At once after the answer: no flush, no graceful stop.
    await killed(first);

    second = await startServerProcess(config, env);
    expect(await logged(second, 'PRODUCTION')).toBe(500);
    expect(await logged(second, 'TEST')).toBe(0);
  } finally {
    await killed(first);
    if (second) await killed(second);
    await drop();
  }
}, 120_000);
