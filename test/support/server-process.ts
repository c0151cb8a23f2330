import type { ChildProcess } from 'node:child_process';
import type { DatabaseConfig } from '../../src/core/config';
import { startApiProcess, startWorkerProcess as startWorker, stopped, type ApiProcess, type WorkerProcess } from '../../scripts/cluster/processes';
import { TEST_ADMIN_KEY } from './test-server';

/** `npm start`'s server (dist/src/main.js) as a separate process, for restart, shutdown and cluster tests. */
export interface ServerProcess extends ApiProcess {
  request(query: string, variables?: Record<string, unknown>): Promise<any>;
}

export function databaseUrl(config: DatabaseConfig): string {
  return config.kind === 'sqlite' ? `sqlite:${config.file}` : config.url;
}

/** Sends an operation as the test admin; a GraphQL error throws. */
export async function adminRequest(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: JSON.stringify({ query, variables }) });
  const body = await res.json() as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** What every test process runs with: the test admin key, no demo data, the given database. */
export const testProcessEnv = (database: DatabaseConfig) => ({ SEED_DEMO: 'false', AIMASS_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY, DATABASE_URL: databaseUrl(database) });

export async function startServerProcess(database: DatabaseConfig, env: Record<string, string> = {}): Promise<ServerProcess> {
  const api = await startApiProcess({ ...testProcessEnv(database), ...env });
  return { ...api, request: (query, variables) => adminRequest(api.url, query, variables) };
}

/** `npm run worker` (dist/src/worker.js) as a separate process: resolves once it consumes, with its cluster id. */
export function startWorkerProcess(database: DatabaseConfig, env: Record<string, string>): Promise<WorkerProcess> {
  return startWorker({ DATABASE_URL: databaseUrl(database), ...env });
}

/** SIGKILLs a process (no cleanup of any kind) and waits until it is gone. */
export const killed = (child: ChildProcess) => stopped(child, 'SIGKILL');
