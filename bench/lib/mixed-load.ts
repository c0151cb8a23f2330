import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startChildServer, type ChildServer } from './child-server';

/**
 * The reliability suite's load: one aimass server in its own process (SQLite), driven by
 * autocannon with a mix of 70 % nested reads, 25 % predicts and 5 % mutations, while metric
 * subscribers follow a training run over graphql-ws. Used by the Load test (60 s, or a 10 s
 * smoke) and the soak (`npm run test:soak`).
 */
export const LOAD_KEY = 'aim_reliability0_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const AUTH = `Bearer ${LOAD_KEY}`;
const FEATURES = ['Age', 'Income', 'CCAvg'];
const NESTED = '{ models(first: 20) { totalCount edges { node { name task versions(first: 5) { edges { node { version metrics } } } } } } }';
const PREDICT = 'mutation($input: PredictInput!) { predict(input: $input) { predictions { value } } }';
const UPDATE = 'mutation($input: UpdateModelInput!) { updateModel(input: $input) { id } }';

export interface MixedLoadServer {
  server: ChildServer;
  pid: number;
  modelIds: string[];
  runId: string;
  csv: string;
  close(): Promise<void>;
}

async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: AUTH }, body: JSON.stringify({ query, variables }) });
  const body = await res.json() as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data;
}

/** The bank data set that the tests also use (test/fixtures/data, see its README for the source). */
function bankCsv(): string {
  // From bench/lib in the sources or dist/bench/lib when built: up to the repository's root.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return fs.readFileSync(path.join(dir, 'test/fixtures/data/UniversalBank.csv'), 'utf8');
}

