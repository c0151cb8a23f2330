import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/test-server';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where each page's screenshot goes (the test output; `docs/screenshots` to refresh the README's). */
export const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR ?? '.ci/out/screenshots');

/** Headless Chromium as ENVIRONMENT.md says: no sandbox (root), no GPU, no calls home. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The real server for a console test; CONSOLE_DIR, when set, names the build to serve. */
export function startConsoleServer(options: TestServerOptions = {}): Promise<TestServer> {
  const consoleDir = process.env.CONSOLE_DIR ? { CONSOLE_DIR: process.env.CONSOLE_DIR } : {};
  return startTestServer({ ...options, env: { ...consoleDir, ...options.env } });
}

export interface ConsoleTab {
  page: Page;
  context: BrowserContext;
  origin: string;
  /** Every request the page tried to make to another host (all are refused). */
  external: string[];
  /** Opens a console route (`runs/42`) and waits for the page to settle. */
  open(route: string): Promise<void>;
}

/**
 * A 1280×800 tab on the console, signed in with `key` (the key put in session storage before the
 * page loads, as the sign-in form does), or signed out with null. Requests to any other host are
 * refused and recorded, so a test can assert the console needs nothing but its server.
 */
export async function openConsole(browser: Browser, server: TestServer, key: string | null, route = ''): Promise<ConsoleTab> {
  const origin = new URL(server.url).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const external: string[] = [];
  await context.route('**/*', (request) => {
    const url = request.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return request.continue();
    external.push(url);
    return request.abort();
  });
  if (key) await context.addInitScript((secret) => sessionStorage.setItem('aimass.apiKey', secret), key);
  const page = await context.newPage();
  const tab: ConsoleTab = {
    page, context, origin, external,
    async open(to) {
      await page.goto(`${origin}/#/${to}`);
    },
  };
  await tab.open(route);
  return tab;
}

/** A full-page screenshot named after the page, in SCREENSHOT_DIR. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's WCAG 2.1 A and AA checks on the page as it is now; the serious and critical
 * violations, each with the elements involved (an empty list is a pass). `exclude` leaves out
 * third-party markup the console cannot change (each use says why).
 */
export async function seriousAxeViolations(page: Page, exclude: string[] = []): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the console's CSP rightly refuses an injected <script>.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (excluded) => {
    const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[]; html: string }[] }[] }> } })
      .axe.run({ include: [['html']], exclude: excluded.map((selector) => [selector]) } as unknown as Document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.html.slice(0, 120)}`) }));
  }, exclude);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
