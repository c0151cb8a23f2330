import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, DEPLOY, creditCsv, creditRows, featuresOf, trainVersion } from '../support/serving';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { killed, startServerProcess, type ServerProcess } from '../support/server-process';
import { freshDatabase } from '../support/test-database';

let server: TestServer;
let base: string;
let dir: string;
const ROWS = 100_000;
const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

/** id, amount (negative numbers too), grade, and a note that is sometimes a formula or text starting with + or @. */
function bigCsv(): string {
  const notes = ['ok', '=SUM(A1:A9)', '+1 call back', '@home', '-minus', 'plain, with comma', 'say "hi"'];
  const lines = ['id,amount,grade,note'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${((i % 2000) - 1000) / 4},${'ABCDE'[i % 5]},"${notes[i % notes.length].replace(/"/g, '""')}"`);
  return lines.join('\n') + '\n';
}

const parseCsv = (text: string): string[][] => parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false });

/** A process's resident memory, from /proc (the server measured is another process: the test's own allocations do not count). */
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

async function download(url: string, headers: Record<string, string> = admin, options: { origin?: string; pid?: number } = {}): Promise<{ status: number; peakRssGrowthMb: number; text: string; bytes: Buffer; body: any }> {
  const file = path.join(dir, 'download.csv');
  const rss = () => (options.pid ? rssOf(options.pid) : process.memoryUsage().rss);
  const rssBefore = rss();
  let peak = rssBefore;
  const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 10);
  try {
    const res = await fetch(`${options.origin ?? base}${url}`, { headers });
    if (res.status !== 200) return { status: res.status, peakRssGrowthMb: 0, text: '', bytes: Buffer.alloc(0), body: await res.json() };
    await pipeline(Readable.fromWeb(res.body as never), fs.createWriteStream(file));
    const bytes = fs.readFileSync(file);
    return { status: 200, peakRssGrowthMb: (peak - rssBefore) / 1024 / 1024, text: bytes.toString('utf8'), bytes, body: null };
  } finally {
    clearInterval(sampler);
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-exports-'));
  fs.writeFileSync(path.join(dir, 'big.csv'), bigCsv());
  server = await startTestServer({ env: { DATASET_IMPORT_DIR: dir, PREDICTION_LOG_FLUSH_MS: '20' } });
  base = server.url.replace(/\/graphql$/, '');
}, 120_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('dataset exports', () => {
  let exportUrl: string;
  let original: string[][];
  let proc: ServerProcess;
  let origin: string;
  let drop: () => Promise<void>;

  // A server in a process of its own, so its memory is measured alone.
  beforeAll(async () => {
    const database = await freshDatabase();
    drop = database.drop;
    proc = await startServerProcess(database.config, { DATASET_IMPORT_DIR: dir });
    origin = new URL(proc.url).origin;
    const { createDataset } = await proc.request('mutation { createDataset(input: { name: "big", path: "big.csv" }) { id } }');
    ({ dataset: { version: { exportUrl } } } = await proc.request('query($id: ID!) { dataset(id: $id) { version(version: 1) { exportUrl } } }', { id: createDataset.id }));
    original = parseCsv(fs.readFileSync(path.join(dir, 'big.csv'), 'utf8'));
  }, 120_000);
  afterAll(async () => {
    if (proc) await killed(proc.child);
    await drop?.();
  });

  it('streams a 100,000-row version equal to the imported file row for row, without the memory growing with it', async () => {
    expect(exportUrl).toMatch(/^\/exports\/datasets\/ds_\w+\/versions\/1\.csv$/);
    // Once unmeasured: the first export also loads the CSV writer and warms the heap up (30–40 MB seen), a cost paid once, not per row.
    await download(`${exportUrl}?formulaEscape=false`, admin, { origin });
    const raw = await download(`${exportUrl}?formulaEscape=false`, admin, { origin, pid: proc.child.pid });
    expect(raw.status).toBe(200);
    const rows = parseCsv(raw.text);
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows).toEqual(original);
    // The file is about 3 MB; a buffered export would hold it several times over.
    console.log(`export of ${ROWS} rows: peak RSS growth ${raw.peakRssGrowthMb.toFixed(1)} MB`);
    expect(raw.peakRssGrowthMb).toBeLessThan(50);
  }, 120_000);

  it('streams the same version as Parquet, typed, read back equal by an independent reader', async () => {
    const parquet = await download(exportUrl.replace(/\.csv$/, '.parquet'), admin, { origin, pid: proc.child.pid });
    expect(parquet.status).toBe(200);
    console.log(`parquet export of ${ROWS} rows: ${(parquet.bytes.length / 1e6).toFixed(1)} MB, peak RSS growth ${parquet.peakRssGrowthMb.toFixed(1)} MB`);
    expect(parquet.peakRssGrowthMb).toBeLessThan(50);
    const file = parquet.bytes.buffer.slice(parquet.bytes.byteOffset, parquet.bytes.byteOffset + parquet.bytes.byteLength);
    const rows = await parquetReadObjects({ file }) as { id: number; amount: number; grade: string; note: string }[];
    expect(rows).toHaveLength(ROWS);
    rows.forEach((row, i) => {
      const [id, amount, grade, note] = original[i + 1];
      expect([row.id, row.amount, row.grade, row.note]).toEqual([Number(id), Number(amount), grade, note]);
    });
  }, 120_000);

  it('escapes cells a spreadsheet would run as formulas by default, leaving numbers alone', async () => {
    const rows = parseCsv((await download(exportUrl, admin, { origin })).text);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byId.get('1')![3]).toBe('\'=SUM(A1:A9)');
    expect(byId.get('2')![3]).toBe('\'+1 call back');
    expect(byId.get('3')![3]).toBe('\'@home');
    expect(byId.get('4')![3]).toBe('\'-minus');
    expect(byId.get('5')![3]).toBe('plain, with comma');
    expect(byId.get('6')![3]).toBe('say "hi"');
    expect(byId.get('0')![1]).toBe('-250'); // a negative number stays a number
    expect(rows.slice(1).every((r, i) => r[1] === original[i + 1][1])).toBe(true);
  }, 120_000);

  it('is refused without a key, to a PARTNER, for an unknown dataset or file, and audited', async () => {
    const { createDataset } = await server.query('mutation { createDataset(input: { name: "small-export", csv: "a,b\\n1,2\\n" }) { id } }');
    const { dataset: { version: { exportUrl } } } = await server.query('query($id: ID!) { dataset(id: $id) { version(version: 1) { exportUrl } } }', { id: createDataset.id });
    expect((await download(exportUrl, {})).status).toBe(401);
    expect((await download(exportUrl)).text).toBe('a,b\n1,2\n');
    const { createModel: scope } = await server.query('mutation { createModel(input: { name: "export-scope", task: REGRESSION, architecture: LINEAR_REGRESSION, featureColumns: ["a"], targetColumn: "b" }) { id } }');
    const partner = `Bearer ${await server.createKey('PARTNER', [scope.id])}`;
    const refused = await download(exportUrl, { authorization: partner });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await download('/exports/datasets/ds_01JZZZZZZZZZZZZZZZZZZZZZZZ/versions/1.csv')).status).toBe(404);
    expect((await download(exportUrl.replace('1.csv', '1.xlsx'))).status).toBe(400);
    expect((await download(exportUrl.replace('1.csv', '9.csv'))).status).toBe(404);
    const { auditLog } = await server.query('{ auditLog(first: 50, filter: { operation: "exportDatasetVersion" }) { edges { node { outcome arguments actorRole } } } }');
    const outcomes = auditLog.edges.map((e: any) => e.node.outcome);
    expect(outcomes).toContain('OK');
    expect(outcomes).toContain('FORBIDDEN');
    expect(auditLog.edges.find((e: any) => e.node.outcome === 'OK').node.arguments).toMatchObject({ datasetId: createDataset.id, version: 1, rows: 1 });
  }, 60_000);
});