/** Starts the server (built, dist/) on a fresh SQLite file and gives it models, a deployed one and a long training run. */
export async function startMixedLoadServer(dist: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<MixedLoadServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-load-'));
  const server = await startChildServer(path.join(dist, 'src/main.js'), {
    PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${path.join(dir, 'load.sqlite')}`,
    AIMASS_BOOTSTRAP_ADMIN_KEY: LOAD_KEY, RATE_LIMIT_ADMIN: 'off', TRAINING_WARM_CHILDREN: '0',
    // No wait for the endless run at stop: it is requeued at once, and the process ends.
    TRAINING_SHUTDOWN_GRACE_SECONDS: '0', ...env,
  }, nodeArgs);
  // info (the default, and where "listening on" is logged): its output is drained, or a full pipe would stall it.
  server.process.stdout!.resume();
  server.process.stderr!.resume();
  const url = server.url;
  const csv = bankCsv();
  const { createDataset } = await gql(url, 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }', { input: { name: 'bank', csv } });
  const model = (name: string, architecture: string, hyperparameters: Record<string, number>) => gql(url, 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
    input: { name, task: 'BINARY_CLASSIFICATION', architecture, featureColumns: FEATURES, targetColumn: 'Personal Loan', hyperparameters },
  }).then((d) => d.createModel.id as string);
  const served = await model('served', 'LOGISTIC_REGRESSION', { epochs: 2, batchSize: 64 });
  const start = (modelId: string) => gql(url, 'mutation($input: StartTrainingRunInput!) { startTrainingRun(input: $input) { id } }', { input: { modelId, datasetId: createDataset.id } }).then((d) => d.startTrainingRun.id as string);
  const first = await start(served);
  let trained: any;
  for (;;) {
    trained = (await gql(url, 'query($id: ID!) { trainingRun(id: $id) { status error modelVersion { id } } }', { id: first })).trainingRun;
    if (trained.status === 'SUCCEEDED') break;
    if (trained.status === 'FAILED') throw new Error(`setup training failed: ${trained.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await gql(url, 'mutation($m: ID!) { setModelControls(input: { modelId: $m, requiresApproval: false }) { id } }', { m: served });
  await gql(url, 'mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { __typename } }', { input: { modelVersionId: trained.modelVersion.id, environment: 'PRODUCTION' } });
  const modelIds = [served];
  for (let i = 0; i < 19; i++) modelIds.push(await model(`nested-${i}`, 'MLP', { epochs: 5 }));
  // The run the metric subscribers follow: long enough for any load run (cancelled at close).
  const slow = await model('streaming', 'MLP', { epochs: 10_000, patience: 0, batchSize: 16 });
  const runId = await start(slow);
  return {
    server, pid: server.process.pid!, modelIds, runId, csv,
    close: async () => {
      await gql(url, 'mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: runId }).catch(() => undefined);
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Subscribers of the run's metrics, each on its own socket, counting what they receive. */
export function metricSubscribers(url: string, runId: string, count: number) {
  const clients: Client[] = [];
  const state = { points: 0, errors: 0, completed: 0, reasons: {} as Record<string, number> };
  for (let i = 0; i < count; i++) {
    const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: AUTH } });
    clients.push(client);
    client.subscribe({ query: 'subscription($runId: ID!) { trainingMetrics(runId: $runId) { step value } }', variables: { runId } }, {
      next: () => { state.points += 1; },
      error: (error: unknown) => {
        state.errors += 1;
        // A close event's code (4408: connection_init not in time), or a GraphQL error's code.
        const reason = String((error as { code?: unknown })?.code ?? (Array.isArray(error) ? error[0]?.extensions?.code : undefined) ?? (error as Error)?.message ?? error).slice(0, 60);
        state.reasons[reason] = (state.reasons[reason] ?? 0) + 1;
      },
      complete: () => { state.completed += 1; },
    });
  }
  return { state, close: () => Promise.all(clients.map((c) => c.dispose())) };
}

/** A 20-request cycle in the 70/25/5 proportions, interleaved so each connection sends the mix. */
function mixedRequests(modelIds: string[], csv: string, counts: Record<string, number>, errors: Map<string, number>): autocannon.Request[] {
  const lines = csv.trim().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1, 21).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(FEATURES.map((f) => [f, Number(cells[header.indexOf(f)])]));
  });
  const check = (kind: string) => (status: number, body: string) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    let code: string | null = status === 200 ? null : `HTTP_${status}`;
    if (!code && body.includes('"errors"')) {
      try {
        code = String(JSON.parse(body).errors?.[0]?.extensions?.code ?? 'NO_CODE');
      } catch {
        code = 'UNPARSEABLE';
      }
    }
    if (code) errors.set(`${kind}:${code}`, (errors.get(`${kind}:${code}`) ?? 0) + 1);
  };
  const read = { method: 'POST' as const, body: JSON.stringify({ query: NESTED }), onResponse: check('read') };
  const predict = (i: number) => ({ method: 'POST' as const, body: JSON.stringify({ query: PREDICT, variables: { input: { model: 'served', environment: 'PRODUCTION', rows: rows.slice(i, i + 4) } } }), onResponse: check('predict') });
  const update = { method: 'POST' as const, body: JSON.stringify({ query: UPDATE, variables: { input: { id: modelIds[1], description: 'updated under load' } } }), onResponse: check('mutation') };
  const cycle: autocannon.Request[] = [];
  for (let i = 0; i < 20; i++) cycle.push(i === 10 ? update : i % 4 === 1 ? predict(i % 16) : read);
  return cycle;
}

export interface MixedLoadResult {
  seconds: number;
  connections: number;
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Transport errors, non-2xx answers and GraphQL errors, by kind and code. */
  errors: Record<string, number>;
  errorCount: number;
  mix: Record<string, number>;
}

/** Runs the mix for `seconds` (at `rate` requests per second overall when given: the soak's half rate). */
export async function runMixedLoad(target: MixedLoadServer, { seconds, connections = 100, rate }: { seconds: number; connections?: number; rate?: number }): Promise<MixedLoadResult> {
  const counts: Record<string, number> = {};
  const errors = new Map<string, number>();
  const result = await autocannon({
    url: target.server.url,
    headers: { 'content-type': 'application/json', authorization: AUTH },
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    requests: mixedRequests(target.modelIds, target.csv, counts, errors),
  });
  // autocannon counts its timeouts among its errors: apart here, the rest are resets and refusals.
  if (result.errors - result.timeouts) errors.set('transport', result.errors - result.timeouts);
  if (result.timeouts) errors.set('timeout', result.timeouts);
  const byCode = Object.fromEntries(errors);
  return {
    seconds, connections,
    requestsPerSecond: result.requests.average, requests: result.requests.total, p50Ms: result.latency.p50, p99Ms: result.latency.p99,
    errors: byCode, errorCount: Object.values(byCode).reduce((a, b) => a + b, 0), mix: counts,
  };
}

/** Open file descriptors of the server (sockets, files): its open handles as the OS sees them. */
export function openHandles(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}
