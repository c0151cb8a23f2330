import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ScaleBareSpec } from './scale-bare';
import { BENCH_AUTH, BENCH_KEY_ENV } from './api-throughput';
import { gql, wsClient } from './lib/graphql-client';
import { startChildServer } from './lib/child-server';
import { syntheticBinaryLines, syntheticFeatureNames, round, SYNTHETIC_TARGET } from './lib/training-data';
import { followApiRun, median } from './lib/training-run';
import { encodeCursor } from '../src/engines/db/pagination';

const run = promisify(execFile);

/**
 * How cost grows with the data: the synthetic 20-feature binary CSV at 100k, 500k, 1M and 5M rows
 * (BENCH_QUICK=1 stops at 1M; BENCH_SCALE_ROWS=100000,1000000 picks sizes), each size against a
 * fresh server (SQLite, TRAINING_WARM_CHILDREN=0 so the run's child is the server's only child):
 * ingest with createDataset(path:), a first, middle and last page of rows, the CSV export, and an
 * MLP 64-64-1 run of 2 epochs (batch 256) beside bench/scale-bare.js fitting the same typed arrays,
 * alternating over BENCH_SCALE_ROUNDS rounds (3 up to 1M rows, 1 above). Peak RSS of the API
 * process (VmHWM, reset before each phase) and of the training child (VmHWM, polled).
 * BENCH_SCALE_BEFORE_DIST=<another build's dist> runs the same with that build's server as a
 * second side, each size's sides one after the other; BENCH_SCALE_SIDES=before|after picks one.
 */
export async function benchScale() {
  const quick = process.env.BENCH_QUICK === '1';
  const sizes = process.env.BENCH_SCALE_ROWS ? process.env.BENCH_SCALE_ROWS.split(',').map(Number) : quick ? [100_000, 500_000, 1_000_000] : [100_000, 500_000, 1_000_000, 5_000_000];
  const dir = process.env.BENCH_SCALE_DIR ?? path.join(os.tmpdir(), 'aimass-bench-scale');
  fs.mkdirSync(dir, { recursive: true });
  const all = [{ name: 'after', dist: path.resolve(__dirname, '..') }];
  if (process.env.BENCH_SCALE_BEFORE_DIST) all.push({ name: 'before', dist: path.resolve(process.env.BENCH_SCALE_BEFORE_DIST) });
  // BENCH_SCALE_SIDES=before (or after) runs one side only, e.g. the before side on fewer sizes.
  const sides = all.filter((side) => !process.env.BENCH_SCALE_SIDES || process.env.BENCH_SCALE_SIDES.split(',').includes(side.name));
  const settings = { dataSeed: 20251129, seed: 42, epochs: Number(process.env.BENCH_SCALE_EPOCHS ?? 2), batchSize: 256, hiddenUnits: [64, 64], learningRate: 0.001, split: { validation: 0.15, test: 0.2 } };
  const curve: unknown[] = [];
  for (const rows of sizes) {
    const file = await syntheticFile(dir, rows, settings.dataSeed);
    // BENCH_SCALE_ROUNDS: one number for every size, or one per size (e.g. 1,1,3,1).
    const roundsBySize = process.env.BENCH_SCALE_ROUNDS?.split(',').map(Number);
    const rounds = roundsBySize ? roundsBySize[Math.min(sizes.indexOf(rows), roundsBySize.length - 1)] : rows > 1_000_000 ? 1 : 3;
    for (const side of sides) {
      const result = await measureSize(side, dir, file, rows, rounds, settings);
      console.log(JSON.stringify(result));
      curve.push(result);
    }
  }
  return { setup: { ...settings, hidden: '64-64-1', loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)), cpus: os.cpus().length }, goals: 'API RSS growth while training 1M rows <= 200 MB; epoch <= 1.2x bare; 5M ingests, pages, exports and trains', curve };
}

type Settings = { dataSeed: number; seed: number; epochs: number; batchSize: number; hiddenUnits: number[]; learningRate: number; split: { validation: number; test: number } };

