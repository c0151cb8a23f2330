import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminRequest, killed, startServerProcess, type ServerProcess } from '../../support/server-process';
import { TEST_ADMIN_KEY } from '../../support/test-server';
import { until } from '../../support/until';
import { BANK_CSV, createBankDataset, readyz } from './fixture';
import { runTrials, trialCount } from './trials';

/**
 * The SQLite file on a small tmpfs that the test mounts (as root) and fills with a ballast file.
 * Where mounting is not allowed the test is skipped and says so: RLIMIT_FSIZE (prlimit) is no
 * substitute, as going past it sends SIGXFSZ, which ends a Node process rather than failing a write.
 */
// Each trial stores data for good (what fits before the refusal, and the writes after the space is
// back), so the file system grows with the trials: with a fixed 48 MB, the stored data alone filled it
// from the 12th trial of the full form (20), and freeing the ballast no longer freed anything.
const MOUNT_BYTES = (48 + 8 * trialCount(2)) * 1024 * 1024;
let dir = '';
let mounted = false;
let server: ServerProcess | undefined;

function tryMount(): boolean {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${MOUNT_BYTES}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (error) {
    console.log(`[faults] disk full: cannot mount a tmpfs here (${String(error).split('\n')[0]}); skipped`);
    return false;
  }
}

beforeAll(() => { mounted = tryMount(); });
afterAll(async () => {
  if (server) await killed(server.child);
  if (mounted) execFileSync('umount', ['-l', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Fills the file system until ENOSPC, leaving `leave` bytes unwritten by anyone else. */
function fill(ballast: string): void {
  const chunk = Buffer.alloc(256 * 1024, 1);
  const fd = fs.openSync(ballast, 'w');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  // The last partial chunks too: nothing is left at all.
  try {
    for (;;) fs.appendFileSync(ballast, Buffer.alloc(4096, 1));
  } catch { /* full */ }
}

const BIG_CSV = (() => {
  const [header, ...rows] = BANK_CSV.trim().split('\n');
  return [header, ...Array.from({ length: 4 }, () => rows).flat()].join('\n');
})();
const BIG_ROWS = BIG_CSV.split('\n').length - 1;

const CREATE_MODEL = 'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }';
const modelInput = (name: string) => ({ input: { name, task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: ['Age'], targetColumn: 'Personal Loan' } });

async function raw(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(30_000) });
  return res.json() as Promise<{ data?: any; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] }>;
}

it('a full disk under the SQLite file: writes fail with a clear error, stored data stays intact, writes work again once space is freed', async (context) => {
  if (!mounted) return context.skip();
  const file = path.join(dir, 'aimass.sqlite');
  server = await startServerProcess({ kind: 'sqlite', file }, { TRAINING_WARM_CHILDREN: '0' });
  const url = server.url;
  await createBankDataset(server);
  const ballast = path.join(dir, 'ballast');
  const failures = await runTrials('full disk under the SQLite file (tmpfs)', trialCount(2), async (trial) => {
    const before = await adminRequest(url, '{ datasets(first: 50) { totalCount } models(first: 50) { totalCount } }');
    fill(ballast);
    try {
      // Ingests until one is refused (free pages inside the database file may take the first):
      // each is either stored whole or refused saying why.
      let refused: Awaited<ReturnType<typeof raw>> | null = null;
      // (The WAL file keeps its size after a checkpoint, so earlier trials leave room inside it.)
      for (let attempt = 0; attempt < 20 && !refused; attempt++) {
        const answer = await raw(url, 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id versions(first: 1) { edges { node { rowCount } } } } }', { input: { name: `full-${trial}-${attempt}`, csv: BIG_CSV } });
        if (answer.errors) refused = answer;
        else expect(answer.data.createDataset.versions.edges[0].node.rowCount).toBe(BIG_ROWS);
      }
      expect(refused?.errors?.[0]?.extensions, 'an ingest on a full disk').toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(refused?.errors?.[0]?.message).toMatch(/disk is full|could not write/);
      // A small write may still fit in the file's free pages: it is stored, or refused the same way.
      const model = await raw(url, CREATE_MODEL, modelInput(`full-${trial}`));
      if (model.errors) expect(model.errors[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      const stored = await adminRequest(url, '{ models(first: 50) { totalCount edges { node { name } } } }');
      // (Before the fix in Database.transaction, a model answered as created in the previous
      // trial was missing here: written inside a transaction that TypeORM never ended.)
      expect(stored.models.totalCount, `${JSON.stringify(model)} then ${JSON.stringify(stored)} after ${JSON.stringify(before)}`).toBe(before.models.totalCount + (model.errors ? 0 : 1));
      // Reads still answer.
      expect((await fetch(url.replace('/graphql', '/healthz'))).status).toBe(200);
    } finally {
      fs.rmSync(ballast, { force: true });
    }
    // Space back: writes work again without a restart.
    await until(() => raw(url, CREATE_MODEL, modelInput(`after-${trial}`)), (answer) => !answer.errors, 15_000);
    const { createDataset } = await adminRequest(url, 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id versions(first: 1) { edges { node { rowCount } } } } }', { input: { name: `after-${trial}`, csv: BANK_CSV } });
    expect(createDataset.versions.edges[0].node.rowCount).toBe(5000);
    expect(await readyz(url)).toBe(200);
  });
  await killed(server.child);
  server = undefined;
  // The file is sound after all that (a second connection, read-only, as an operator would check).
  const check = new Sqlite(file, { readonly: true });
  expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
  check.close();
  expect(failures).toEqual([]);
});
