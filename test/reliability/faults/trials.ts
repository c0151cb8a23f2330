import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** RELIABILITY=full runs every fault 20 times; the short form (in `npm test`) a few times. */
export const FULL = process.env.RELIABILITY === 'full';

export const trialCount = (short = 2) => Number(process.env.FAULT_TRIALS ?? (FULL ? 20 : short));

/** A random moment in [min, max) ms, so each trial hits the work at a different point. */
export const randomMs = (min: number, max: number) => Math.floor(min + Math.random() * (max - min));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where each fault's tally goes, one JSON line per fault, for docs/reliability.md's table. */
export const TALLY_FILE = process.env.FAULT_TALLY ?? path.join(os.tmpdir(), 'aimass-fault-tally.jsonl');

/**
 * Runs `trial` `count` times and returns the failures; a trial that throws did not survive. All
 * trials run even after a failure, so the tally says how many of them survived, and each
 * failure's message is kept for the report.
 */
export async function runTrials(fault: string, count: number, trial: (index: number) => Promise<void>): Promise<string[]> {
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    try {
      await trial(i);
    } catch (error) {
      failures.push(`trial ${i + 1}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000));
    }
  }
  const line = { fault, trials: count, survived: count - failures.length, form: FULL ? 'full' : 'short', at: new Date().toISOString(), failures: failures.map((f) => f.slice(0, 300)) };
  fs.appendFileSync(TALLY_FILE, `${JSON.stringify(line)}\n`);
  console.log(`[faults] ${fault}: ${line.survived}/${count} survived${failures.length ? `\n  ${failures.join('\n  ')}` : ''}`);
  return failures;
}