async function measureSize(side: { name: string; dist: string }, dir: string, file: string, rows: number, rounds: number, settings: Settings) {
  const database = path.join(dir, `scale-${side.name}-${rows}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(database + suffix, { force: true });
  const server = await startChildServer(path.join(side.dist, 'src/main.js'), {
    PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${database}`, ...BENCH_KEY_ENV,
    DATASET_IMPORT_DIR: dir, TRAINING_WARM_CHILDREN: '0', TRAINING_MAX_MEMORY_MB: process.env.BENCH_SCALE_CHILD_MB ?? '12000', TRAINING_TIMEOUT_SECONDS: '14400',
  });
  server.process.stdout!.resume();
  const url = server.url.replace('//localhost:', '//127.0.0.1:');
  const pid = server.process.pid!;
  try {
    const idleRssMb = rssMb(pid);
    resetPeak(pid);
    const ingestStart = performance.now();
    const created = await postWithoutTimeout(url, 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id rowCount } }', { input: { name: `scale-${rows}`, path: path.basename(file) } });
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    const ingestPeakMb = peakMb(pid);
    const datasetId = created.createDataset.id as string;
    if (created.createDataset.rowCount !== rows) throw new Error(`ingested ${created.createDataset.rowCount} rows, expected ${rows}`);

    progress({ rows, ingestSeconds: round(ingestSeconds), ingestPeakRssMb: round(ingestPeakMb, 0) });
    const pages = await timePages(url, datasetId, rows);
    progress({ rows, pageSeconds: pages });

    const model = await gql(url, 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', {
      input: { name: `scale-${rows}`, task: 'BINARY_CLASSIFICATION', architecture: 'MLP', featureColumns: syntheticFeatureNames(), targetColumn: SYNTHETIC_TARGET, hyperparameters: { epochs: settings.epochs, batchSize: settings.batchSize, hiddenUnits: settings.hiddenUnits, learningRate: settings.learningRate, patience: 0 } },
    });
    const bareSpec: ScaleBareSpec = { file, rows, seed: settings.seed, epochs: settings.epochs, batchSize: settings.batchSize, hiddenUnits: settings.hiddenUnits, learningRate: settings.learningRate, split: settings.split, backend: (process.env.TFJS_BACKEND as ScaleBareSpec['backend']) || null };
    const api: { epochSeconds: number[]; apiRssBeforeMb: number; apiPeakMb: number; childPeakMb: number; seconds: number; toChildReadySeconds: number }[] = [];
    const bare: { epochSeconds: number[]; peakRssMb: number; prepareSeconds: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const step of round % 2 === 0 ? ['api', 'bare'] : ['bare', 'api']) {
        if (step === 'bare') {
          if (process.env.BENCH_SCALE_BARE === '0') continue;
          const { stdout } = await run(process.execPath, [path.join(__dirname, 'scale-bare.js'), JSON.stringify(bareSpec)], { maxBuffer: 16 * 2 ** 20, timeout: 4 * 3600_000 });
          bare.push(JSON.parse(stdout.trim().split('\n').pop()!));
          continue;
        }
        api.push(await timeApiRun(url, pid, model.createModel.id as string, datasetId, settings));
        progress({ rows, api: api[api.length - 1] });
      }
    }
    resetPeak(pid);
    const exported = await timeExport(url, datasetId);
    const exportPeakMb = peakMb(pid);
    if (exported.lines !== rows + 1) throw new Error(`export gave ${exported.lines} lines, expected ${rows + 1}`);
    // The second epoch of each run: the first also holds building the tensors.
    const lastEpoch = (seconds: number[]) => seconds[seconds.length - 1];
    const ratios = bare.length ? api.map((a, i) => lastEpoch(a.epochSeconds) / lastEpoch(bare[i].epochSeconds)) : [NaN];
    return {
      side: side.name, rows, rounds, load: os.loadavg().map((l) => round(l, 2)),
      ingestSeconds: round(ingestSeconds), ingestRowsPerSecond: Math.round(rows / ingestSeconds), idleRssMb: round(idleRssMb, 0), ingestPeakRssMb: round(ingestPeakMb, 0),
      pageSeconds: pages, exportSeconds: round(exported.seconds), exportMb: round(exported.bytes / 2 ** 20, 0), exportPeakRssMb: round(exportPeakMb, 0),
      apiEpochSeconds: api.map((a) => a.epochSeconds.map((s) => round(s))),
      bareEpochSeconds: bare.map((b) => b.epochSeconds.map((s) => round(s))),
      epochRatio: { median: round(median(ratios)), spread: [round(Math.min(...ratios)), round(Math.max(...ratios))] },
      runSeconds: api.map((a) => round(a.seconds)), toChildReadySeconds: api.map((a) => round(a.toChildReadySeconds)),
      apiRssBeforeRunMb: api.map((a) => round(a.apiRssBeforeMb, 0)), apiPeakRssDuringRunMb: api.map((a) => round(a.apiPeakMb, 0)),
      apiRssGrowthMb: round(median(api.map((a) => a.apiPeakMb - a.apiRssBeforeMb)), 0),
      childPeakRssMb: api.map((a) => round(a.childPeakMb, 0)), barePeakRssMb: bare.map((b) => round(b.peakRssMb, 0)),
    };
  } finally {
    await new Promise<void>((done) => {
      const timer = setTimeout(() => server.process.kill('SIGKILL'), 8000);
      server.process.once('exit', () => { clearTimeout(timer); done(); });
      server.process.kill('SIGTERM');
    });
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(database + suffix, { force: true });
  }
}

