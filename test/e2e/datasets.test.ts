import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { readDataset } from '../support/csv';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
const csv = readDataset('GermanCredit.csv');
const lines = csv.trim().split(/\r?\n/);
const header = lines[0].split(',');
const rowCount = lines.length - 1;

const CREATE = 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id latestVersion } }';

/** GermanCredit with a few AMOUNT cells spelled "n/a": too few to be a text column, so the version warns. */
function withStrayAmounts(): string {
  const amount = header.indexOf('AMOUNT');
  return [lines[0], ...lines.slice(1).map((line, i) => {
    if (i % 100 !== 7) return line;
    const cells = line.split(',');
    cells[amount] = 'n/a';
    return cells.join(',');
  })].join('\n');
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the datasets pages', () => {
  it('says how to add a dataset when there is none, then lists them with a name filter', async () => {
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, 'datasets');
    await expect.poll(() => tab.page.locator('.empty').textContent()).toContain('No datasets yet');
    expect(await tab.page.locator('.empty').textContent()).toContain('createDataset');

    await server.query(CREATE, { input: { name: 'german-credit', csv, columnTypes: [{ name: 'HISTORY', type: 'CATEGORY' }] } });
    await server.query(CREATE, { input: { name: 'credit-with-strays', csv: withStrayAmounts() } });
    await tab.page.reload();
    const rows = tab.page.locator('table.ds-list tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const credit = rows.filter({ hasText: 'german-credit' });
    expect(await credit.locator('td').allTextContents()).toEqual(['STATIC', 'v1', rowCount.toLocaleString('en'), expect.any(String)]);
    await screenshot(tab.page, 'datasets');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);

    await tab.page.getByLabel('Name contains').fill('stray');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().locator('th').textContent()).toBe('credit-with-strays');
    await tab.page.getByLabel('Name contains').fill('nothing-like-this');
    await expect.poll(() => tab.page.locator('.empty').textContent()).toContain('nothing-like-this');
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('shows a version\'s column statistics, histograms and top values, its versions, and exports its CSV', async () => {
    const { dataset } = await server.query('{ dataset(name: "german-credit") { id } }');
    const appended = lines.slice(0, 6).join('\n');
    await server.query('mutation($input: AppendDatasetRowsInput!) { appendDatasetRows(input: $input) { version } }', { input: { datasetId: dataset.id, csv: appended } });
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, `datasets/${dataset.id}`);
    await tab.page.getByRole('heading', { name: 'german-credit' }).waitFor();
    // The latest version by default: v2, appended to v1.
    await expect.poll(() => tab.page.getByTestId('version-rows').textContent()).toBe((rowCount + 5).toLocaleString('en'));
    const versions = tab.page.locator('table.ds-versions tbody tr');
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(0).locator('td').allTextContents()).toEqual(['APPEND', (rowCount + 5).toLocaleString('en'), expect.any(String), 'v1']);
    expect(await versions.nth(0).getAttribute('aria-current')).toBe('true');

    // ?version=1 picks version 1.
    await versions.nth(1).getByRole('link', { name: 'v1' }).click();
    await expect.poll(() => tab.page.getByTestId('version-rows').textContent()).toBe(rowCount.toLocaleString('en'));
    expect(tab.page.url()).toContain('?version=1');
    const stats = tab.page.getByTestId('column-stats').locator('tbody tr');
    expect(await stats.count()).toBe(header.length);
    const duration = stats.filter({ has: tab.page.locator('th', { hasText: /^DURATION$/ }) });
    const durations = lines.slice(1).map((line) => Number(line.split(',')[header.indexOf('DURATION')]));
    const cells = await duration.locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual(['NUMBER', '0', String(new Set(durations).size), String(Math.min(...durations)), String(Math.max(...durations))]);
    // A histogram per NUMBER column, drawn (SVG bars), with a text alternative.
    const histogram = tab.page.getByTestId('histogram-AMOUNT');
    await expect.poll(() => histogram.locator('svg path').count()).toBeGreaterThan(3);
    const described = await histogram.locator('[role="img"]').getAttribute('aria-label');
    expect(described).toContain(`AMOUNT: ${rowCount.toLocaleString('en')} values`);
    expect(described).toContain('Rows per bin');
    // The CATEGORY column's top values, with the most frequent first.
    const history = tab.page.getByTestId('top-values-HISTORY');
    const counts = new Map<string, number>();
    for (const line of lines.slice(1)) { const v = line.split(',')[header.indexOf('HISTORY')]; counts.set(v, (counts.get(v) ?? 0) + 1); }
    const [topValue, topCount] = [...counts].sort((a, b) => b[1] - a[1])[0];
    expect(await history.locator('tbody tr').first().locator('th').textContent()).toBe(topValue);
    expect(await history.locator('tbody tr').first().locator('td').first().textContent()).toBe(topCount.toLocaleString('en'));
    expect(await tab.page.locator('section', { hasText: 'Warnings' }).textContent()).toContain('No warnings');
    await screenshot(tab.page, 'dataset');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);

    // The CSV export, fetched with the key and saved as a file: version 1's rows.
    const [download] = await Promise.all([tab.page.waitForEvent('download'), tab.page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('german-credit-v1.csv');
    const exported = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(exported[0].split(',')).toEqual(header);
    expect(exported.length - 1).toBe(rowCount);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('shows a version\'s warnings, and the code of a refused export', async () => {
    const { dataset } = await server.query('{ dataset(name: "credit-with-strays") { id } }');
    const secret = await server.createKey('VIEWER');
    const tab = await openConsole(browser, server, secret, `datasets/${dataset.id}`);
    const warnings = tab.page.locator('ul.ds-warnings li');
    await expect.poll(() => warnings.count()).toBe(1);
    const text = await warnings.first().textContent();
    expect(text).toContain('AMOUNT');
    expect(text).toContain('10 of 1,000 values are not numbers');
    expect(text).toContain('n/a');
    expect(await tab.page.getByTestId('column-stats').locator('tr', { hasText: 'AMOUNT' }).locator('td').first().textContent()).toBe('TEXT');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);

    // The key is revoked while the page is open: the download shows the server's code.
    const { apiKeys } = await server.query('{ apiKeys(first: 100) { edges { node { id prefix } } } }');
    const key = apiKeys.edges.find((e: { node: { prefix: string } }) => secret.startsWith(`aim_${e.node.prefix}_`)).node;
    await server.query('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id });
    await tab.page.getByRole('button', { name: 'Download Parquet' }).click();
    await expect.poll(() => tab.page.locator('.ds-exports [role="alert"]').textContent()).toContain('UNAUTHENTICATED');
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });
});
