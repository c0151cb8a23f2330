import fs from 'node:fs';
import path from 'node:path';
import { benchApiThroughput } from './api-throughput';
import { benchIngest } from './ingest';
import { benchSecurityOverhead } from './security-overhead';

/** `npm run bench`: every benchmark, figures and ratios measured side by side in one run. */
async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const only = process.argv[2];
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  if (!only || only === 'api') {
    console.log(`== API throughput and SQL statements (autocannon, ${seconds}s per run, 16 connections)`);
    results.api = await benchApiThroughput(seconds);
    console.log(JSON.stringify(results.api, null, 2));
  }
  if (!only || only === 'security') {
    console.log(`== Security overhead: nested models query, keys + limits + audit on vs off (${seconds}s per run)`);
    results.security = await benchSecurityOverhead(seconds);
    console.log(JSON.stringify(results.security, null, 2));
  }
  if (!only || only === 'ingest') {
    console.log('== CSV ingest (UniversalBank.csv repeated, SQLite, streamed from a file)');
    results.ingest = benchIngest();
    console.log(JSON.stringify(results.ingest, null, 2));
  }
  const out = path.resolve(__dirname, '../../bench/results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify(results, null, 2));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