/** A phase's figures as soon as it ends (a 5M-row size runs for a long time). */
const progress = (figures: Record<string, unknown>) => console.log(`[scale] ${JSON.stringify(figures)}`);

/** A GraphQL POST without fetch's 300 s headers timeout: ingesting millions of rows on a loaded machine takes longer. */
function postWithoutTimeout(url: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...BENCH_AUTH } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (part) => { text += part; });
      res.on('end', () => {
        const parsed = JSON.parse(text);
        if (parsed.errors?.length || !parsed.data) reject(new Error(`GraphQL error (${res.statusCode}): ${text.slice(0, 500)}`));
        else resolve(parsed.data);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function timeApiRun(url: string, pid: number, modelId: string, datasetId: string, settings: Settings) {
  const apiRssBeforeMb = rssMb(pid);
  resetPeak(pid);
  let childPeakMb = 0;
  const poll = setInterval(() => { for (const child of childrenOf(pid)) childPeakMb = Math.max(childPeakMb, statusMb(child, 'VmHWM')); }, 100);
  const client = wsClient(url);
  try {
    const timing = await followApiRun(url, client, { modelId, datasetId, seed: settings.seed, batchMetrics: false, epochs: settings.epochs });
    const loss = timing.points.filter((p) => p.name === 'loss').sort((a, b) => a.epoch - b.epoch);
    // Epoch 1 from the backend's report (child ready, rows received) to its loss point; then between loss points.
    const epochSeconds = loss.map((p, i) => (i === 0 ? timing.toFirstEpochSeconds - timing.toChildReadySeconds : (p.timestamp - loss[i - 1].timestamp) / 1000));
    return { epochSeconds, apiRssBeforeMb, apiPeakMb: peakMb(pid), childPeakMb, seconds: timing.seconds, toChildReadySeconds: timing.toChildReadySeconds };
  } finally {
    clearInterval(poll);
    await client.dispose();
  }
}

async function timePages(url: string, datasetId: string, rows: number) {
  const query = 'query($id: ID!, $after: String) { dataset(id: $id) { rows(first: 100, after: $after) { edges { node { index values } } pageInfo { hasNextPage } } } }';
  const at = async (start: number) => {
    const started = performance.now();
    const page = await gql(url, query, { id: datasetId, after: start === 0 ? null : encodeCursor([start - 1]) });
    if (page.dataset.rows.edges[0].node.index !== start) throw new Error(`page at ${start} began at ${page.dataset.rows.edges[0].node.index}`);
    return round((performance.now() - started) / 1000);
  };
  return { first: await at(0), middle: await at(Math.floor(rows / 2)), last: await at(rows - 100) };
}

async function timeExport(url: string, datasetId: string) {
  const info = await gql(url, 'query($id: ID!) { dataset(id: $id) { latest { exportUrl } } }', { id: datasetId });
  const started = performance.now();
  const res = await fetch(new URL(info.dataset.latest.exportUrl, url), { headers: BENCH_AUTH });
  if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`);
  let bytes = 0;
  let lines = 0;
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += part.length;
    for (let i = 0; i < part.length; i++) if (part[i] === 10) lines++;
  }
  return { seconds: (performance.now() - started) / 1000, bytes, lines };
}

/** The synthetic CSV of `rows` rows under `dir`, written once and reused by later runs. */
async function syntheticFile(dir: string, rows: number, seed: number): Promise<string> {
  const file = path.join(dir, `synthetic-${rows}-${seed}.csv`);
  if (fs.existsSync(file)) return file;
  const partial = `${file}.partial`;
  const out = fs.createWriteStream(partial);
  let buffer: string[] = [];
  for (const line of syntheticBinaryLines(rows, seed)) {
    buffer.push(line);
    if (buffer.length === 10_000) {
      if (!out.write(buffer.join('\n') + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = [];
    }
  }
  if (buffer.length) out.write(buffer.join('\n') + '\n');
  await new Promise<void>((resolve) => out.end(() => resolve()));
  fs.renameSync(partial, file);
  return file;
}

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const rssMb = (pid: number) => statusMb(pid, 'VmRSS');
const peakMb = (pid: number) => statusMb(pid, 'VmHWM');
/** Resets the process's VmHWM to its current RSS, so the next read is the peak of what follows. */
const resetPeak = (pid: number) => fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
