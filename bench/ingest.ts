import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Ingest rate of UniversalBank.csv repeated to 100k and 500k rows, each in its own process. */
export function benchIngest() {
  const run = (rows: number) => JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'ingest-child.js'), String(rows)], { encoding: 'utf8' }).trim().split('\n').pop()!);
  const small = run(100_000);
  const large = run(500_000);
  return { small, large, peakHeapRatio500kVs100k: large.peakHeapMb / small.peakHeapMb };
}
