import { loadModelArtifact } from '../../src/engines/db/model-artifacts';
import { loadArtifactModel } from '../../src/ml/model-artifact';
import type { Preprocessor } from '../../src/ml/preprocessing';
import { ModelVersion } from '../../src/modules/models/model-version.entity';
import { readDataset } from './csv';
import { START_RUN, waitForRun } from './training';
import type { TestServer } from './test-server';

/** The German credit features a serving test model uses; HOUSING is a category derived in the test. */
export const CREDIT_FEATURES = ['CHK_ACCT', 'DURATION', 'HISTORY', 'AMOUNT', 'SAV_ACCT', 'EMPLOYMENT', 'INSTALL_RATE', 'AGE', 'HOUSING', 'NUM_CREDITS'];

/**
 * GermanCredit.csv with one category column, HOUSING (rent, own or free), derived from its RENT
 * and OWN_RES flags, so the tests cover categorical inputs on real rows.
 */
export function creditRows(): Record<string, string | number>[] {
  const lines = readDataset('GermanCredit.csv').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const row: Record<string, string | number> = {};
    header.forEach((name, i) => { row[name] = Number(cells[i]); });
    row.HOUSING = row.RENT === 1 ? 'rent' : row.OWN_RES === 1 ? 'own' : 'free';
    return row;
  });
}

export function creditCsv(rows = creditRows()): string {
  const columns = [...CREDIT_FEATURES, 'RESPONSE'];
  return [columns.join(','), ...rows.map((row) => columns.map((c) => row[c]).join(','))].join('\n');
}

/** The feature values of a row, as a client would send them to predict. */
export function featuresOf(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(CREDIT_FEATURES.map((name) => [name, row[name]]));
}

/** Trains the model once on the dataset (as the key given, or ADMIN) and returns the new version id. */
export async function trainVersion(server: TestServer, modelId: string, datasetId: string, seed: number, authorization?: string): Promise<string> {
  const res = await server.request(START_RUN, { input: { modelId, datasetId, seed } }, authorization ? { authorization } : {});
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  const run = await waitForRun(server, res.data.startTrainingRun.id, (r) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status));
  if (run.status !== 'SUCCEEDED') throw new Error(`training ended ${run.status}: ${run.error}`);
  const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { modelVersion { id } } }', { id: run.id });
  return trainingRun.modelVersion.id;
}

export const DEPLOY = `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) {
  __typename ... on Deployment { id environment action deployedBy modelVersion { id version } } ... on DeploymentRequest { id status gate { passed summary candidate } } } }`;

export const PREDICT = `mutation($input: PredictInput!) { predict(input: $input) {
  modelVersion { id version } environment latencyMs predictions { value label probabilities { label probability } contributions { feature contribution } } } }`;

/**
 * Scores rows with a version's stored artifact, encoding them by hand from its saved
 * preprocessor: the answer the serving tests compare predict with, independent of the serving path.
 */
export async function referencePredictions(server: TestServer, versionId: string, input: Record<string, unknown>[]): Promise<number[]> {
  const version = await server.services.db.manager.findOneByOrFail(ModelVersion, { id: versionId });
  const artifact = await loadModelArtifact(server.services.artifacts, version.artifactId!);
  const p = artifact.preprocessor as Preprocessor;
  const x = input.map((row) => p.features.flatMap((f) => (f.kind === 'numeric' ? [(Number(row[f.name]) - f.mean) / f.std] : f.categories.map((c) => (row[f.name] === c ? 1 : 0)))));
  const model = await loadArtifactModel(artifact);
  const values = Array.from(await model.predict(Float32Array.from(x.flat()), x.length));
  model.dispose();
  return values;
}
