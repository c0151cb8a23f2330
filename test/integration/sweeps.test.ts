import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

let server: TestServer;
let datasetId: string;

const FEATURES = ['CHK_ACCT', 'DURATION', 'HISTORY', 'AMOUNT', 'SAV_ACCT', 'AGE'];
const START = `mutation($input: StartSweepInput!) { startSweep(input: $input) { id status maxRuns parallelism seed } }`;
const SWEEP = `query($id: ID!) { sweep(id: $id) {
  status progress bestValue error metric goal
  bestRun { id status hyperparameters { learningRate hiddenUnits } }
  trials { trial runId parameters value status }
  parameterImportance { name correlation }
  runs(first: 50) { totalCount edges { node { id status error sweep { id } modelVersion { id } } } }
} }`;
const done = (s: { status: string }) => s.status !== 'RUNNING';

async function model(name: string, epochs: number): Promise<string> {
  const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name, task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: FEATURES, targetColumn: 'RESPONSE', hyperparameters: { hiddenUnits: [8], epochs, batchSize: 64 } },
  });
  return createModel.id;
}

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2' } });
  ({ createDataset: { id: datasetId } } = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'german-credit', csv: readDataset('GermanCredit.csv') } }));
});
afterAll(async () => {
  await server?.close();
});

describe('sweeps', () => {
  it('runs a GRID sweep of 4 runs, streams it from its current state to its end, and names the best run', async () => {
    const modelId = await model('credit-grid', 3);
    const { startSweep } = await server.query(START, { input: {
      modelId, datasetId, method: 'GRID', maxRuns: 10, parallelism: 2, seed: 11,
      parameters: [{ name: 'learningRate', values: [0.001, 0.05] }, { name: 'hiddenUnits', values: [[4], [16]] }],
    } });
    expect(startSweep).toMatchObject({ status: 'RUNNING', maxRuns: 4, parallelism: 2, seed: 11 });
    const client = wsClient(server.wsUrl, server.adminAuth);
    const seen: { status: string; progress: number; bestValue: number | null }[] = [];
    await new Promise<void>((resolve, reject) => client.subscribe({ query: 'subscription($id: ID!) { sweepUpdated(sweepId: $id) { status progress bestValue } }', variables: { id: startSweep.id } }, {
      next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : seen.push(data.sweepUpdated)),
      error: reject, complete: resolve,
    }));
    await client.dispose();
    // Current state first, the end last, progress never going back.
    expect(seen[0].status).toBe('RUNNING');
    expect(seen.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
    for (let i = 1; i < seen.length; i++) expect(seen[i].progress).toBeGreaterThanOrEqual(seen[i - 1].progress);

    const { sweep } = await server.query(SWEEP, { id: startSweep.id });
    expect(sweep.runs.totalCount).toBe(4);
    // Every combination of the grid, once, in trial order.
    expect(sweep.trials.map((t: any) => [t.trial, t.parameters.learningRate, t.parameters.hiddenUnits])).toEqual([
      [0, 0.001, [4]], [1, 0.001, [16]], [2, 0.05, [4]], [3, 0.05, [16]],
    ]);
    expect(sweep.trials.every((t: any) => t.status === 'SUCCEEDED' && typeof t.value === 'number')).toBe(true);
    // The best run is the one with the lowest val_loss, and it says so in its own hyper-parameters.
    const best = sweep.trials.reduce((a: any, b: any) => (b.value < a.value ? b : a));
    expect(sweep.bestRun.id).toBe(best.runId);
    expect(sweep.bestValue).toBeCloseTo(best.value, 10);
    expect(sweep.bestRun.hyperparameters).toEqual({ learningRate: best.parameters.learningRate, hiddenUnits: best.parameters.hiddenUnits });
    expect(sweep.runs.edges.every((e: any) => e.node.sweep.id === startSweep.id && e.node.modelVersion)).toBe(true);
    // Rank correlation over 4 runs: a number for the numeric parameter, none for layer lists.
    expect(sweep.parameterImportance).toEqual([{ name: 'learningRate', correlation: expect.any(Number) }, { name: 'hiddenUnits', correlation: null }]);
    // The runs are ordinary runs: listed with the others and filterable by sweep.
    const { trainingRuns } = await server.query('query($s: ID) { trainingRuns(filter: { sweepId: $s }) { totalCount } }', { s: startSweep.id });
    expect(trainingRuns.totalCount).toBe(4);
  });

  it('stops runs that cannot win: a RANDOM sweep with the median rule has runs STOPPED_EARLY, with the reason and no version', async () => {
    const modelId = await model('credit-random', 6);
    const { startSweep } = await server.query(START, { input: {
      modelId, datasetId, method: 'RANDOM', maxRuns: 6, parallelism: 1, seed: 3,
      parameters: [{ name: 'learningRate', distribution: 'LOG_UNIFORM', min: 0.00001, max: 0.3 }],
      earlyStopping: { type: 'MEDIAN', warmupEpochs: 1, minRuns: 2 },
    } });
    const { sweep } = await until(() => server.query(SWEEP, { id: startSweep.id }), (d) => done(d.sweep), 120_000);
    expect(sweep.status).toBe('SUCCEEDED');
    const stopped = sweep.runs.edges.map((e: any) => e.node).filter((r: any) => r.status === 'STOPPED_EARLY');
    expect(stopped.length).toBeGreaterThanOrEqual(1);
    for (const run of stopped) {
      expect(run.error).toMatch(/val_loss .* is worse than the median .* \(MEDIAN\)/);
      expect(run.modelVersion).toBeNull();
    }
    // A stopped run is never the best.
    expect(stopped.map((r: any) => r.id)).not.toContain(sweep.bestRun.id);
    expect(sweep.trials.map((t: any) => t.parameters.learningRate).every((lr: number) => lr >= 0.00001 && lr <= 0.3)).toBe(true);
  });

  it('cancels a sweep with its queued and running runs; a second cancel is CONFLICT', async () => {
    const modelId = await model('credit-cancel', 500);
    const { startSweep } = await server.query(START, { input: { modelId, datasetId, method: 'RANDOM', maxRuns: 5, parallelism: 2, parameters: [{ name: 'dropout', distribution: 'UNIFORM', min: 0, max: 0.5 }] } });
    await until(() => server.query(SWEEP, { id: startSweep.id }), (d) => d.sweep.runs.edges.some((e: any) => e.node.status === 'RUNNING'));
    const { cancelSweep } = await server.query('mutation($id: ID!) { cancelSweep(id: $id) { status } }', { id: startSweep.id });
    expect(cancelSweep.status).toBe('CANCELLED');
    const { sweep } = await until(() => server.query(SWEEP, { id: startSweep.id }), (d) => d.sweep.runs.edges.every((e: any) => ['CANCELLED', 'SUCCEEDED', 'FAILED'].includes(e.node.status)), 30_000);
    expect(sweep.status).toBe('CANCELLED');
    expect(sweep.runs.totalCount).toBe(2); // nothing more was queued after the cancel
    expect(sweep.runs.edges.every((e: any) => e.node.status === 'CANCELLED')).toBe(true);
    const again = await server.request('mutation($id: ID!) { cancelSweep(id: $id) { status } }', { id: startSweep.id });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  describe('refuses a bad sweep with BAD_USER_INPUT, naming the field, and writes nothing', () => {
    const base = (modelId: string) => ({ modelId, datasetId, method: 'RANDOM', maxRuns: 4, parameters: [{ name: 'learningRate', distribution: 'LOG_UNIFORM', min: 0.0001, max: 0.1 }] });
    const cases: [string, (b: any) => any, string, RegExp][] = [
      ['no parameter', (b) => ({ ...b, parameters: [] }), 'input.parameters', /at least one parameter/],
      ['an empty list of values', (b) => ({ ...b, parameters: [{ name: 'dropout', values: [] }] }), 'input.parameters[0].values', /empty/],
      ['min not below max', (b) => ({ ...b, parameters: [{ name: 'dropout', distribution: 'UNIFORM', min: 0.5, max: 0.1 }] }), 'input.parameters[0].min', /must be below max/],
      ['a log range through 0', (b) => ({ ...b, parameters: [{ name: 'l2', distribution: 'LOG_UNIFORM', min: 0, max: 0.1 }] }), 'input.parameters[0].min', /above 0/],
      ['values and a range at once', (b) => ({ ...b, parameters: [{ name: 'dropout', values: [0.1], distribution: 'UNIFORM', min: 0, max: 0.5 }] }), 'input.parameters[0]', /either values or a distribution/],
      ['a parameter twice', (b) => ({ ...b, parameters: [{ name: 'dropout', values: [0.1] }, { name: 'dropout', values: [0.2] }] }), 'input.parameters[1].name', /named twice/],
      ['a parameter searched and fixed', (b) => ({ ...b, hyperparameters: { learningRate: 0.01 } }), 'input.parameters[0].name', /both searched and fixed/],
      ['an unknown parameter', (b) => ({ ...b, parameters: [{ name: 'momentum', values: [0.9] }] }), 'input.parameters[0].name', /not a hyper-parameter/],
      ['a value out of range', (b) => ({ ...b, parameters: [{ name: 'dropout', values: [0.1, 2] }] }), 'input.parameters[0].values[1]', /dropout 2/],
      ['a range on GRID', (b) => ({ ...b, method: 'GRID' }), 'input.parameters[0].distribution', /GRID searches lists of values/],
      ['maxRuns of 0', (b) => ({ ...b, maxRuns: 0 }), 'input.maxRuns', /1 to 500/],
      ['maxRuns above 500', (b) => ({ ...b, maxRuns: 501 }), 'input.maxRuns', /1 to 500/],
      ['parallelism above the capacity', (b) => ({ ...b, parallelism: 64 }), 'input.parallelism', /parallelism must be 1 to 2/],
      ['a metric not recorded per epoch', (b) => ({ ...b, metric: 'auc' }), 'input.metric', /not recorded per epoch/],
      ['Hyperband with both minIter and maxIter', (b) => ({ ...b, earlyStopping: { type: 'HYPERBAND', minIter: 1, maxIter: 9 } }), 'input.earlyStopping', /exactly one of minIter or maxIter/],
    ];
    let modelId: string;
    beforeAll(async () => { modelId = await model('credit-bad', 2); });

    it.each(cases)('%s', async (_name, change, field, message) => {
      const counts = () => server.query('{ sweeps { totalCount } trainingRuns { totalCount } }');
      const before = await counts();
      const res = await server.request(START, { input: change(base(modelId)) });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message).toMatch(message);
      expect(await counts()).toEqual(before);
    });

    it('a first run the training checks refuse (a feature that is not a column) leaves no sweep behind', async () => {
      const { createModel } = await server.query('mutation { createModel(input: { name: "credit-missing", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["NOPE"], targetColumn: "RESPONSE" }) { id } }');
      const before = await server.query('{ sweeps { totalCount } }');
      const res = await server.request(START, { input: base(createModel.id) });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await server.query('{ sweeps { totalCount } }')).toEqual(before);
    });
  });
});
