import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { readDataset } from '../support/csv';
import { trainVersion } from '../support/serving';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
let datasetId: string;
let versionId: string;
const PALETTE = ['#1f5fbf', '#c2410c'];

/** SP500.csv's rows (Date, Close), oldest first, as a feed's ticks. */
const spRows = () => readDataset('SP500.csv').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1).map((line) => {
  const [date, close] = line.split(',');
  return { Date: date, Close: Number(close) };
});

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  ({ createDataset: { id: datasetId } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "sp500", csv: $csv }) { id } }', { csv: readDataset('SP500.csv') }));
  const { createModel } = await server.query('mutation { createModel(input: { name: "sp500-lstm", task: TIME_SERIES_FORECAST, architecture: LSTM, featureColumns: [], targetColumn: "Close", hyperparameters: { windowSize: 6, horizon: 1, epochs: 3, batchSize: 8, hiddenUnits: [8] } }) { id } }');
  versionId = await trainVersion(server, createModel.id, datasetId, 1);
  await server.query('mutation($v: ID!) { deployModelVersion(input: { modelVersionId: $v, environment: TEST }) { __typename } }', { v: versionId });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The `d` lengths of the SVG paths an ECharts figure strokes in a colour (a drawn line has a long one). */
async function strokedPaths(figure: Locator, colour: string): Promise<number[]> {
  return figure.locator('svg path').evaluateAll((paths, wanted) => paths
    .filter((p) => (p.getAttribute('stroke') ?? '').toLowerCase() === wanted && p.getAttribute('fill') === 'none')
    .map((p) => (p.getAttribute('d') ?? '').length), colour);
}

