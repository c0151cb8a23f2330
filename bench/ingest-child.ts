import 'reflect-metadata';
import { scratchServices } from './lib/fixtures';
import fs from 'node:fs';
import path from 'node:path';
import { DatasetKind } from '../src/modules/datasets/dataset.entity';

/**
 * One ingest in a fresh process, so its peak RSS is its own: writes UniversalBank.csv repeated
 * to `rows` rows into a file, then streams it in with createDataset({ path }).
 */
async function main() {
  const rows = Number(process.argv[2]);
  const source = fs.readFileSync(path.resolve(__dirname, '../../test/fixtures/data/UniversalBank.csv'), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const { services, file, close } = await scratchServices('ingest');
  const csvFile = path.join(path.dirname(file), 'input.csv');
  const out = fs.createWriteStream(csvFile);
  out.write(source[0] + '\n');
  const body = source.slice(1).join('\n') + '\n';
  for (let written = 0; written < rows; written += source.length - 1) out.write(body);
  await new Promise((resolve) => out.end(resolve));
  const bytes = fs.statSync(csvFile).size;
  const rssBefore = process.memoryUsage().rss;
  // The JS heap shows whether memory follows file size; RSS also holds SQLite's and malloc's pages.
  let peakHeap = 0;
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); }, 10);
  const started = process.hrtime.bigint();
  const dataset = await services.datasets.create({ name: 'bank', kind: DatasetKind.STATIC, path: 'input.csv' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const version = await services.datasets.version(dataset.id);
  await close();
  console.log(JSON.stringify({ rows: version.rowCount, bytes, seconds, rowsPerSecond: version.rowCount / seconds, peakHeapMb: peakHeap / 2 ** 20, rssBeforeMb: rssBefore / 2 ** 20, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}
void main();
