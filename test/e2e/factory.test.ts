import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readDataset } from '../support/csv';
import { START_RUN, waitForRun } from '../support/training';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
let datasetId: string;
let modelId: string;

const FEATURES = ['CHK_ACCT', 'DURATION', 'HISTORY', 'AMOUNT', 'SAV_ACCT', 'AGE'];

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer({ env: { TRAINING_CONCURRENCY: '2' } }), launchBrowser()]);
  ({ createDataset: { id: datasetId } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit", csv: $csv }) { id } }', { csv: readDataset('GermanCredit.csv') }));
  // Logistic regression by gradient steps: a per-epoch loss curve, and cheap.
  ({ createModel: { id: modelId } } = await server.query('mutation($input: CreateModelInput!) { createModel(input: $input) { id } }', { input: {
    name: 'credit-sgd', task: 'BINARY_CLASSIFICATION', architecture: 'LOGISTIC_REGRESSION', featureColumns: FEATURES, targetColumn: 'RESPONSE',
    hyperparameters: { solver: 'GRADIENT', epochs: 8, batchSize: 32 },
  } }));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The most points of any SVG path in a chart. */
async function longestPath(page: Page, testId: string): Promise<number> {
  const counts = await page.getByTestId(testId).locator('svg path').evaluateAll((paths) => paths.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).length - 1));
  return Math.max(0, ...counts);
}

describe('the console: run comparison and sweeps', () => {
  it('overlays two runs with different learning rates and lists only the hyper-parameter that differs; runs can be removed and added', async () => {
    const runs = await Promise.all([0.001, 0.05].map(async (learningRate) => {
      const { startTrainingRun } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 3, hyperparameters: { learningRate } } });
      const ended = await waitForRun(server, startTrainingRun.id, (r) => !['QUEUED', 'RUNNING'].includes(r.status));
      expect(ended.status).toBe('SUCCEEDED');
      return startTrainingRun.id as string;
    }));
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `compare?runs=${runs.join(',')}`);
    const { page } = tab;
    // One chart per metric, a series per run: both runs have a value in the loss chart.
    const loss = page.locator('figure.chart', { has: page.locator('figcaption', { hasText: /^loss$/ }) });
    await loss.waitFor();
    const summary = await loss.locator('[role=img]').getAttribute('aria-label');
    for (const run of runs) expect(summary).toMatch(new RegExp(`${run} \\d`));
    expect(Number(await loss.getAttribute('data-points'))).toBe(8); // epochs 1 to 8
    expect(await page.locator('.u-legend .u-series').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(runs[0]), expect.stringContaining(runs[1])]));

    // Only what differs: the learning rate (same seed, same dataset version, same everything else).
    const table = page.getByTestId('differing-parameters');
    expect(await table.locator('tbody th').allTextContents()).toEqual(['learningRate']);
    expect(await table.locator('tbody td').allTextContents()).toEqual(['0.001', '0.05']);
    await screenshot(page, 'compare');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Remove one, then add it back from the model's runs.
    await page.getByRole('button', { name: `Remove ${runs[1]}` }).click();
    await expect.poll(() => page.getByTestId('compared-runs').locator('tbody tr').count()).toBe(1);
    expect(page.url()).toContain(`runs=${runs[0]}`);
    await page.getByText('Add another run to see the hyper-parameters that differ.').waitFor();
    await expect.poll(() => page.locator('#compare-candidates option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual([runs[1]]);
    await page.getByLabel('Add a run').fill(runs[1]);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByTestId('compared-runs').locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('differing-parameters').locator('tbody th').allTextContents()).toEqual(['learningRate']);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('shows a sweep\'s trials appearing live until its final status, with the parallel-coordinates chart and parameter importance', async () => {
    const { startSweep: sweep } = await server.query('mutation($input: StartSweepInput!) { startSweep(input: $input) { id status } }', { input: {
      modelId, datasetId, method: 'RANDOM', maxRuns: 3, parallelism: 1, seed: 9, metric: 'val_loss', goal: 'MINIMIZE',
      parameters: [{ name: 'learningRate', distribution: 'LOG_UNIFORM', min: 0.001, max: 0.3 }, { name: 'batchSize', values: [16, 64] }],
    } });
    expect(sweep.status).toBe('RUNNING');
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `sweeps/${sweep.id}`);
    const { page } = tab;
    const status = page.getByTestId('sweep-status');
    await status.waitFor();
    // What the page shows over time, without reloading: trials and their statuses.
    const seen: string[] = [];
    const snapshot = async () => {
      const rows = await page.locator('[data-testid=trials] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
      const badge = await status.locator('.badge').textContent();
      const line = `${badge}:${rows.join(',')}`;
      if (seen.at(-1) !== line) seen.push(line);
      return badge;
    };
    expect(await snapshot()).toBe('RUNNING');
    expect(await page.getByRole('button', { name: 'Cancel sweep' }).count()).toBe(1);
    await expect.poll(snapshot, { timeout: 90_000, intervals: [150] }).toBe('SUCCEEDED');
    await expect.poll(() => status.getAttribute('data-live')).toBe('ended');
    // It started with fewer than 3 finished trials and ended with 3, all seen on the same page.
    const finished = (line: string) => line.split(':')[1].split(',').filter((s) => s === 'SUCCEEDED').length;
    expect(finished(seen[0])).toBeLessThan(3);
    expect(seen.at(-1)).toBe('SUCCEEDED:SUCCEEDED,SUCCEEDED,SUCCEEDED');
    expect(seen.length).toBeGreaterThan(2);
    expect(await page.getByRole('button', { name: 'Cancel sweep' }).count()).toBe(0);
    expect(await page.getByTestId('sweep-progress').textContent()).toBe('100 %');

    // The best value is the server's, in the row marked best.
    const { sweep: stored } = await server.query('query($id: ID!) { sweep(id: $id) { bestValue bestRun { id } trials { runId value } parameterImportance { name correlation } } }', { id: sweep.id });
    expect(await page.getByTestId('best-value').textContent()).toBe(String(Number(stored.bestValue.toPrecision(4))));
    expect(await page.locator('tr.best').textContent()).toContain(stored.bestRun.id);

    // Parallel coordinates: a line per trial across learningRate, batchSize and val_loss.
    await expect.poll(() => longestPath(page, 'parallel')).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('parallel').locator('figcaption').textContent()).toContain('3 trials: learningRate, batchSize against val_loss');
    const learningRate = stored.parameterImportance.find((p: { name: string }) => p.name === 'learningRate');
    expect(learningRate.correlation).toEqual(expect.any(Number));
    expect(await page.getByTestId('importance').locator('figcaption').textContent()).toContain(`learningRate ${Number(learningRate.correlation.toPrecision(2))}`);
    await screenshot(page, 'sweep');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The sweeps list.
    await page.getByRole('link', { name: 'Sweeps' }).click();
    const row = page.locator('tbody tr', { hasText: sweep.id });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/credit-sgd.*val_loss.*MINIMIZE.*SUCCEEDED.*100 %/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });
});
