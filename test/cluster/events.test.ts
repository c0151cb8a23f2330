import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { wsClient } from '../support/ws-client';

// Two API instances of one cluster: one database, one Redis namespace.
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer({ redisPrefix: `cluster-${process.pid}-${Date.now()}` });
  b = await startTestServer({ database: a.services.config.database, redisPrefix: a.services.config.redis!.prefix });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('events over Redis', () => {
  it('reports Redis in /readyz', async () => {
    const res = await fetch(b.url.replace('/graphql', '/readyz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', database: true, redis: true });
  });

  it('delivers an event published on one instance to a subscriber on the other', async () => {
    const { createDataset } = await a.query('mutation { createDataset(input: { name: "across", csv: "x,y\\n1,2\\n" }) { id } }');
    const client = wsClient(b.wsUrl, b.adminAuth);
    const versions: number[] = [];
    const heard = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription($id: ID!) { datasetVersionCreated(datasetId: $id) { version } }', variables: { id: createDataset.id } }, {
        next: ({ data, errors }: any) => {
          if (errors) return reject(new Error(JSON.stringify(errors)));
          versions.push(data.datasetVersionCreated.version);
          resolve();
        },
        error: reject, complete: () => {},
      });
    });
    try {
      // A has no subscriber of its own: the event can only reach B through Redis.
      await new Promise((r) => setTimeout(r, 300));
      await a.query('mutation($id: ID!) { appendDatasetRows(input: { datasetId: $id, csv: "x,y\\n3,4\\n" }) { version } }', { id: createDataset.id });
      await heard;
      expect(versions).toEqual([2]);
    } finally {
      await client.dispose();
    }
  });
});
