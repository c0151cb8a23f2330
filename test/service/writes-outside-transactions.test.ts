import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids';
import type { DatasetVersion } from '../../src/modules/datasets/dataset-version.entity';
import { Environment } from '../../src/modules/deployments/environment';
import { RetrainEvent, RetrainPolicy, RetrainTrigger } from '../../src/modules/schedules/retrain.entities';
import { creditDatasetAndModel } from '../support/service-fixtures';
import { startTestServices, type TestServices } from '../support/test-services';

// On SQLite the server has one connection, and TypeORM one query runner on it: a write sent
// outside Database.transaction while another request's transaction was open ran inside that
// transaction, and was undone with it when it rolled back, after its caller had been told it was
// done. Retrain triggers claimed a policy that way (a conditional UPDATE), so a claim undone by
// an unrelated rollback let the same new data version fire the policy a second time.
let t: TestServices;
beforeAll(async () => { t = await startTestServices({ start: false }); });
afterAll(() => t?.close());

it('a retrain claim is not undone by another request\'s transaction rolling back, so new data fires a policy once', async () => {
  const { db, retrain } = t.services;
  const { dataset, model } = await creditDatasetAndModel(t.services, 'claim');
  const now = new Date();
  // Written directly: setPolicy's checks (a live champion) are not what this is about.
  const policy = Object.assign(new RetrainPolicy(), {
    id: newId(RetrainPolicy), modelId: model.id, trigger: RetrainTrigger.NEW_DATA, cron: null, timezone: 'UTC', datasetId: dataset.id,
    hyperparameters: null, sweep: null, promoteTo: Environment.TEST, gate: { metric: 'auc', threshold: 0, mustBeatCurrent: false },
    testPercent: 20, shadowSeconds: null, nextRunAt: null, lastDataVersion: 1, lastAlertId: null, createdBy: null, createdAt: now, updatedAt: now,
  });
  await db.transaction((m) => m.insert(RetrainPolicy, policy as never));
  const newData = { id: 'dsv_new', datasetId: dataset.id, version: 2 } as DatasetVersion;

  // Another request's transaction, open while the trigger claims the policy, that then fails.
  let fail!: () => void;
  const failing = new Promise<void>((resolve) => { fail = resolve; });
  let opened!: () => void;
  const open = new Promise<void>((resolve) => { opened = resolve; });
  const other = db.transaction(async (manager) => {
    await manager.query('SELECT 1');
    opened();
    await failing;
    throw new Error('the other request failed');
  });
  await open;
  const firstTrigger = retrain.onDatasetVersion(newData);
  // Long enough for the claim to have run, had it not waited for the open transaction.
  await sleep(300);
  fail();
  await expect(other).rejects.toThrow('the other request failed');
  await firstTrigger;

  // The same version announced again (another instance, a retry): the claim stands, nothing fires.
  await retrain.onDatasetVersion(newData);
  expect((await db.manager.findOneByOrFail(RetrainPolicy, { id: policy.id })).lastDataVersion).toBe(2);
  expect(await db.manager.countBy(RetrainEvent, { policyId: policy.id })).toBe(1);
});
