import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { TEST_ADMIN_KEY, type TestServer } from '../support/test-server';
import { launchBrowser, openConsole, screenshot, seriousAxeViolations, startConsoleServer } from './support/browser';

let server: TestServer;
let browser: Browser;
let viewerKey: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  viewerKey = await server.createKey('VIEWER');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const navLabels = (tab: { page: import('playwright-core').Page }) => tab.page.locator('header nav a').allTextContents();

describe('the keys and audit pages', () => {
  it('an ADMIN issues a key (its secret shown once and working), sees it used, and revokes it after confirming', async () => {
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, 'keys');
    await tab.page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(await navLabels(tab)).toEqual(expect.arrayContaining(['Datasets', 'Keys', 'Audit']));
    const rows = tab.page.locator('table.keys-table tbody tr');
    await expect.poll(() => rows.count()).toBe(2); // the test ADMIN key and the VIEWER key
    await tab.page.getByLabel('Name', { exact: true }).fill('ci-reader');
    await tab.page.getByLabel('Role', { exact: true }).selectOption('VIEWER');
    await tab.page.getByLabel('Principal').fill('ci-service');
    // A PARTNER key needs its models: the field appears only for that role.
    expect(await tab.page.getByLabel('Model scope').count()).toBe(0);
    await tab.page.getByRole('button', { name: 'Issue key' }).click();
    const secret = (await tab.page.getByTestId('new-secret').textContent())!;
    expect(secret).toMatch(/^aim_[a-z0-9]{12}_/);
    expect(await tab.page.locator('.keys-secret').textContent()).toContain('not shown again');
    await expect.poll(() => rows.count()).toBe(3);
    const row = rows.filter({ hasText: 'ci-reader' });
    expect(await row.locator('td').nth(0).textContent()).toBe('ci-service');
    expect(await row.locator('td').nth(1).textContent()).toBe('VIEWER');
    expect(await row.locator('td').nth(4).textContent()).toBe('never');

    // The secret works, and the list then shows when it was used.
    const used = await server.request('{ viewer { name role } }', {}, { authorization: `Bearer ${secret}` });
    expect(used.data.viewer).toEqual({ name: 'ci-reader', role: 'VIEWER' });
    await tab.page.reload();
    await expect.poll(() => row.locator('td').nth(4).textContent()).not.toBe('never');
    expect(await tab.page.getByTestId('new-secret').count()).toBe(0); // shown once: gone after a reload
    await screenshot(tab.page, 'keys');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);

    // Revoke asks first; Cancel keeps the key.
    await row.getByRole('button', { name: 'Revoke ci-reader' }).click();
    await row.getByRole('button', { name: 'Cancel' }).click();
    expect(await rows.count()).toBe(3);
    await row.getByRole('button', { name: 'Revoke ci-reader' }).click();
    await expect.poll(() => tab.page.evaluate(() => document.activeElement?.textContent)).toBe('Yes, revoke');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect((await server.request('{ viewer { role } }', {}, { authorization: `Bearer ${secret}` })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    await tab.page.getByLabel('Show revoked keys').check();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.filter({ hasText: 'ci-reader' }).locator('td').nth(5).textContent()).toContain('REVOKED');
    expect(await rows.filter({ hasText: 'ci-reader' }).getByRole('button').count()).toBe(0);
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('the audit log shows both operations, filtered by operation, key and outcome', async () => {
    // A refused call is audited too, with its code and message.
    const refused = await server.request('mutation { createApiKey(input: { name: "sneaky", role: ADMIN }) { secret } }', {}, { authorization: `Bearer ${viewerKey}` });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tab = await openConsole(browser, server, TEST_ADMIN_KEY, 'audit');
    await tab.page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = tab.page.getByTestId('audit-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4);
    // Newest first: the refused call came last.
    expect(await rows.first().getAttribute('data-operation')).toBe('createApiKey');
    expect(await rows.first().locator('td').nth(3).textContent()).toBe('FORBIDDEN');

    await tab.page.getByLabel('Operation').fill('createApiKey');
    await tab.page.getByLabel('Outcome').fill('ok');
    await tab.page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => tab.page.url()).toContain('operation=createApiKey');
    const created = rows.filter({ hasText: 'ci-reader' });
    await expect.poll(() => created.count()).toBe(1);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-operation')))).toEqual(expect.arrayContaining(['createApiKey']));
    expect(new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-operation'))))).toEqual(new Set(['createApiKey']));
    expect(await created.locator('td').nth(2).textContent()).toBe('ADMIN');
    expect(await created.locator('td').nth(3).textContent()).toBe('ok');
    // The arguments are collapsed until asked for, and hold no secret.
    const args = created.locator('details');
    expect(await args.locator('pre').isVisible()).toBe(false);
    await args.locator('summary').click();
    const shown = JSON.parse((await args.locator('pre').textContent())!);
    expect(shown.input).toMatchObject({ name: 'ci-reader', role: 'VIEWER', principal: 'ci-service' });
    await screenshot(tab.page, 'audit');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);

    await tab.page.getByLabel('Operation').fill('revokeApiKey');
    await tab.page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-operation')))).toEqual(['revokeApiKey']);

    // By key and outcome: the VIEWER's refused call, with its message.
    const viewerName = (await server.request('{ viewer { name } }', {}, { authorization: `Bearer ${viewerKey}` })).data.viewer.name;
    await tab.page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => tab.page.url()).not.toContain('operation=');
    await tab.page.getByLabel('Key (id or name)').fill(viewerName);
    await tab.page.getByLabel('Outcome').fill('FORBIDDEN');
    await tab.page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().locator('td').nth(4).textContent()).toContain('needs one of the roles ADMIN');
    // A time range that ends before everything: the empty state says what to do.
    await tab.page.getByLabel('Before').fill('2020-01-01T00:00');
    await tab.page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => tab.page.locator('.empty').textContent()).toContain('No entry matches');
    expect(tab.external).toEqual([]);
    await tab.context.close();
  });

  it('a VIEWER sees neither page in the navigation, and opening one gets NOT_FOUND; an APPROVER gets the audit log only', async () => {
    const tab = await openConsole(browser, server, viewerKey, 'keys');
    await tab.page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(await tab.page.getByRole('alert').textContent()).toContain('NOT_FOUND');
    const labels = await navLabels(tab);
    expect(labels).toContain('Datasets');
    expect(labels).not.toContain('Keys');
    expect(labels).not.toContain('Audit');
    await tab.open('audit');
    await tab.page.getByRole('heading', { name: 'Not found' }).waitFor();
    await tab.context.close();

    const approver = await openConsole(browser, server, await server.createKey('APPROVER'), 'audit');
    await approver.page.getByRole('heading', { name: 'Audit log' }).waitFor();
    expect(await navLabels(approver)).not.toContain('Keys');
    await approver.context.close();
  });
});
