import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { startTestServer, type TestServer } from '../support/test-server';
import { START_RUN, waitForRun } from '../support/training';
import { decodeRows, typedColumns } from '../../src/modules/datasets/row-chunks';
import { encodeCursor } from '../../src/engines/db/pagination';

let server: TestServer;

const FEATURES = ['Age', 'Experience', 'Income', 'Family', 'CCAvg', 'Education', 'Mortgage', 'Securities Account', 'CD Account', 'Online', 'CreditCard'];
const RUN = 'query($id: ID!) { trainingRun(id: $id) { status error modelVersion { evaluation { rowCount metrics { auc accuracy logLoss } } } metrics(names: ["loss", "val_loss"]) { name points { epoch value } } } }';

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function train(modelId: string, datasetId: string) {
  const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 11 } });
  const done = await waitForRun(server, run.id, (r) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status), 120_000);
  expect(done.error).toBeNull();
  expect(done.status).toBe('SUCCEEDED');
  return (await server.query(RUN, { id: run.id })).trainingRun;
}

describe('rows streamed to the training child in chunks', () => {
  it('trains on a version stored in several chunks exactly as on the same rows stored in one', async () => {
    const [header, ...lines] = readDataset('UniversalBank.csv').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    const csv = (part: string[]) => [header, ...part].join('\n');
    const whole = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank-whole', csv: csv(lines) } });
    // Each append writes its rows as new chunks after the previous version's: version 3 is read in three parts or more.
    const parts = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank-parts', kind: 'STREAMING', csv: csv(lines.slice(0, 2000)) } });
    for (const slice of [lines.slice(2000, 3500), lines.slice(3500)]) {
      await server.query('mutation($input: AppendDatasetRowsInput!) { appendDatasetRows(input: $input) { version } }', { input: { datasetId: parts.createDataset.id, csv: csv(slice) } });
    }
    const { createModel: model } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
      input: { name: 'bank-mlp', task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: FEATURES, targetColumn: 'Personal Loan', hyperparameters: { hiddenUnits: [8], epochs: 3, batchSize: 64, patience: 0 } },
    });

    const one = await train(model.id, whole.createDataset.id);
    const several = await train(model.id, parts.createDataset.id);
    // Same rows, same order, same seed: the same split, the same fit, the same test metrics.
    expect(one.modelVersion.evaluation.rowCount).toBe(1000);
    expect(several.modelVersion.evaluation).toEqual(one.modelVersion.evaluation);
    expect(several.metrics).toEqual(one.metrics);
    expect(one.modelVersion.evaluation.metrics.auc).toBeGreaterThan(0.8);

    // A version stored before chunks held typed columns (its rows as JSON alone) reads as before:
    // the same pages, the same export and the same training.
    const legacy = await server.query('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank-legacy', csv: csv(lines) } });
    const db = server.services.db.dataSource;
    const [version] = await db.query('SELECT artifact_id FROM dataset_version WHERE dataset_id = ?', [legacy.createDataset.id]);
    for (const chunk of await db.query('SELECT seq, data FROM artifact_chunk WHERE artifact_id = ?', [version.artifact_id])) {
      expect(typedColumns(chunk.data)).not.toBeNull();
      await db.query('UPDATE artifact_chunk SET data = ? WHERE artifact_id = ? AND seq = ?', [Buffer.from(JSON.stringify(decodeRows(chunk.data))), version.artifact_id, chunk.seq]);
    }
    const page = (id: string) => server.query('query($id: ID!, $after: String) { dataset(id: $id) { rows(first: 50, after: $after) { edges { node { index values } } } } }', { id, after: encodeCursor([1999]) });
    const download = async (id: string) => {
      const { dataset } = await server.query('query($id: ID!) { dataset(id: $id) { latest { exportUrl } } }', { id });
      return (await fetch(new URL(dataset.latest.exportUrl, server.url), { headers: { authorization: server.adminAuth } })).text();
    };
    const middle = await page(whole.createDataset.id);
    expect(middle.dataset.rows.edges.map((e: any) => e.node.index)).toEqual(Array.from({ length: 50 }, (_, i) => 2000 + i));
    expect(await page(legacy.createDataset.id)).toEqual(middle);
    expect(await download(legacy.createDataset.id)).toBe(await download(whole.createDataset.id));
    const old = await train(model.id, legacy.createDataset.id);
    expect(old.modelVersion.evaluation).toEqual(one.modelVersion.evaluation);
    expect(old.metrics).toEqual(one.metrics);
  });
});
