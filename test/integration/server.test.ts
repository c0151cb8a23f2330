import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../support/training';
import { wsClient } from '../support/ws-client';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { TEST_DB } from '../support/test-database';

const ROOT = path.resolve(__dirname, '../..');
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ seed: true });
});
afterAll(() => server?.close());

describe('server', () => {
  it('answers /healthz and /readyz', async () => {
    const base = server.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: true });
  });

  it('reports systemInfo', async () => {
    const { systemInfo } = await server.query(`{ systemInfo { version nodeVersion database databaseVersion tfjsBackend uptimeSeconds } }`);
    expect(systemInfo.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(systemInfo.nodeVersion).toBe(process.version);
    expect(systemInfo.database).toBe(TEST_DB === 'mysql' ? 'MYSQL' : 'SQLITE');
    expect(systemInfo.databaseVersion).toMatch(/^\d+\.\d+/);
    expect(systemInfo.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('serves the same schema over graphql-ws on the same port', async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: server.adminAuth } });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        let value: unknown;
        client.subscribe({ query: '{ models(first: 1, orderBy: { field: NAME, direction: ASC }) { edges { node { name } } } }' }, {
          next: (v) => { value = v; }, error: reject, complete: () => resolve(value),
        });
      });
      expect(result.data.models.edges[0].node.name).toBe('credit-default-logreg');
    } finally {
      await client.dispose();
    }
  });

  it('masks unexpected errors and refuses a query that does not parse', async () => {
    const res = await server.request('{ models { edges { node { nope } } } }');
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const syntax = await server.request('{ models { ');
    expect(syntax.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('runs every operation in examples.graphql without errors, in order', async () => {
    const document = parse(fs.readFileSync(path.join(ROOT, 'examples.graphql'), 'utf8'));
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    expect(operations.length).toBeGreaterThanOrEqual(5);
    // $datasetId / $modelId take the id the CreateDataset / CreateModel example returned.
    const variables: Record<string, string> = {};
    for (const operation of operations) {
      if (operation.operation === 'subscription') {
        await runSubscription(operation, variables);
        continue;
      }
      const needsVersion = operation.variableDefinitions?.some((v) => v.variable.name.value === 'modelVersionId');
      if (needsVersion && !variables.modelVersionId) {
        // The deploy examples use the version StartTraining produced: wait for it as a user would.
        const run = await waitForRun(server, variables.runId, (r) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status));
        expect(run.status, run.error).toBe('SUCCEEDED');
        variables.modelVersionId = (await server.query('query($id: ID!) { trainingRun(id: $id) { modelVersion { id } } }', { id: variables.runId })).trainingRun.modelVersion.id;
      }
      const res = await server.request(print(operation), variables);
      expect(res.errors, `${operation.name?.value}: ${JSON.stringify(res.errors)}`).toBeUndefined();
      expect(res.data).toBeTruthy();
      if (res.data.createDataset) variables.datasetId = res.data.createDataset.id;
      if (res.data.createModel) variables.modelId = res.data.createModel.id;
      if (operation.name?.value === 'DatasetColumns') variables.creditDatasetId = res.data.datasets.edges[0].node.id;
      if (operation.name?.value === 'ModelByName') variables.creditModelId = res.data.model.id;
      if (res.data.startTrainingRun) variables.runId = res.data.startTrainingRun.id;
      if (res.data.startBatchPrediction) variables.jobId = res.data.startBatchPrediction.id;
      if (res.data.startSweep) variables.sweepId = res.data.startSweep.id;
    }
  });
});

/**
 * A subscription example over graphql-ws. A per-object stream (it has a variable naming its
 * object) must start with the current state and complete; an open-ended one must at least start.
 */
async function runSubscription(operation: OperationDefinitionNode, variables: Record<string, string>): Promise<void> {
  const perObject = (operation.variableDefinitions?.length ?? 0) > 0;
  const client = wsClient(server.wsUrl, server.adminAuth);
  try {
    const outcome = await new Promise<{ events: unknown[]; completed: boolean; errors?: unknown }>((resolve) => {
      const events: unknown[] = [];
      const timer = setTimeout(() => resolve({ events, completed: false }), perObject ? 30_000 : 500);
      client.subscribe({ query: print(operation), variables }, {
        next: (value) => (value.errors ? resolve({ events, completed: false, errors: value.errors }) : events.push(value.data)),
        error: (errors) => { clearTimeout(timer); resolve({ events, completed: false, errors }); },
        complete: () => { clearTimeout(timer); resolve({ events, completed: true }); },
      });
    });
    expect(outcome.errors, `${operation.name?.value}: ${JSON.stringify(outcome.errors)}`).toBeUndefined();
    if (perObject) {
      expect(outcome.events.length, operation.name?.value).toBeGreaterThan(0);
      expect(outcome.completed, `${operation.name?.value} completes`).toBe(true);
    }
  } finally {
    await client.dispose();
  }
}

describe('npm start', () => {
  it('seeds an empty database, serves, and exits 0 on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', AIMASS_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY, DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}` };
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (d) => { output += d; });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          output += d;
          const match = output.match(/listening on (http:\/\/\S+?)"/);
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: JSON.stringify({ query: '{ datasets { totalCount } models { totalCount } }' }) });
      const { data } = await res.json() as any;
      expect(data.datasets.totalCount).toBe(3);
      expect(data.models.totalCount).toBe(3);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(output).toMatch(/shutting down/);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { env: { ...process.env, PORT: 'eighty', DATABASE_URL: 'postgres://x' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/PORT must be an integer/);
    expect(stderr).toMatch(/DATABASE_URL must start with sqlite: or mysql:\/\//);
  });
});
