import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../support/server-process';
import { freshDatabase } from '../../support/test-database';
import { TEST_ADMIN_KEY } from '../../support/test-server';
import { until } from '../../support/until';
import { wsClient } from '../../support/ws-client';
import { childPids, createBankDataset, deployedModel, createSlowModel, readyz, runStatus, startRun } from './fixture';
import { randomMs, runTrials, sleep, trialCount } from './trials';

const METRICS = 'subscription($runId: ID!) { trainingMetrics(runId: $runId) { name step value } }';

let server: ServerProcess;
let drop: () => Promise<void>;

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  // No pooled idle child: the one training child of the server is the run's.
  server = await startServerProcess(db.config, { TRAINING_WARM_CHILDREN: '0', TRAINING_CONCURRENCY: '1' });
});
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await drop?.();
});

/** Every point a subscriber of the run sees, until the stream ends. */
function collect(runId: string) {
  const client = wsClient(server.url.replace('http', 'ws'), `Bearer ${TEST_ADMIN_KEY}`);
  const points: { name: string; step: number; value: number }[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    client.subscribe({ query: METRICS, variables: { runId } }, {
      next: (value: any) => { if (value.data) points.push(value.data.trainingMetrics); },
      error: reject,
      complete: resolve,
    });
  });
  return { points, ended, dispose: () => client.dispose() };
}

it('SIGKILL of a training child at a random moment: the run is FAILED with a reason, every point a subscriber saw is stored, the server stays healthy', async () => {
  const datasetId = await createBankDataset(server);
  const modelId = await createSlowModel(server);
  const failures = await runTrials('SIGKILL training child', trialCount(3), async () => {
    const runId = await startRun(server, modelId, datasetId);
    const live = collect(runId);
    try {
      await until(async () => live.points.length, (n) => n > 0, 60_000);
      await sleep(randomMs(0, 2000));
      const [pid] = childPids(server.child.pid!, 'train-process');
      if (!pid) throw new Error('no training child found');
      process.kill(pid, 'SIGKILL');
      const seen = live.points.map((p) => `${p.name}@${p.step}`);
      const failed = await until(() => runStatus(server, runId), (r) => r.status !== 'RUNNING' && r.status !== 'QUEUED', 30_000);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/SIGKILL|signal|killed/i);
      // The stored history, replayed from the start (the stream completes: the run has ended).
      const stored = collect(runId);
      await stored.ended;
      stored.dispose();
      const kept = new Set(stored.points.map((p) => `${p.name}@${p.step}`));
      const lost = seen.filter((key) => !kept.has(key));
      expect(lost, `${lost.length} of ${seen.length} acknowledged points lost`).toEqual([]);
      expect(await readyz(server.url)).toBe(200);
      expect(childPids(server.child.pid!, 'train-process')).toEqual([]);
    } finally {
      live.dispose();
    }
  });
  expect(failures).toEqual([]);
  // Still trains after all that.
  await deployedModel(server, datasetId, 'after-kills', []);
});
