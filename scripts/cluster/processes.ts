import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository's root, from here in the sources or in dist/. */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const ROOT = repositoryRoot();
/** `npm start`'s server and `npm run worker`'s process, built (npm run build). */
export const MAIN = path.join(ROOT, 'dist/src/main.js');
export const WORKER = path.join(ROOT, 'dist/src/worker.js');

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output(): string;
}

export interface WorkerProcess {
  /** Its id in the cluster (systemInfo.workers, runs' workerId). */
  workerId: string;
  child: ChildProcess;
  output(): string;
}

const OUTPUT_KEPT = 1 << 20;

/**
 * Starts a process from built JavaScript with `env` on top of this one's, and resolves with what
 * `ready` finds in its output (JSON log lines) once it appears; rejects if it exits first.
 */
function startProcess<T>(script: string, env: Record<string, string>, ready: (output: string) => T | null): Promise<{ child: ChildProcess; found: T; output(): string }> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // The latest output, bounded: a long-lived process must not grow its launcher's memory.
  let output = '';
  const keep = (d: Buffer) => { output = (output + d).slice(-OUTPUT_KEPT); };
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    let settled = false;
    child.stdout!.on('data', (d: Buffer) => {
      keep(d);
      if (settled) return;
      const found = ready(output);
      if (found === null) return;
      settled = true;
      resolve({ child, found, output: () => output });
    });
    child.once('exit', (code, signal) => { if (!settled) reject(new Error(`${path.basename(script)} exited (${code ?? signal}): ${output}`)); });
  });
}

/** An API instance (`npm start`), on a free port unless env.PORT says otherwise. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const { child, found, output } = await startProcess(MAIN, { PORT: '0', ...env }, (text) => text.match(/listening on (http:\/\/\S+?)"/)?.[1] ?? null);
  return { url: found, child, output };
}

/** A worker (`npm run worker`): resolves once it consumes jobs. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const { child, found, output } = await startProcess(WORKER, env, (text) => text.match(/"worker":"([^"]+)"[^\n]*aimass worker started/)?.[1] ?? null);
  return { workerId: found, child, output };
}

/** Sends `signal` (SIGKILL: no cleanup of any kind) and waits until the process is gone. */
export function stopped(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}
