import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { BENCH_AUTH, BENCH_KEY, BENCH_KEY_ENV } from '../api-throughput';
import { startChildServer, type ChildServer } from './child-server';

/** aimass (dist/src/main.js) in a child process over `databaseUrl`, with the benchmark's ADMIN key. */
export async function startAimass(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const server = await startChildServer(path.resolve(__dirname, '../../src/main.js'), {
    PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info', DATABASE_URL: databaseUrl, ...BENCH_KEY_ENV, ...env,
  });
  // Keep reading its output, so a chatty log can never fill the pipe and stall the server.
  server.process.stdout!.resume();
  return { ...server, url: server.url.replace('//localhost:', '//127.0.0.1:'), stop: () => stopWithin(server, STOP_GRACE_MS) };
}

const STOP_GRACE_MS = 8_000;
/** Servers that had to be SIGKILLed because SIGTERM did not end them (see forcedStops). */
let forced = 0;
export const forcedStops = () => forced;

/**
 * SIGTERM, then SIGKILL after `graceMs`. Needed because main.ts can wait forever on SIGTERM:
 * Apollo's own termination-signal handler and main's both call apolloServer.stop(), and the
 * second caller waits on a barrier Apollo never resolves on success; with MySQL the pool's
 * socket then keeps the process alive (with SQLite it just exits without closing the database).
 */
function stopWithin(server: ChildServer, graceMs: number): Promise<void> {
  const child = server.process;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => {
      forced++;
      console.error(`[bench] aimass (pid ${child.pid}) did not exit within ${graceMs} ms of SIGTERM: SIGKILL`);
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => { clearTimeout(timer); done(); });
    child.kill('SIGTERM');
  });
}

/** One GraphQL operation over HTTP POST; throws on any error in the response. */
export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...BENCH_AUTH }, body: JSON.stringify({ query, variables }) });
  const body = await res.json() as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error (${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  return body.data;
}

/** A graphql-ws client on the server's URL, authenticated with the benchmark key. */
export function wsClient(url: string): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${BENCH_KEY}` },
    lazy: false,
    retryAttempts: 0,
  });
}

/** Subscribes; `onNext` gets each payload's data. Resolves `done` when the server completes it. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown>, onNext: (data: T) => void): { done: Promise<void>; stop: () => void } {
  let stop = () => {};
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe<T>({ query, variables }, {
      next: (result) => {
        if (result.errors?.length) reject(new Error(`subscription error: ${JSON.stringify(result.errors).slice(0, 500)}`));
        else if (result.data) onNext(result.data as T);
      },
      error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
      complete: () => resolve(),
    });
  });
  done.catch(() => undefined);
  return { done, stop: () => stop() };
}

/** The dataset and model the training benchmarks create through the API. */
export async function createDatasetAndModel(url: string, name: string, csv: string, model: { features: string[]; target: string; hyperparameters: Record<string, unknown> }): Promise<{ datasetId: string; modelId: string; columnTypes: Record<string, string> }> {
  const dataset = await gql(url, 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name, csv } });
  const datasetId = dataset.createDataset.id as string;
  const info = await gql(url, 'query($id: ID!) { dataset(id: $id) { columns { name type } } }', { id: datasetId });
  const columnTypes = Object.fromEntries((info.dataset.columns as { name: string; type: string }[]).map((c: { name: string; type: string }) => [c.name, c.type]));
  const created = await gql(url, 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name, task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: model.features, targetColumn: model.target, hyperparameters: model.hyperparameters },
  });
  return { datasetId, modelId: created.createModel.id as string, columnTypes };
}
