import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase } from '../../support/test-database';
import { startTcpProxy, throughProxy, type TcpProxy } from '../../support/tcp-proxy';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createBankDataset, deployedModel } from './fixture';
import { outageTrial } from './outage';
import { FULL, runTrials, trialCount } from './trials';

// The shared MariaDB serves other test runs: it is never stopped. A proxy in front of it is cut
// instead, which to the server looks the same as the database going away (connections reset,
// new ones refused).
const mysqlUrl = process.env.TEST_MYSQL_URL;
let proxy: TcpProxy;
let server: TestServer;
let drop: () => Promise<void>;

beforeAll(async () => {
  if (!mysqlUrl) return;
  const db = await freshDatabase('mysql');
  drop = db.drop;
  const direct = new URL(db.config.kind === 'mysql' ? db.config.url : '');
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 3306) });
  const url = throughProxy(direct.toString(), proxy);
  server = await startTestServer({ database: { kind: 'mysql', url, database: (db.config as { database: string }).database } });
  const datasetId = await createBankDataset({ request: (q, v) => server.query(q, v) });
  await deployedModel({ request: (q, v) => server.query(q, v) }, datasetId, 'served', ['PRODUCTION']);
});
afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await drop?.();
});

it.skipIf(!mysqlUrl)('MariaDB away for 10 s under traffic: calls fail fast with SERVICE_UNAVAILABLE, /readyz says so, all recovers without a restart', async () => {
  const failures = await runTrials('MariaDB unavailable 10 s under traffic', trialCount(2), () => outageTrial(server.url, proxy, FULL ? 10_000 : Number(process.env.FAULT_OUTAGE_MS ?? 10_000), 'database'));
  expect(failures).toEqual([]);
});
