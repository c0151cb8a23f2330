import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertMetric } from '../../src/modules/monitoring/alert-enums';
import type { Alert } from '../../src/modules/monitoring/alert.entity';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';

// Two instances of one cluster, each able to fire policies: every trigger must fire a policy once.
let a: TestServer;
let b: TestServer;
let modelId: string;
let datasetId: string;
const env = { RETRAIN_CHECK_SECONDS: '1', SCHEDULER_LEASE_SECONDS: '2', TRAINING_CONCURRENCY: '2' };
const csv = 'a,b,y\n' + Array.from({ length: 100 }, (_, i) => `${i},${(i * 7) % 13},${i % 2}`).join('\n') + '\n';
const events = async () => (await a.query('query($m: ID!) { retrainEvents(modelId: $m, first: 100) { edges { node { trigger status detail } } } }', { m: modelId })).retrainEvents.edges.map((e: any) => e.node);
const setPolicy = (input: Record<string, unknown>) => a.query('mutation($input: SetRetrainPolicyInput!) { setRetrainPolicy(input: $input) { id } }', {
  input: { modelId, datasetId, promoteTo: 'TEST', gate: { metric: 'auc', threshold: 0 }, hyperparameters: { epochs: 1 }, ...input },
});

beforeAll(async () => {
  a = await startTestServer({ redisPrefix: `retrain-${process.pid}-${Date.now()}`, env });
  b = await startTestServer({ database: a.services.config.database, redisPrefix: a.services.config.redis!.prefix, env });
  ({ createDataset: { id: datasetId } } = await a.query('mutation($csv: String!) { createDataset(input: { name: "feed", csv: $csv }) { id } }', { csv }));
  ({ createModel: { id: modelId } } = await a.query('mutation { createModel(input: { name: "policy-model", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["a", "b"], targetColumn: "y", hyperparameters: { epochs: 1, hiddenUnits: [4] } }) { id } }'));
  const { startTrainingRun } = await a.query('mutation($m: ID!, $d: ID!) { startTrainingRun(input: { modelId: $m, datasetId: $d }) { id } }', { m: modelId, d: datasetId });
  const run = await until(() => a.query('query($id: ID!) { trainingRun(id: $id) { status modelVersion { id } } }', { id: startTrainingRun.id }), (d) => d.trainingRun.status === 'SUCCEEDED');
  await a.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v: run.trainingRun.modelVersion.id });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('retrain policies in a cluster', () => {
  it('NEW_DATA: a version appended through one instance fires the policy once', async () => {
    await setPolicy({ trigger: 'NEW_DATA' });
    await b.query('mutation($id: ID!, $csv: String!) { appendDatasetRows(input: { datasetId: $id, csv: $csv }) { version } }', { id: datasetId, csv });
    await until(events, (list) => list.length > 0 && list.every((e: any) => e.status === 'DECIDED' || e.status === 'FAILED'), 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const fired = (await events()).filter((e: any) => e.trigger === 'NEW_DATA');
    expect(fired).toHaveLength(1);
    expect(fired[0].detail).toMatchObject({ datasetVersion: 2 });
  });

  it('DRIFT: one alert heard by both instances at once fires the policy once', async () => {
    await setPolicy({ trigger: 'DRIFT' });
    const alert = { id: 'alrt_01JZZZZZZZZZZZZZZZZZZZZZZZ', metric: AlertMetric.DRIFT_PSI, modelId, value: 0.4, message: 'drift' } as unknown as Alert;
    await Promise.all([a.services.retrain.onAlert(alert), b.services.retrain.onAlert(alert), a.services.retrain.onAlert(alert)]);
    expect((await events()).filter((e: any) => e.trigger === 'DRIFT')).toHaveLength(1);
  });

  it('SCHEDULE: every tick fires once, whichever instance holds the scheduler', async () => {
    await setPolicy({ trigger: 'SCHEDULE', cron: '*/2 * * * * *' }); // every 2 seconds
    await new Promise((r) => setTimeout(r, 7000));
    await a.query('mutation($m: ID!) { deleteRetrainPolicy(modelId: $m) { id } }', { m: modelId });
    const ticks = (await events()).filter((e: any) => e.trigger === 'SCHEDULE').map((e: any) => e.detail.dueAt);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(5);
    expect(new Set(ticks).size).toBe(ticks.length); // no tick fired twice
  });
});
