import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

// Two instances with snapshots every second: one process evaluates alert rules (the scheduler
// lease), every process publishes its own snapshots, labelled.
let a: TestServer;
let b: TestServer;
const env = { HEALTH_INTERVAL_SECONDS: '1', SCHEDULER_LEASE_SECONDS: '2' };

beforeAll(async () => {
  a = await startTestServer({ env, redisPrefix: `sched-${randomBytes(4).toString('hex')}` });
  b = await startTestServer({ env, database: a.services.config.database, redisPrefix: a.services.config.redis!.prefix });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const holders = () => [a, b].filter((s) => s.services.schedulerLease.held);
const alertsOf = (server: TestServer, ruleId: string) => server.query('query($rule: ID) { alerts(filter: { ruleId: $rule }) { totalCount } }', { rule: ruleId }).then((d) => d.alerts.totalCount as number);

describe('one scheduler', () => {
  it('publishes every instance\'s snapshots to subscribers on any instance, each labelled with its instance', async () => {
    const client = wsClient(a.wsUrl, a.adminAuth);
    try {
      const instances = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        client.subscribe({ query: 'subscription { healthSnapshots { instance } }' }, {
          next: ({ data, errors }: any) => {
            if (errors) return reject(new Error(JSON.stringify(errors)));
            instances.add(data.healthSnapshots.instance);
            if (instances.size === 2) resolve();
          },
          error: reject, complete: () => {},
        });
      });
      expect([...instances].sort()).toEqual([a.services.instanceId, b.services.instanceId].sort());
    } finally {
      await client.dispose();
    }
  });

  it('evaluates a rule once across instances, and hands over to the other instance without a duplicate alert', async () => {
    await until(async () => holders().length, (n) => n === 1, 10_000);
    const { createAlertRule: rule } = await a.query('mutation { createAlertRule(input: { name: "always", metric: WEBSOCKET_CONNECTIONS, comparator: GTE, threshold: 0, cooldownSeconds: 0 }) { id } }');
    await until(() => alertsOf(a, rule.id), (n) => n > 0, 10_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await alertsOf(a, rule.id)).toBe(1);
    expect(holders()).toHaveLength(1);

    // The holder stops: the other takes over, reads the open alert, and does not open a second.
    const [holder] = holders();
    const other = holder === a ? b : a;
    await holder.app.close(); // the instance stops; the database (a's) stays for the other
    await until(async () => other.services.schedulerLease.held, Boolean, 10_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await alertsOf(other, rule.id)).toBe(1);
  });

});
