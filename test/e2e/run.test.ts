import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { readDataset } from '../support/csv';
import { START_RUN } from '../support/training';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
let modelId: string;
let datasetId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  ({ createDataset: { id: datasetId } } = await server.query('mutation($csv: String!) { createDataset(input: { name: "credit", csv: $csv }) { id } }', { csv: readDataset('GermanCredit.csv') }));
  ({ createModel: { id: modelId } } = await server.query(`mutation { createModel(input: { name: "console-run", task: BINARY_CLASSIFICATION, architecture: MLP,
    featureColumns: ["AMOUNT", "DURATION", "AGE", "CHK_ACCT", "HISTORY"], targetColumn: "RESPONSE", hyperparameters: { epochs: 60, batchSize: 8, hiddenUnits: [32, 32] } }) { id } }`));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The steps the server stored for a run, across all its metrics. */
async function storedSteps(runId: string): Promise<number[]> {
  const { trainingRun } = await server.query('query($id: ID!) { trainingRun(id: $id) { metrics { points(maxPoints: 10000) { step } } } }', { id: runId });
  return [...new Set<number>(trainingRun.metrics.flatMap((m: { points: { step: number }[] }) => m.points.map((p) => p.step)))].sort((a, b) => a - b);
}

describe('the console: sign-in and a live run', () => {
  it('signs in with a pasted key and shows the role; a wrong key gets the server\'s code; the page\'s JavaScript is within its budget', async () => {
    const tab = await openConsole(browser, server, null);
    const scripts = new Map<string, number>();
    tab.page.on('response', async (response) => {
      if (response.request().resourceType() === 'script') scripts.set(response.url(), gzipSync(await response.body()).length);
    });
    await tab.page.reload();
    await tab.page.getByLabel('API key').fill('aim_not_a_real_key_0000000000000000000000');
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => tab.page.getByRole('alert').textContent()).toContain('UNAUTHENTICATED');
    await tab.page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await tab.page.getByRole('heading', { name: 'Models' }).waitFor();
    expect(await tab.page.locator('.who').textContent()).toContain('ADMIN');
    expect(await tab.page.evaluate(() => sessionStorage.getItem('aimass.apiKey'))).toBe(TEST_ADMIN_KEY);
    expect(tab.external).toEqual([]);
    // The budget: under 400 KB of JavaScript, gzipped, for the console (GraphiQL apart).
    expect(scripts.size).toBeGreaterThan(0);
    expect([...scripts.values()].reduce((a, b) => a + b, 0)).toBeLessThan(400 * 1024);
    expect([...scripts.keys()].some((url) => /graphiql|monaco/.test(url))).toBe(false);
    await tab.context.close();
  });

  it('draws the curves as the run trains, resumes after a reload with no gap, and ends SUCCEEDED', async () => {
    const { startTrainingRun: run } = await server.query(START_RUN, { input: { modelId, datasetId, seed: 7 } });
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `runs/${run.id}`);
    const chart = tab.page.locator('figure.chart', { hasText: 'Loss by step' });
    const points = async () => Number(await chart.getAttribute('data-points'));
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThan(2);
    const before = await points();
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThan(before);
    const beforeReload = await points();
    expect(await tab.page.getByTestId('curves').getAttribute('data-complete')).toBe('false');
    await screenshot(tab.page, 'run');

    await tab.page.reload();
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThanOrEqual(beforeReload);
    await tab.page.locator('.badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 90_000 });
    await expect.poll(() => tab.page.getByTestId('curves').getAttribute('data-complete'), { timeout: 30_000 }).toBe('true');
    const steps = await storedSteps(run.id);
    expect(steps.length).toBeGreaterThan(beforeReload);
    expect(await points()).toBe(steps.length);
    expect(Number(await chart.getAttribute('data-last-x'))).toBe(steps[steps.length - 1]);
    expect(await tab.page.getByTestId('progress').textContent()).toBe('100 %');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });
});
