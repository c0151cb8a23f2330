import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../support/csv';
import { CREDIT_FEATURES, creditCsv, creditRows, trainVersion } from '../support/serving';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/until';
import { wsClient } from '../support/ws-client';

let server: TestServer;
let lstm: string;
let classifier: string;
let sp500: string;
let credit: string;
const RUN = 'mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }';
const RESULT = `query($id: ID!) { backtest(id: $id) {
  status error rowCount
  metrics { totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownPeriods calmar hitRate trades turnover periodsPerYear }
  benchmark { totalReturn sharpe maxDrawdown }
  equityCurve(maxPoints: 1000) { at equity benchmark }
  trades(first: 1000) { totalCount items { at position price predictedReturn cost } }
  thresholdCurve { threshold approvalRate badRate expectedProfit } bestThreshold { threshold approvalRate badRate expectedProfit }
} }`;
const finished = async (id: string) => (await until(() => server.query(RESULT, { id }), (d) => ['SUCCEEDED', 'FAILED'].includes(d.backtest.status), 60_000)).backtest;

/** SP500.csv's rows (Date, Close), oldest first. */
const spRows = () => readDataset('SP500.csv').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1).map((line) => {
  const [date, close] = line.split(',');
  return { date, close: Number(close) };
});

beforeAll(async () => {
  server = await startTestServer({ env: { TRAINING_CONCURRENCY: '2' } });
  ({ createDataset: { id: sp500 } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "sp500", csv: $csv }) { id } }', { csv: readDataset('SP500.csv') }));
  ({ createDataset: { id: credit } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit", csv: $csv }) { id } }', { csv: creditCsv() }));
  const { createModel: m1 } = await server.query('mutation { createModel(input: { name: "sp500-lstm", task: TIME_SERIES_FORECAST, architecture: LSTM, featureColumns: [], targetColumn: "Close", hyperparameters: { windowSize: 6, horizon: 1, epochs: 5, batchSize: 8, hiddenUnits: [8] } }) { id } }');
  const { createModel: m2 } = await server.query('mutation($f: [String!]!) { createModel(input: { name: "credit-bt", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: $f, targetColumn: "RESPONSE", hyperparameters: { hiddenUnits: [8], epochs: 4 } }) { id } }', { f: CREDIT_FEATURES });
  [lstm, classifier] = await Promise.all([trainVersion(server, m1.id, sp500, 1), trainVersion(server, m2.id, credit, 1)]);
  for (const v of [lstm, classifier]) await server.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v });
});
afterAll(async () => {
  await server?.close();
});

