import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase } from '../../support/test-database';
import { startTcpProxy, throughProxy, type TcpProxy } from '../../support/tcp-proxy';
import { startTestServer, type TestServer } from '../../support/test-server';
import { until } from '../../support/until';
import { wsClient } from '../../support/ws-client';
import { createBankDataset, createSlowModel, deployedModel, runStatus, startRun } from './fixture';
import { outageTrial } from './outage';
import { FULL, runTrials, trialCount } from './trials';

// The scaled form (events and jobs over Redis; MariaDB when TEST_MYSQL_URL names one). The shared
// Redis is never stopped: a proxy in front of it is cut instead.
const redisUrl = process.env.TEST_REDIS_URL;
const mysqlUrl = process.env.TEST_MYSQL_URL;
let proxy: TcpProxy;
let server: TestServer;
let drop: () => Promise<void>;
const requester = () => ({ request: (q: string, v?: Record<string, unknown>) => server.query(q, v) });

beforeAll(async () => {
  if (!redisUrl) return;
  const db = await freshDatabase(mysqlUrl ? 'mysql' : 'sqlite');
  drop = db.drop;
  const direct = new URL(redisUrl);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 6379) });
  server = await startTestServer({ database: db.config, env: { REDIS_URL: throughProxy(redisUrl, proxy), REDIS_PREFIX: `faults-${randomBytes(4).toString('hex')}`, TRAINING_WARM_CHILDREN: '0' } });
  const datasetId = await createBankDataset(requester());
  await deployedModel(requester(), datasetId, 'served', ['PRODUCTION']);
});
afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await drop?.();
});

const METRICS = 'subscription($runId: ID!, $since: Int) { trainingMetrics(runId: $runId, sinceStep: $since) { name step } }';

/**
 * A subscriber that follows a run's metrics through an outage: when its stream errors or the
 * socket drops, it subscribes again with the last step it saw, as the API's contract says.
 */
function follower(runId: string) {
  const seen = new Map<string, number>();
  let lastStep: number | undefined;
  let resumes = 0;
  let ended = false;
  const reasons: unknown[] = [];
  const client = wsClient(server.wsUrl, server.adminAuth);
  const subscribe = (): void => {
    client.subscribe({ query: METRICS, variables: { runId, since: lastStep } }, {
      next: (value: any) => {
        const point = value.data?.trainingMetrics;
        if (!point) return;
        const key = `${point.name}@${point.step}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        lastStep = Math.max(lastStep ?? -1, point.step);
      },
      error: (error: unknown) => {
        reasons.push(...(Array.isArray(error) ? error.map((e) => e.extensions?.reason ?? e.extensions?.code ?? e.message) : [String(error)]));
        resumes += 1;
        setTimeout(subscribe, 500);
      },
      complete: () => { ended = true; },
    });
  };
  subscribe();
  return { seen, reasons, get resumes() { return resumes; }, get ended() { return ended; }, dispose: () => client.dispose() };
}

it.skipIf(!redisUrl)('Redis away for 10 s in the scaled form: calls fail fast or succeed, /readyz says so, subscribers resume with sinceStep with no gap', async () => {
  const datasetId = (await server.query('{ dataset(name: "bank") { id } }')).dataset.id;
  const slowId = await createSlowModel(requester(), 'slow-redis');
  const failures = await runTrials('Redis unavailable 10 s (scaled form)', trialCount(2), async () => {
    const runId = await startRun(requester(), slowId, datasetId);
    const follow = follower(runId);
    try {
      await until(async () => follow.seen.size, (n) => n > 0, 60_000);
      await outageTrial(server.url, proxy, FULL ? 10_000 : Number(process.env.FAULT_OUTAGE_MS ?? 10_000), 'redis');
      // The run goes on after the outage; cancelled, its stream completes, and the subscriber
      // has then seen every stored point once.
      await server.query('mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', { id: runId });
      await until(() => runStatus(requester(), runId), (r) => r.status !== 'RUNNING' && r.status !== 'QUEUED', 30_000);
      await until(async () => follow.ended, Boolean, 30_000);
      const stored = follower(runId);
      await until(async () => stored.ended, Boolean, 30_000);
      stored.dispose();
      const missing = [...stored.seen.keys()].filter((key) => !follow.seen.has(key));
      const twice = [...follow.seen].filter(([, n]) => n > 1).map(([key]) => key);
      console.log(`[faults] redis trial: ${stored.seen.size} points stored, follower resumed ${follow.resumes} times`);
      expect(missing, 'stored points the follower never got').toEqual([]);
      expect(twice, 'points the follower got twice').toEqual([]);
      // The only way the outage reaches the follower: told that events were missed, with a code.
      expect(new Set(follow.reasons), 'why the follower\'s stream ended').toEqual(new Set(['STREAM_INTERRUPTED']));
    } finally {
      follow.dispose();
    }
  });
  expect(failures).toEqual([]);
});