describe('prediction exports', () => {
  it('streams a model\'s prediction log, scoped for partners', async () => {
    const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit-export", csv: $csv }) { id } }', { csv: creditCsv() });
    const { createModel } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id predictionsExportUrl } }', {
      input: { name: 'credit-export', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: CREDIT_FEATURES, targetColumn: 'RESPONSE' },
    });
    const versionId = await trainVersion(server, createModel.id, createDataset.id, 1);
    await server.query(DEPLOY, { input: { modelVersionId: versionId, environment: 'TEST' } });
    const rows = creditRows().slice(0, 30).map(featuresOf);
    const { predict } = await server.query('mutation($rows: [JSONObject!]!) { predict(input: { model: "credit-export", environment: TEST, rows: $rows }) { predictions { value } } }', { rows });
    await server.services.predictionLog.flush();
    expect(createModel.predictionsExportUrl).toBe(`/exports/predictions.csv?model=${createModel.id}`);

    const exported = parseCsv((await download(`${createModel.predictionsExportUrl}&environment=TEST`)).text);
    expect(exported[0]).toEqual(['id', 'created_at', 'model_version_id', 'environment', 'route', 'latency_ms', 'request_id', 'value', 'label', 'inputs', 'outputs']);
    expect(exported).toHaveLength(31);
    expect(exported.slice(1).map((r) => Number(r[7]))).toEqual(predict.predictions.map((p: any) => p.value));
    expect(JSON.parse(exported[1][9])).toMatchObject(rows[0]);
    expect(exported.slice(1).every((r) => r[2] === versionId && r[3] === 'TEST')).toBe(true);
    const later = parseCsv((await download(`${createModel.predictionsExportUrl}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).text);
    expect(later).toHaveLength(1);
    const parquet = (await download(createModel.predictionsExportUrl.replace('.csv', '.parquet'))).bytes;
    const logged = await parquetReadObjects({ file: parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.byteLength) }) as { id: string; value: number; latency_ms: number }[];
    expect(logged.map((r) => r.id)).toEqual(exported.slice(1).map((r) => r[0]));
    expect(logged.map((r) => r.value)).toEqual(predict.predictions.map((p: any) => p.value));

    const partner = (scope: string[]) => server.createKey('PARTNER', scope).then((key) => ({ authorization: `Bearer ${key}` }));
    expect((await download(createModel.predictionsExportUrl, await partner([createModel.id]))).status).toBe(200);
    const { createModel: other } = await server.query('mutation { createModel(input: { name: "export-other", task: REGRESSION, architecture: LINEAR_REGRESSION, featureColumns: ["AGE"], targetColumn: "AMOUNT" }) { id } }');
    expect((await download(createModel.predictionsExportUrl, await partner([other.id]))).status).toBe(403);
    expect((await download('/exports/predictions.csv')).status).toBe(400);
    expect((await download(`${createModel.predictionsExportUrl}&from=yesterday`)).status).toBe(400);
  }, 60_000);
});
