import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { wsClient, wsRequest } from '../support/ws-client';

// Findings of the hardening review about input that is valid GraphQL but built to hurt: huge
// names echoed back, 100,000 columns, names that display as something else, `__proto__`, links
// out of the import folder. Each test failed on the code before the fix.
let server: TestServer;
let importDir: string;
let outside: string;

beforeAll(async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-import-'));
  importDir = path.join(base, 'imports');
  fs.mkdirSync(importDir);
  outside = path.join(base, 'secret.csv');
  fs.writeFileSync(outside, 'secret,value\nhunter2,1\n');
  fs.writeFileSync(path.join(importDir, 'ok.csv'), 'a,b\n1,2\n3,4\n');
  fs.symlinkSync(outside, path.join(importDir, 'link.csv'));
  server = await startTestServer({ env: { DATASET_IMPORT_DIR: importDir } });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(path.dirname(importDir), { recursive: true, force: true });
});

const CREATE = 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id name columns { name } } }';

describe('arguments that name things', () => {
  const huge = 'm'.repeat(10 * 1024 * 1024);

  it('refuses a 10 MB model name in model(name:), driftReport and predictions(filter.model) with a short answer', async () => {
    for (const [query, variables] of [
      ['query($n: String) { model(name: $n) { id } }', { n: huge }],
      ['query($n: String!) { driftReport(model: $n) { status } }', { n: huge }],
      ['query($n: String) { predictions(filter: { model: $n }) { totalCount } }', { n: huge }],
    ] as const) {
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: server.adminAuth }, body: JSON.stringify({ query, variables }) });
      const text = await res.text();
      expect(text.length, query).toBeLessThan(2000);
      expect(JSON.parse(text).errors[0].extensions.code, query).toBe('BAD_USER_INPUT');
    }
    const client = wsClient(server.wsUrl, server.adminAuth);
    const ws = await wsRequest(client, 'query($n: String) { model(name: $n) { id } }', { n: huge });
    await client.dispose();
    expect(JSON.stringify(ws).length).toBeLessThan(2000);
    expect(ws.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('echoes at most a short prefix of an unknown name', async () => {
    const res = await server.request('query($n: String) { model(name: $n) { id } }', { n: 'x'.repeat(150) });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(res.errors![0].message.length).toBeLessThan(120);
    expect(String(res.errors![0].extensions!.id).length).toBeLessThanOrEqual(81);
  });

  it('refuses names with NUL, a lone surrogate or a bidirectional override, in datasets, models, keys and columns', async () => {
    for (const bad of ['nul\u0000name', 'lone\ud800surrogate', 'evil\u202egnp.exe']) {
      const dataset = await server.request(CREATE, { input: { name: bad, csv: 'a,b\n1,2\n' } });
      expect(dataset.errors?.[0].extensions?.code, JSON.stringify(bad)).toBe('BAD_USER_INPUT');
      const model = await server.request('mutation($n: String!) { createModel(input: { name: $n, task: REGRESSION, architecture: MLP, featureColumns: ["a"], targetColumn: "b" }) { id } }', { n: bad });
      expect(model.errors?.[0].extensions?.code, JSON.stringify(bad)).toBe('BAD_USER_INPUT');
      const column = await server.request('mutation($f: String!) { createModel(input: { name: "fine", task: REGRESSION, architecture: MLP, featureColumns: [$f], targetColumn: "b" }) { id } }', { f: bad });
      expect(column.errors?.[0].extensions?.code, JSON.stringify(bad)).toBe('BAD_USER_INPUT');
      const key = await server.request('mutation($n: String!) { createApiKey(input: { name: $n, role: VIEWER }) { secret } }', { n: bad });
      expect(key.errors?.[0].extensions?.code, JSON.stringify(bad)).toBe('BAD_USER_INPUT');
      // A CSV is bytes: a lone surrogate cannot be written in UTF-8 and arrives as U+FFFD, a character like any other.
      if (bad.includes('surrogate')) continue;
      const header = await server.request(CREATE, { input: { name: `csv-${bad.length}`, csv: `a,${bad}\n1,2\n` } });
      expect(header.errors?.[0].extensions?.code, JSON.stringify(bad)).toBe('BAD_USER_INPUT');
    }
    const { datasets } = await server.query('{ datasets(first: 100) { edges { node { name } } } }');
    expect(datasets.edges.some((e: any) => /[\u0000\u202e]/.test(e.node.name))).toBe(false);
  });
});

