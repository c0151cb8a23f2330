import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

let server: TestServer;
let feedId: string;
const rows = readDataset('SP500.csv').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1).map((line) => {
  const [date, close] = line.split(',');
  return { Date: date, Close: Number(close) };
});
const PUSH = 'mutation($input: PushTicksInput!) { pushTicks(input: $input) { accepted duplicates deadLettered } }';
const SESSION = 'query($id: ID!) { paperTradingSession(id: $id) { status lastSeq decisions hitRate figures { equity position trades totalReturn maxDrawdown } } }';

beforeAll(async () => {
  server = await startTestServer();
  const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "sp500", csv: $csv }) { id } }', { csv: readDataset('SP500.csv') });
  const { createModel } = await server.query('mutation { createModel(input: { name: "sp500-lstm", task: TIME_SERIES_FORECAST, architecture: LSTM, featureColumns: [], targetColumn: "Close", hyperparameters: { windowSize: 6, horizon: 1, epochs: 3, batchSize: 8, hiddenUnits: [8] } }) { id } }');
  const version = await trainVersion(server, createModel.id, createDataset.id, 1);
  await server.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v: version });
  ({ createFeed: { id: feedId } } = await server.query('mutation($d: ID!) { createFeed(input: { name: "sp500-live", datasetId: $d, kind: HTTP_PUSH }) { id } }', { d: createDataset.id }));
});
afterAll(async () => {
  await server?.close();
});

describe('paper trading on a pushed feed', () => {
  it('decides every pushed tick once, streams each decision, dead-letters bad rows with the reason, and stores a resent tick once', async () => {
    const { startPaperTrading } = await server.query('mutation($f: ID!) { startPaperTrading(input: { modelId: "sp500-lstm", environment: TEST, feedId: $f, strategy: LONG_ONLY, costBps: 10, periodsPerYear: 12 }) { id status lastSeq } }', { f: feedId });
    expect(startPaperTrading).toMatchObject({ status: 'RUNNING', lastSeq: 0 });
    const client = wsClient(server.wsUrl, server.adminAuth);
    const seen: { seq: number; forecast: number | null }[] = [];
    const streamed = new Promise<void>((resolve, reject) => client.subscribe({ query: 'subscription($id: ID!) { paperTradingUpdated(sessionId: $id) { seq forecast equity position } }', variables: { id: startPaperTrading.id } }, {
      next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : seen.push(data.paperTradingUpdated)), error: reject, complete: resolve,
    }));
    await new Promise((r) => setTimeout(r, 200));
    const ticks = rows.slice(50, 62).map((row, i) => ({ id: `t${i}`, row }));
    const first = await server.query(PUSH, { input: { feedId, ticks: [...ticks.slice(0, 6), { id: 'bad', row: { Date: '1-Jan-00', Close: 'not a price' } }, ...ticks.slice(6)] } });
    expect(first.pushTicks).toEqual({ accepted: 12, duplicates: 0, deadLettered: 1 });
    const again = await server.query(PUSH, { input: { feedId, ticks: ticks.slice(10) } });
    expect(again.pushTicks).toEqual({ accepted: 0, duplicates: 2, deadLettered: 0 });
    const { paperTradingSession: session } = await until(() => server.query(SESSION, { id: startPaperTrading.id }), (d) => d.paperTradingSession.decisions === 12, 20_000);
    expect(session.lastSeq).toBe(12);
    await server.query('mutation($id: ID!) { stopPaperTrading(id: $id) { status } }', { id: startPaperTrading.id });
    await streamed;
    await client.dispose();
    // The current state first, then the 12 decisions once each, in order: the first 5 fill the window.
    const decisions = seen.slice(1, 13);
    expect(decisions.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(decisions.slice(0, 5).every((d) => d.forecast === null)).toBe(true);
    expect(decisions.slice(5).every((d) => typeof d.forecast === 'number')).toBe(true);
    const { feedDeadLetters } = await server.query('query($f: ID!) { feedDeadLetters(feedId: $f) { sourceId reason data } }', { f: feedId });
    expect(feedDeadLetters).toEqual([{ sourceId: 'bad', reason: expect.stringMatching(/column "Close": "not a price" is not a valid NUMBER/), data: { Date: '1-Jan-00', Close: 'not a price' } }]);
    // The figures come from the same decisions: equity moved only while a position was held.
    expect(session.figures.trades).toBeGreaterThanOrEqual(0);
    expect(seen.at(-1)!.seq).toBe(12);
  });

  it('refuses a classifier strategy on paper and a model that is not a forecast', async () => {
    const bad = await server.request('mutation($f: ID!) { startPaperTrading(input: { modelId: "sp500-lstm", environment: TEST, feedId: $f, strategy: CREDIT_APPROVAL }) { id } }', { f: feedId });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.strategy' });
  });
});
