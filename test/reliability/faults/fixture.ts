import { readDataset } from '../../support/csv';
import type { ServerProcess } from '../../support/server-process';
import { START_RUN } from '../../support/training';
import { until } from '../../support/until';

export const FEATURES = ['Age', 'Income', 'CCAvg'];
export const BANK_CSV = readDataset('UniversalBank.csv');

type Requester = Pick<ServerProcess, 'request'>;

export async function createBankDataset(server: Requester, name = 'bank'): Promise<string> {
  return (await server.request('mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name, csv: BANK_CSV } })).createDataset.id;
}

/** A model whose runs train for minutes (2,000 epochs, no early stop) unless killed. */
export async function createSlowModel(server: Requester, name = 'slow'): Promise<string> {
  return (await server.request('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name, task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: FEATURES, targetColumn: 'Personal Loan', hyperparameters: { epochs: 2000, patience: 0, batchSize: 64 } },
  })).createModel.id;
}

export async function startRun(server: Requester, modelId: string, datasetId: string): Promise<string> {
  return (await server.request(START_RUN, { input: { modelId, datasetId } })).startTrainingRun.id;
}

export async function runStatus(server: Requester, id: string): Promise<{ status: string; error: string | null; epochsCompleted: number; modelVersion: { id: string } | null }> {
  return (await server.request('query($id: ID!) { trainingRun(id: $id) { status error epochsCompleted modelVersion { id } } }', { id })).trainingRun;
}

/**
 * A quickly trained model (2 epochs), approval off, with its version deployed to `environments`:
 * returns the model's and the version's ids.
 */
export async function deployedModel(server: Requester, datasetId: string, name: string, environments: string[]): Promise<{ modelId: string; versionId: string }> {
  const { createModel } = await server.request('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name, task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: FEATURES, targetColumn: 'Personal Loan', hyperparameters: { epochs: 2, batchSize: 64 } },
  });
  const run = await startRun(server, createModel.id, datasetId);
  const trained = await until(() => runStatus(server, run), (r) => r.status === 'SUCCEEDED' || r.status === 'FAILED');
  if (trained.status !== 'SUCCEEDED') throw new Error(`fixture training ${trained.status}: ${trained.error}`);
  await server.request('mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: createModel.id });
  for (const environment of environments) await deploy(server, trained.modelVersion!.id, environment);
  return { modelId: createModel.id, versionId: trained.modelVersion!.id };
}

export async function deploy(server: Requester, modelVersionId: string, environment: string): Promise<void> {
  await server.request('mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId, environment } });
}

/** Rows of the bank data set for predict. */
export function bankRows(count: number, offset = 0): Record<string, number>[] {
  const lines = BANK_CSV.trim().split('\n');
  const header = lines[0].split(',').map((h) => h.replace(/"/g, ''));
  const index = FEATURES.map((f) => header.indexOf(f));
  return Array.from({ length: count }, (_, i) => {
    const cells = lines[1 + ((offset + i) % (lines.length - 1))].split(',');
    return Object.fromEntries(FEATURES.map((f, j) => [f, Number(cells[index[j]])]));
  });
}

export { childPids } from '../../support/processes';

export async function readyz(url: string): Promise<number> {
  try {
    return (await fetch(url.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}