describe('datasets', () => {
  it('refuses a CSV with more columns than MAX_DATASET_COLUMNS, naming the limit', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    const res = await server.request(CREATE, { input: { name: 'wide', csv: `${header}\n${'1,'.repeat(99_999)}1\n` } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/100000 columns is over the limit of 2000 \(MAX_DATASET_COLUMNS\)/);
  });

  it('keeps the values of a column named __proto__', async () => {
    const { createDataset } = await server.query(CREATE, { input: { name: 'proto', csv: '__proto__,constructor,x\n1,2,3\n4,5,6\n' } });
    expect(createDataset.columns.map((c: any) => c.name)).toEqual(['__proto__', 'constructor', 'x']);
    const { dataset } = await server.query('query($id: ID!) { dataset(id: $id) { rows(first: 2) { edges { node { values } } } } }', { id: createDataset.id });
    // Entries, not an object literal: `{ __proto__: 1 }` in a literal would set a prototype.
    expect(dataset.rows.edges.map((e: any) => Object.entries(e.node.values))).toEqual([
      [['__proto__', 1], ['constructor', 2], ['x', 3]],
      [['__proto__', 4], ['constructor', 5], ['x', 6]],
    ]);
  });

  it('reads files in DATASET_IMPORT_DIR, but not through a link that leads out of it, nor ../', async () => {
    const ok = await server.request(CREATE, { input: { name: 'imported', path: 'ok.csv' } });
    expect(ok.errors).toBeUndefined();
    for (const file of ['link.csv', '../secret.csv']) {
      const res = await server.request(CREATE, { input: { name: `escape-${file.length}`, path: file } });
      expect(res.errors?.[0].extensions?.code, file).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].message, file).toMatch(/must stay inside DATASET_IMPORT_DIR/);
    }
  });
});

describe('names and ids', () => {
  it('takes a model or a dataset by name wherever it takes its id', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 2}`).join('\n');
    await server.query(CREATE, { input: { name: 'by-name-data', csv: `x,y\n${rows}\n` } });
    const { createModel } = await server.query('mutation { createModel(input: { name: "by-name-model", task: BINARY_CLASSIFICATION, architecture: LOGISTIC_REGRESSION, featureColumns: ["x"], targetColumn: "y" }) { id } }');
    const { startTrainingRun } = await server.query('mutation { startTrainingRun(input: { modelId: "by-name-model", datasetId: "by-name-data", hyperparameters: { epochs: 1 } }) { id model { id } datasetVersion { dataset { name } } } }');
    expect(startTrainingRun.model.id).toBe(createModel.id);
    expect(startTrainingRun.datasetVersion.dataset.name).toBe('by-name-data');
    const { dataset } = await server.query('{ dataset(name: "by-name-data") { name rowCount } }');
    expect(dataset).toEqual({ name: 'by-name-data', rowCount: 60 });
    expect((await server.request('query($id: ID) { dataset(id: $id, name: "by-name-data") { name } }', { id: 'ds_01JZZZZZZZZZZZZZZZZZZZZZZZ' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const controls = await server.query('mutation { setModelControls(input: { modelId: "by-name-model", requiresApproval: false }) { id requiresApproval } }');
    expect(controls.setModelControls).toEqual({ id: createModel.id, requiresApproval: false });
    const runs = await server.query('{ trainingRuns(filter: { modelId: "by-name-model" }) { totalCount } deploymentHistory(modelId: "by-name-model", environment: TEST) { totalCount } }');
    expect(runs).toEqual({ trainingRuns: { totalCount: 1 }, deploymentHistory: { totalCount: 0 } });
    const unknown = await server.request('mutation { startTrainingRun(input: { modelId: "no-such-model", datasetId: "by-name-data" }) { id } }');
    expect(unknown.errors?.[0]).toMatchObject({ message: 'Model "no-such-model" was not found', extensions: { code: 'NOT_FOUND' } });
  });

  it('tells a partner which model it asked for, and for a run of another model, not that model\'s name', async () => {
    const partner = `Bearer ${await server.createKey('PARTNER', ['by-name-model'])}`;
    const { createModel } = await server.query('mutation { createModel(input: { name: "internal-only", task: REGRESSION, architecture: MLP, featureColumns: ["x"], targetColumn: "y" }) { id } }');
    const named = await server.request('{ model(name: "internal-only") { id } }', {}, { authorization: partner });
    expect(named.errors?.[0].message).toBe('this key may not use model "internal-only"');
    const { startTrainingRun } = await server.query('mutation($m: ID!) { startTrainingRun(input: { modelId: $m, datasetId: "by-name-data", hyperparameters: { epochs: 1 } }) { id } }', { m: createModel.id });
    const client = wsClient(server.wsUrl, partner);
    const ws = await wsRequest(client, 'subscription($id: ID!) { trainingRunUpdated(runId: $id) { status } }', { id: startTrainingRun.id });
    await client.dispose();
    expect(ws.errors?.[0].message).toBe(`this key may not use "${startTrainingRun.id}", which does not belong to one of its models`);
    expect(ws.errors?.[0].message).not.toMatch(/internal-only/);
  });
});
