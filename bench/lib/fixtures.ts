import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config';
import { Architecture, ModelTask } from '../../src/modules/models/model-enums';
import type { Services } from '../../src/modules/shared/context';
import { startServer } from '../../src/server/start-server';

/**
 * A throw-away SQLite file and aimass's services over it, started as main.ts starts them but
 * without listening (bench/ only: the servers measured run in child processes over the file).
 */
export async function scratchServices(name: string, env: Record<string, string> = {}): Promise<{ services: Services; file: string; close: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aimass-bench-${name}-`));
  const file = path.join(dir, 'bench.sqlite');
  const config = { ...loadConfig({ LOG_LEVEL: 'warn', DATASET_IMPORT_DIR: dir, ...env }), database: { kind: 'sqlite' as const, file } };
  const server = await startServer(config, { listen: false });
  return { services: server.services, file, close: () => server.close() };
}

/** `models` models with `versions` versions each, as the nested-query benchmark needs. */
export async function createModelsWithVersions(services: Services, models = 200, versions = 5): Promise<void> {
  for (let i = 0; i < models; i++) {
    const model = await services.models.create({
      name: `bench-model-${String(i).padStart(4, '0')}`, task: ModelTask.BINARY_CLASSIFICATION, architecture: Architecture.MLP,
      featureColumns: ['a', 'b', 'c'], targetColumn: 'y',
    });
    for (let v = 0; v < versions; v++) await services.modelVersions.create({ modelId: model.id, metrics: { auc: 0.7 + v / 100 } });
  }
}
