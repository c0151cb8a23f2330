import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser } from 'playwright-core';
import { startChildServer } from './lib/child-server';

const KEY = 'aim_benchconsole0000_0123456789abcdefghijklmnopqrstuvwxyzAB';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The console's first page in Chromium, against the server main.ts starts (25 models):
 * the time from navigation until the models list is on screen and its filter takes input, with
 * a cold cache (a new browser context) and a warm one (a reload), against the floor of the same
 * browser and server: a cold load of the smallest page the server has (/healthz). Alternating,
 * 3 rounds (noisy machines). Also the JavaScript the first page loads, gzipped (the budget is
 * 400 KB), and GraphiQL's (its editor is large; it loads only on /graphiql).
 */
export async function benchConsole(): Promise<Record<string, unknown>> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimass-bench-console-'));
  const server = await startChildServer(path.resolve(__dirname, 'servers/aimass-server.js'), {
    PORT: '0', DATABASE_URL: `sqlite:${path.join(dataDir, 'bench.sqlite')}`, AIMASS_BOOTSTRAP_ADMIN_KEY: KEY, RATE_LIMIT_ADMIN: 'off',
  });
  const origin = new URL(server.url).origin;
  // A full first page: 25 models (the list's page size).
  for (let i = 0; i < 25; i++) {
    const body = JSON.stringify({ query: `mutation { createModel(input: { name: "credit-${i}", task: BINARY_CLASSIFICATION, architecture: MLP, featureColumns: ["AMOUNT", "DURATION"], targetColumn: "RESPONSE" }) { id } }` });
    const answer = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body }).then((r) => r.json() as Promise<{ errors?: unknown }>);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  }
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  const samples = { floorMs: [] as number[], coldMs: [] as number[], warmMs: [] as number[] };
  const firstPageScripts = new Map<string, number>();
  const graphiqlScripts = new Map<string, number>();
  try {
    for (let round = 0; round < 3; round++) {
      {
        const context = await browser.newContext();
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(`${origin}/healthz`, { waitUntil: 'load' });
        samples.floorMs.push(performance.now() - started);
        await context.close();
      }
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript({ content: `sessionStorage.setItem('aimass.apiKey', ${JSON.stringify(KEY)})` });
      const page = await context.newPage();
      page.on('response', async (response) => {
        if (response.request().resourceType() !== 'script' || firstPageScripts.has(response.url())) return;
        firstPageScripts.set(response.url(), gzipSync(await response.body()).length);
      });
      const interactive = async () => {
        await page.locator('table tbody tr').first().waitFor();
        await page.getByLabel('Name contains').fill('credit');
      };
      let started = performance.now();
      await page.goto(`${origin}/`);
      await interactive().catch(async (error) => {
        await page.screenshot({ path: path.join(os.tmpdir(), 'bench-console-failure.png') });
        throw error;
      });
      samples.coldMs.push(performance.now() - started);
      started = performance.now();
      await page.reload();
      await interactive();
      samples.warmMs.push(performance.now() - started);
      if (round === 0) {
        // GraphiQL's page is apart from the console's budget (it loads its editor), but reported.
        page.removeAllListeners('response');
        page.on('response', async (response) => {
          if (['script', 'other'].includes(response.request().resourceType()) && response.url().endsWith('.js')) graphiqlScripts.set(response.url(), gzipSync(await response.body()).length);
        });
        await page.goto(`${origin}/graphiql`);
        await page.getByRole('button', { name: /Execute query/ }).waitFor();
        await page.waitForTimeout(1000);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const kb = (sizes: Map<string, number>) => Number(([...sizes.values()].reduce((a, b) => a + b, 0) / 1024).toFixed(1));
  const floor = median(samples.floorMs);
  return {
    samples,
    floorMs: Math.round(floor),
    coldFirstPageMs: Math.round(median(samples.coldMs)),
    warmFirstPageMs: Math.round(median(samples.warmMs)),
    coldToFloorRatio: Number((median(samples.coldMs) / floor).toFixed(2)),
    goalMs: 1000,
    firstPageJsGzipKb: kb(firstPageScripts),
    firstPageScripts: firstPageScripts.size,
    budgetKb: 400,
    graphiqlJsGzipKb: kb(graphiqlScripts),
  };
}
