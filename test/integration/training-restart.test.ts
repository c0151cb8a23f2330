import { expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startServerProcess } from '../support/server-process';
import { freshDatabase } from '../support/test-database';
import { START_RUN } from '../support/training';
import { until } from '../support/until';

async function statusOf(server: { request: (q: string, v?: any) => Promise<any> }, id: string) {
  return (await server.request('query($id: ID!) { trainingRun(id: $id) { status error epochsCompleted } }', { id })).trainingRun;
}

it('after a crash mid-run, the running run is FAILED ("server restarted") and the queued one runs', async () => {
  const { config, drop } = await freshDatabase();
  const first = await startServerProcess(config, { TRAINING_CONCURRENCY: '1' });
  let second;
  try {
    const { createDataset } = await first.request('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv: readDataset('UniversalBank.csv') } });
    const { createModel } = await first.request('mutation { createModel(input: { name: "slow", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["Age", "Income", "CCAvg"], targetColumn: "Personal Loan", hyperparameters: { epochs: 2000, patience: 0, batchSize: 8 } }) { id } }');
    const input = { modelId: createModel.id, datasetId: createDataset.id };
    const running = (await first.request(START_RUN, { input })).startTrainingRun.id;
    const queued = (await first.request(START_RUN, { input })).startTrainingRun.id;
    await until(() => statusOf(first, running), (r) => r.epochsCompleted >= 1);
    expect((await statusOf(first, queued)).status).toBe('QUEUED');

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    second = await startServerProcess(config, { TRAINING_CONCURRENCY: '1' });
    const failed = await statusOf(second, running);
    expect(failed).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/server restarted/) });
    await until(() => statusOf(second!, queued), (r) => r.status === 'RUNNING');
    await second.request('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: queued });
    await until(() => statusOf(second!, queued), (r) => r.status === 'CANCELLED');
  } finally {
    first.child.kill('SIGKILL');
    second?.child.kill('SIGTERM');
    if (second) await new Promise((r) => second!.child.once('exit', r));
    await drop();
  }
});
