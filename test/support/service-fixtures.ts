import type { Caller } from '../../src/modules/shared/caller';
import type { Services } from '../../src/modules/shared/context';
import { Role } from '../../src/modules/shared/role';
import { TrainingStatus, type TrainingRun } from '../../src/modules/training/training-run.entity';
import { Architecture, ModelTask } from '../../src/ml/model-spec';
import { syntheticCreditCsv } from '../../seeds/synthetic-credit';

/** A key as the transports hand it to services. */
export function caller(name: string, role: Role = Role.DATA_SCIENTIST, principal = name): Caller {
  return { keyId: `key_${name}`, keyName: name, principal, role, modelScope: null };
}

const FEATURES = ['age', 'income', 'loan_amount', 'duration_months', 'employment_years', 'prior_defaults'];

/** The seeded synthetic credit applicants (300 rows) and a small MLP over them, made through the services. */
export async function creditDatasetAndModel(services: Services, name: string) {
  const dataset = await services.datasets.create({ name: `${name}-data`, csv: syntheticCreditCsv(300) } as never);
  const model = await services.models.create({
    name, task: ModelTask.BINARY_CLASSIFICATION, architecture: Architecture.MLP, featureColumns: FEATURES, targetColumn: 'default',
    hyperparameters: { epochs: 2, hiddenUnits: [8], batchSize: 64 },
  } as never);
  return { dataset, model };
}

const TERMINAL: string[] = [TrainingStatus.SUCCEEDED, TrainingStatus.FAILED, TrainingStatus.CANCELLED];

/** Polls the service until the run reaches a final status. */
export async function runToEnd(services: Services, runId: string, timeoutMs = 60_000): Promise<TrainingRun> {
  const started = Date.now();
  for (;;) {
    const run = await services.training.get(runId);
    if (TERMINAL.includes(run.status)) return run;
    if (Date.now() - started > timeoutMs) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Trains one version of `modelId` on `datasetId` (the queue must be consumed), started by `trainer`'s key. */
export async function trainVersion(services: Services, modelId: string, datasetId: string, trainer: Caller, seed: number) {
  const run = await services.training.start({ modelId, datasetId, seed, priority: 0, batchMetrics: false } as never, trainer.keyId);
  const ended = await runToEnd(services, run.id);
  if (ended.status !== TrainingStatus.SUCCEEDED) throw new Error(`training failed: ${ended.error}`);
  return services.modelVersions.get(ended.modelVersionId!);
}

/** The GraphQL error code a rejected promise carries. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  throw new Error('expected the call to fail');
}