describe('back-tests and paper trading', () => {
  it('follows a back-test to its end, draws its equity against buy-and-hold, and lists the API\'s trades', async () => {
    const { runBacktest } = await server.query('mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }', {
      input: { modelVersionId: versionId, datasetId, strategy: 'LONG_SHORT', entryThreshold: 0.02, costBps: 10, initialCapital: 1000 },
    });
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `backtests/${runBacktest.id}`);
    const { page } = tab;
    await page.locator('.status-line .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    const { backtest } = await server.query('query($id: ID!) { backtest(id: $id) { metrics { trades totalReturn } benchmark { totalReturn } equityCurve(maxPoints: 1000) { at } trades { totalCount } } }', { id: runBacktest.id });
    expect(backtest.trades.totalCount).toBe(backtest.metrics.trades);

    const equity = page.getByTestId('equity-chart');
    await equity.locator('svg').waitFor();
    expect(await page.getByTestId('equity-charts').getAttribute('data-points')).toBe(String(backtest.equityCurve.length));
    const [strategy, hold] = await Promise.all(PALETTE.map((colour) => strokedPaths(equity, colour)));
    expect(Math.max(0, ...strategy), 'the strategy line').toBeGreaterThan(backtest.equityCurve.length * 4);
    expect(Math.max(0, ...hold), 'the buy-and-hold line').toBeGreaterThan(backtest.equityCurve.length * 4);
    expect(await equity.locator('svg').textContent()).toMatch(/strategy.*buy and hold/);
    expect(Math.max(0, ...(await strokedPaths(page.getByTestId('drawdown-chart'), PALETTE[0])))).toBeGreaterThan(backtest.equityCurve.length * 4);

    const figure = (label: string) => page.locator('table.figures tr', { has: page.getByRole('rowheader', { name: label, exact: true }) }).locator('td');
    const percent = (value: number) => `${Number((value * 100).toPrecision(3))} %`;
    expect(await figure('Total return').allTextContents()).toEqual([percent(backtest.metrics.totalReturn), percent(backtest.benchmark.totalReturn)]);
    expect(await figure('Trades (position changes)').first().textContent()).toBe(String(backtest.metrics.trades));

    const count = page.getByTestId('trade-count');
    expect(await count.getAttribute('data-count')).toBe(String(backtest.trades.totalCount));
    const tradeRows = page.getByTestId('trades').locator('tbody tr');
    expect(await tradeRows.count()).toBe(Math.min(50, backtest.trades.totalCount));
    if (backtest.trades.totalCount > 50) {
      await page.getByRole('button', { name: 'Next trades' }).click();
      await expect.poll(() => tradeRows.first().locator('td').first().textContent()).toBe('51');
      expect(await tradeRows.count()).toBe(Math.min(50, backtest.trades.totalCount - 50));
    }
    await screenshot(page, 'backtest');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The list: newest first, linking to the page.
    await tab.open('backtests');
    const link = page.getByRole('link', { name: runBacktest.id });
    await link.waitFor();
    expect(await page.locator('tbody tr').first().locator('.badge').textContent()).toBe('SUCCEEDED');
    await screenshot(page, 'backtests');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await link.click();
    await page.getByTestId('equity-chart').waitFor();
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('shows a paper-trading session\'s decisions and equity as ticks arrive, and stops it', async () => {
    const { createFeed } = await server.query('mutation($d: ID!) { createFeed(input: { name: "sp500-live", datasetId: $d, kind: HTTP_PUSH }) { id } }', { d: datasetId });
    const { startPaperTrading: session } = await server.query('mutation($f: ID!) { startPaperTrading(input: { modelId: "sp500-lstm", environment: TEST, feedId: $f, strategy: LONG_ONLY, periodsPerYear: 12 }) { id } }', { f: createFeed.id });
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `paper/${session.id}`);
    const { page } = tab;
    await page.getByText('Waiting for ticks').waitFor();
    const rows = spRows();
    const push = (from: number, to: number) => server.query('mutation($input: PushTicksInput!) { pushTicks(input: $input) { accepted } }', {
      input: { feedId: createFeed.id, ticks: rows.slice(from, to).map((row, i) => ({ id: `t${from + i}`, row })) },
    });
    const decided = page.getByTestId('paper-decided');
    const equityChart = page.locator('figure.chart', { hasText: 'Equity by tick' });

    expect((await push(40, 46)).pushTicks.accepted).toBe(6);
    await expect.poll(() => decided.textContent(), { timeout: 20_000 }).toBe('6 ticks decided');
    const firstPoints = Number(await equityChart.getAttribute('data-points'));
    expect(firstPoints).toBe(7); // the running figures at opening (tick 0), then ticks 1 to 6
    expect((await push(46, 52)).pushTicks.accepted).toBe(6);
    await expect.poll(() => decided.textContent(), { timeout: 20_000 }).toBe('12 ticks decided');
    expect(Number(await equityChart.getAttribute('data-points'))).toBe(13);
    expect(await equityChart.getAttribute('data-last-x')).toBe('12');

    const table = page.getByTestId('paper-decisions').locator('tbody tr');
    expect(await table.first().locator('th').textContent()).toBe('12');
    // The first ticks fill the model's input window: no forecast yet; later ones have one.
    expect(await table.last().locator('td').nth(1).textContent()).toBe('window filling');
    expect(await table.first().locator('td').nth(1).textContent()).toMatch(/^[\d,.]+$/);
    const { paperTradingSession: api } = await server.query('query($id: ID!) { paperTradingSession(id: $id) { decisions lastSeq figures { equity trades } } }', { id: session.id });
    expect(api).toMatchObject({ decisions: 12, lastSeq: 12 });
    expect(Math.abs(Number((await page.getByTestId('paper-equity').textContent())!.replace(/,/g, '')) - api.figures.equity)).toBeLessThanOrEqual(0.051);
    await screenshot(page, 'paper-trading');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.status-line .badge', { hasText: 'STOPPED' }).waitFor();
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    const { paperTradingSession: stopped } = await server.query('query($id: ID!) { paperTradingSession(id: $id) { status stoppedAt } }', { id: session.id });
    expect(stopped.status).toBe('STOPPED');
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });
});
