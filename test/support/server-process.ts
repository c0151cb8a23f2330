import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DatabaseConfig } from '../../src/core/config';
import { TEST_ADMIN_KEY } from './test-server';

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');
const WORKER = path.resolve(__dirname, '../../dist/src/worker.js');

/** `npm start`'s server (dist/src/main.js) as a separate process, for restart and shutdown tests. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  request(query: string, variables?: Record<string, unknown>): Promise<any>;
}

export function databaseUrl(config: DatabaseConfig): string {
  return config.kind === 'sqlite' ? `sqlite:${config.file}` : config.url;
}

export function startServerProcess(database: DatabaseConfig, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', SEED_DEMO: 'false', AIMASS_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY, DATABASE_URL: databaseUrl(database), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => { output += d; });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = output.match(/listening on (http:\/\/\S+?)"/);
      if (match) {
        const url = match[1];
        resolve({
          url, child, output: () => output,
          async request(query, variables) {
            const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: JSON.stringify({ query, variables }) });
            const body = await res.json() as any;
            if (body.errors) throw new Error(JSON.stringify(body.errors));
            return body.data;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
}

/** `npm run worker` (dist/src/worker.js) as a separate process: resolves once it consumes, with its cluster id. */
export function startWorkerProcess(database: DatabaseConfig, env: Record<string, string>): Promise<{ child: ChildProcess; workerId: string; output(): string }> {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, LOG_LEVEL: 'info', DATABASE_URL: databaseUrl(database), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => { output += d; });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = output.match(/"worker":"([^"]+)"[^\n]*aimass worker started/);
      if (match) resolve({ child, workerId: match[1], output: () => output });
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${output}`)));
  });
}

/** SIGKILLs a process (no cleanup of any kind) and waits until it is gone. */
export function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGKILL');
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