describe('back-tests', () => {
  it('LONG_ONLY on an LSTM over SP500: the figures equal an independent walk-forward over the model\'s own forecasts, beside buy-and-hold', async () => {
    const client = wsClient(server.wsUrl, server.adminAuth);
    const { runBacktest } = await server.query(RUN, { input: { modelVersionId: lstm, datasetId: sp500, strategy: 'LONG_ONLY', costBps: 10, slippageBps: 5, initialCapital: 1000 } });
    expect(runBacktest.status).toBe('QUEUED');
    const statuses: string[] = [];
    await new Promise<void>((resolve, reject) => client.subscribe({ query: 'subscription($id: ID!) { backtestUpdated(backtestId: $id) { status progress } }', variables: { id: runBacktest.id } }, {
      next: ({ data, errors }: any) => (errors ? reject(new Error(JSON.stringify(errors))) : statuses.push(data.backtestUpdated.status)), error: reject, complete: resolve,
    }));
    await client.dispose();
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    const bt = await finished(runBacktest.id);

    // The same decisions, recomputed here: the forecast for month t asked of the deployed version
    // with the 7 months before t (a DIFFERENCE model, the default: 6 changes need 7 closes), long
    // when it predicts a rise, 15 bps per unit traded.
    const rows = spRows();
    const forecasts: (number | null)[] = rows.map(() => null);
    for (let t = 7; t < rows.length; t++) {
      const history = rows.slice(t - 7, t).map((r) => ({ Close: r.close }));
      const { predict } = await server.query('mutation($rows: [JSONObject!]!) { predict(input: { model: "sp500-lstm", environment: TEST, rows: $rows }) { predictions { value } } }', { rows: history });
      forecasts[t] = predict.predictions[0].value;
    }
    let equity = 1000;
    let position = 0;
    let trades = 0;
    const curve = [equity];
    for (let t = 7; t < rows.length; t++) {
      const target = forecasts[t]! / rows[t - 1].close - 1 > 0 ? 1 : 0;
      if (target !== position) { equity -= Math.abs(target - position) * equity * 0.0015; position = target; trades++; }
      equity *= 1 + position * (rows[t].close / rows[t - 1].close - 1);
      curve.push(equity);
    }
    const returns = curve.slice(1).map((v, i) => v / curve[i] - 1);
    const avg = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - avg) ** 2, 0) / (returns.length - 1));
    let peak = curve[0];
    let drawdown = 0;
    for (const v of curve) { peak = Math.max(peak, v); drawdown = Math.max(drawdown, (peak - v) / peak); }
    expect(bt.rowCount).toBe(rows.length - 7);
    expect(bt.metrics.trades).toBe(trades);
    expect(bt.metrics.totalReturn).toBeCloseTo(equity / 1000 - 1, 6);
    expect(bt.metrics.periodsPerYear).toBeGreaterThan(11.5);
    expect(bt.metrics.periodsPerYear).toBeLessThan(12.5);
    expect(bt.metrics.sharpe).toBeCloseTo((avg / sd) * Math.sqrt(bt.metrics.periodsPerYear), 6);
    expect(bt.metrics.maxDrawdown).toBeCloseTo(drawdown, 6);
    expect(bt.benchmark.totalReturn).toBeCloseTo(rows.at(-1)!.close / rows[6].close - 1, 9);
    expect(bt.equityCurve).toHaveLength(curve.length);
    expect(bt.equityCurve.at(-1).equity).toBeCloseTo(equity, 6);
    expect(bt.trades.totalCount).toBe(trades);
  });

  it('decides nothing from the future: corrupting every month after one leaves every earlier decision as it was', async () => {
    const rows = spRows();
    const cut = 60;
    const corrupt = ['Date,Close', ...rows.map((r, i) => `${r.date},${i > cut ? r.close * 10 : r.close}`)].join('\n');
    const { createDataset } = await server.query('mutation($csv: String!) { createDataset(input: { name: "sp500-corrupt", csv: $csv }) { id } }', { csv: corrupt });
    const ids = await Promise.all([sp500, createDataset.id].map(async (datasetId) => (await server.query(RUN, { input: { modelVersionId: lstm, datasetId, strategy: 'LONG_SHORT' } })).runBacktest.id));
    const [clean, dirty] = await Promise.all(ids.map(finished));
    // equityCurve[i] ends month 5 + i: everything up to month cut − 1 must be the same.
    const cutAt = new Date(clean.equityCurve[cut - 6].at).getTime();
    const before = (bt: any) => bt.trades.items.filter((t: any) => new Date(t.at).getTime() < cutAt);
    expect(before(dirty)).toEqual(before(clean));
    expect(dirty.equityCurve.slice(0, cut - 6)).toEqual(clean.equityCurve.slice(0, cut - 6));
    expect(dirty.metrics.totalReturn).not.toBeCloseTo(clean.metrics.totalReturn, 3); // the corruption did reach the later months
  });

  it('CREDIT_APPROVAL on GermanCredit: the profit curve over thresholds, its best point equal to a count over the model\'s own scores', async () => {
    const { runBacktest } = await server.query(RUN, { input: { modelVersionId: classifier, datasetId: credit, strategy: 'CREDIT_APPROVAL', profitPerGood: 100, lossPerBad: 500 } });
    const bt = await finished(runBacktest.id);
    expect(bt).toMatchObject({ status: 'SUCCEEDED', rowCount: 1000, metrics: null });
    expect(bt.thresholdCurve).toHaveLength(101);
    expect(bt.thresholdCurve[0].approvalRate).toBe(1);
    expect(bt.bestThreshold.expectedProfit).toBe(Math.max(...bt.thresholdCurve.map((p: any) => p.expectedProfit)));
    const rows = creditRows();
    const { predict } = await server.query('mutation($rows: [JSONObject!]!) { predict(input: { model: "credit-bt", environment: TEST, rows: $rows }) { predictions { probabilities { label probability } } } }', {
      rows: rows.map((r) => Object.fromEntries(CREDIT_FEATURES.map((f) => [f, r[f]]))),
    });
    const pGood = predict.predictions.map((p: any) => p.probabilities.find((c: any) => c.label === '1').probability);
    const approved = rows.filter((_, i) => pGood[i] >= bt.bestThreshold.threshold);
    const bad = approved.filter((r) => r.RESPONSE !== 1).length;
    expect(bt.bestThreshold.approvalRate).toBeCloseTo(approved.length / 1000, 9);
    expect(bt.bestThreshold.expectedProfit).toBeCloseTo((approved.length - bad) * 100 - bad * 500, 6);
  });

  it('lets a promotion gate name a back-test figure: the version\'s latest trading back-test decides', async () => {
    const gate = (promotionGate: Record<string, unknown>) => server.query('mutation($g: PromotionGateInput!) { setModelControls(input: { modelId: "sp500-lstm", requiresApproval: false, promotionGate: $g }) { id } }', { g: promotionGate });
    const deploy = () => server.request('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: PRODUCTION }) { __typename } }', { v: lstm });
    await gate({ metric: 'sharpe', threshold: 100 });
    const refused = await deploy();
    expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(refused.errors?.[0].message).toMatch(/promotion gate failed: sharpe .* < threshold 100/);
    await gate({ metric: 'maxDrawdown', threshold: 0.00001 }); // lower is better: at most 0.001 %
    expect((await deploy()).errors?.[0].message).toMatch(/maxDrawdown .* > threshold/);
    await gate({ metric: 'maxDrawdown', threshold: 1 });
    expect((await deploy()).data.deployModelVersion.__typename).toBe('Deployment');
  });

  it('lists back-tests newest first, all or one model\'s, page by page', async () => {
    const LIST = 'query($m: ID, $after: String) { backtests(filter: { modelId: $m }, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id model { name } createdAt } } } }';
    const all = (await server.query('{ backtests(first: 100) { totalCount edges { node { id createdAt model { name } } } } }')).backtests;
    expect(all.totalCount).toBeGreaterThanOrEqual(4);
    const times = all.edges.map((e: any) => Date.parse(e.node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const lstmOnes = all.edges.filter((e: any) => e.node.model.name === 'sp500-lstm').map((e: any) => e.node.id);
    const first = (await server.query(LIST, { m: 'sp500-lstm' })).backtests;
    expect(first.totalCount).toBe(lstmOnes.length);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await server.query(LIST, { m: 'sp500-lstm', after: first.pageInfo.endCursor })).backtests;
    expect([...first.edges, ...second.edges].map((e: any) => e.node.id)).toEqual(lstmOnes.slice(0, 4));
    expect((await server.request(LIST, { m: 'no-such-model' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a bad back-test with BAD_USER_INPUT, naming the field, and queues nothing', async () => {
    const { createDataset: noDate } = await server.query('mutation { createDataset(input: { name: "close-only", csv: "Close\\n1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10\\n" }) { id } }');
    const { createModel: regressor } = await server.query('mutation { createModel(input: { name: "amount", task: REGRESSION, architecture: MLP, featureColumns: ["AGE"], targetColumn: "AMOUNT", hyperparameters: { epochs: 1 } }) { id } }');
    const regressorVersion = await trainVersion(server, regressor.id, credit, 1);
    const cases: [Record<string, unknown>, string][] = [
      [{ modelVersionId: classifier, datasetId: credit, strategy: 'LONG_ONLY' }, 'input.strategy'],
      [{ modelVersionId: regressorVersion, datasetId: credit, strategy: 'CREDIT_APPROVAL', profitPerGood: 1, lossPerBad: 1 }, 'input.strategy'],
      [{ modelVersionId: lstm, datasetId: credit, strategy: 'LONG_ONLY' }, 'input.datasetId'],
      [{ modelVersionId: lstm, datasetId: noDate.id, strategy: 'LONG_ONLY' }, 'input.timeColumn'],
      [{ modelVersionId: lstm, datasetId: sp500, strategy: 'LONG_ONLY', from: '1995-05-01T00:00:00Z', to: '1995-09-01T00:00:00Z' }, 'input.from'],
      [{ modelVersionId: lstm, datasetId: sp500, strategy: 'LONG_ONLY', costBps: -1 }, ''],
      [{ modelVersionId: lstm, datasetId: sp500, strategy: 'LONG_ONLY', slippageBps: 10_001 }, ''],
      [{ modelVersionId: classifier, datasetId: credit, strategy: 'CREDIT_APPROVAL' }, 'input.profitPerGood'],
    ];
    for (const [input, field] of cases) {
      const res = await server.request(RUN, { input });
      expect(res.errors?.[0].extensions?.code, `${JSON.stringify(input)}: ${JSON.stringify(res.errors)}`).toBe('BAD_USER_INPUT');
      if (field) expect(res.errors?.[0].extensions?.field, `${JSON.stringify(input)}: ${JSON.stringify(res.errors)}`).toBe(field);
    }
  });
});
