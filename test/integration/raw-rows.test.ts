import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { getManyRaw } from '../../src/engines/db/raw-rows';
import { newId } from '../../src/core/ids';
import { Architecture, ModelTask } from '../../src/modules/models/model-enums';
import { Model } from '../../src/modules/models/model.entity';
import { ModelVersion } from '../../src/modules/models/model-version.entity';
import { ModelLoaders } from '../../src/modules/models/model.loaders';
import { TrainingRun } from '../../src/modules/training/training-run.entity';
import { TrainingLoaders } from '../../src/modules/training/training-run.loaders';
import { Prediction } from '../../src/modules/predictions/prediction.entity';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * The hot lists (models, versions, runs, predictions) read raw rows through a small mapper rather
 * than TypeORM's entity hydration. The answer must not change: every object equals, field by
 * field, what getMany() builds from the same rows (class, dates, JSON, booleans, nulls, order).
 */
let server: TestServer;
const modelIds: string[] = [];
beforeAll(async () => {
  server = await startTestServer();
  const { models, modelVersions, datasets, db } = server.services;
  await datasets.create({ name: 'raw-data', csv: 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n' } as never);
  const [{ id: datasetVersionId }] = await db.dataSource.query('SELECT id FROM dataset_version');
  for (let i = 0; i < 4; i++) {
    const model = await models.create({
      name: `raw-${i}`, task: ModelTask.BINARY_CLASSIFICATION, architecture: Architecture.MLP,
      featureColumns: ['a', 'b', 'ünïcode "quoted"'], targetColumn: 'y', ...(i % 2 ? { description: `model ${i}\nsecond line` } : {}),
    });
    modelIds.push(model.id);
    if (i === 1) await db.manager.update(Model, model.id, { requiresApproval: false, promotionGate: { minMetric: { auc: 0.7 } } as never, archivedAt: new Date('2026-01-02T03:04:05.678Z') });
    for (let v = 0; v < 3 + i; v++) {
      await modelVersions.create({
        modelId: model.id, metrics: { auc: 0.1 + 0.2 + v, rmse: 1e-7 * v },
        ...(v % 2 ? { signature: { features: [{ name: 'a', type: 'NUMBER', mean: 1.5, std: null }] } as never, featureSelection: { method: 'MUTUAL_INFORMATION', selected: ['a'] } as never } : {}),
      });
    }
    const [{ id: versionId }] = await db.dataSource.query('SELECT id FROM model_version WHERE model_id = ? AND version = 1', [model.id]);
    for (let r = 0; r < 3; r++) {
      const finished = r === 0 ? null : new Date(Date.UTC(2026, 0, 1, 0, 0, r, 123));
      await db.manager.insert(TrainingRun, Object.assign(new TrainingRun(), {
        id: newId(TrainingRun), modelId: model.id, datasetVersionId, status: r === 0 ? 'RUNNING' : 'SUCCEEDED', progress: r / 3,
        epochsCompleted: r, hyperparameters: { epochs: 3, hiddenUnits: [8, 4] }, split: { strategy: 'RANDOM', testFraction: 0.2 }, featureSelection: r === 2 ? { method: 'MUTUAL_INFORMATION', k: 1 } : null,
        seed: 42 + r, priority: 0, backend: r ? 'wasm' : null, libraryVersions: r ? { tfjs: '4.22.0' } : null, batchMetrics: r === 1, attempts: r,
        workerId: null, sweepId: null, sweepTrial: null, error: r === 2 ? 'none' : null, modelVersionId: null, createdBy: null,
        queuedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 7)), startedAt: r ? new Date(Date.UTC(2026, 0, 1, 0, 0, 1, 999)) : null, finishedAt: finished,
      }) as never);
      await db.manager.insert(Prediction, Object.assign(new Prediction(), {
        id: newId(Prediction), modelId: model.id, modelVersionId: versionId, environment: 'PRODUCTION', inputs: { a: r, b: 'x', c: null },
        outputs: { value: 0.123456789, label: r ? 'yes' : null, probabilities: [0.25, 0.75] }, latencyMs: 0.5 + r, requestId: r ? `req-${r}` : null,
        route: 'LIVE', routingKey: null, createdAt: new Date(Date.UTC(2026, 0, 2, 0, 0, r, 1)),
      }) as never);
    }
  }
});
afterAll(() => server?.close());

async function sameAsEntities<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>) {
  const entities = await qb.clone().getMany();
  const raw = await getManyRaw(qb.clone());
  expect(raw.length).toBeGreaterThan(0);
  expect(raw).toStrictEqual(entities);
  raw.forEach((row, i) => {
    expect(Object.getPrototypeOf(row)).toBe(Object.getPrototypeOf(entities[i]));
    for (const key of Object.keys(entities[i])) {
      const [a, b] = [row[key], entities[i][key]];
      if (b instanceof Date) expect(a instanceof Date && a.getTime(), key).toBe(b.getTime());
      else expect(JSON.stringify(a), key).toBe(JSON.stringify(b));
    }
  });
  return raw;
}

describe('raw rows mapped as entities', () => {
  it('equal getMany() field by field for models, versions, training runs and predictions', async () => {
    const { manager } = server.services.db;
    await sameAsEntities(manager.createQueryBuilder(Model, 'm').orderBy('m.id', 'DESC').take(10));
    const versions = await sameAsEntities(manager.createQueryBuilder(ModelVersion, 'e').orderBy('e.id'));
    expect(versions.some((v) => v.signature !== null && v.featureSelection !== null)).toBe(true);
    expect(versions.some((v) => v.signature === null)).toBe(true);
    const runs = await sameAsEntities(manager.createQueryBuilder(TrainingRun, 'r').where('r.model_id IN (:...ids)', { ids: modelIds }).orderBy('r.id', 'DESC'));
    expect(runs.map((r) => typeof r.batchMetrics)).toEqual(runs.map(() => 'boolean'));
    await sameAsEntities(manager.createQueryBuilder(Prediction, 'p').orderBy('p.id', 'DESC').take(7));
  });

  it('fall back to getMany() when the builder joins or adds selections', async () => {
    const qb = server.services.db.manager.createQueryBuilder(ModelVersion, 'e').addSelect('e.version * 2', 'twice').orderBy('e.id');
    expect(await getManyRaw(qb.clone())).toStrictEqual(await qb.clone().getMany());
  });

  it('through the lists and the per-request loaders: the same pages as entity reads', async () => {
    const { services } = server;
    const page = await services.models.list({ nameContains: 'raw-', includeArchived: true }, null, { first: 3 });
    expect(page.items).toStrictEqual(await services.db.manager.createQueryBuilder(Model, 'm').where("m.name LIKE 'raw-%'").orderBy('m.id', 'DESC').take(3).getMany());

    const models = new ModelLoaders(services.db, 100);
    const pages = await Promise.all(modelIds.map((id) => models.versions({ first: 2 }).load(id)));
    for (const [i, id] of modelIds.entries()) {
      const expected = await services.db.manager.find(ModelVersion, { where: { modelId: id }, order: { version: 'DESC' }, take: 2 });
      expect(pages[i].items).toStrictEqual(expected);
      expect(pages[i].hasNextPage).toBe(true);
    }

    const training = new TrainingLoaders(services.db, 100);
    const runPages = await Promise.all(modelIds.map((id) => training.byModel({ first: 5 }).load(id)));
    for (const [i, id] of modelIds.entries()) {
      expect(runPages[i].items).toStrictEqual(await services.db.manager.find(TrainingRun, { where: { modelId: id }, order: { id: 'DESC' } }));
    }
  });
});
