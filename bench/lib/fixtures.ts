import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
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

/**
 * Runs `work` on the MariaDB/MySQL database BENCH_MYSQL_URL names, created empty before and
 * dropped after; a note saying how to enable it when the variable is unset.
 */
export async function onScratchMysql<T>(work: (url: string) => Promise<T>): Promise<T | string> {
  const mysqlUrl = process.env.BENCH_MYSQL_URL;
  if (!mysqlUrl) return 'skipped: set BENCH_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/aimass_bench)';
  const database = new URL(mysqlUrl).pathname.slice(1);
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`BENCH_MYSQL_URL must name a database, got ${JSON.stringify(database)}`);
  const admin = await mysql.createConnection(Object.assign(new URL(mysqlUrl), { pathname: '/' }).toString());
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    return await work(mysqlUrl);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }
}
