import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WEB = join(ROOT, 'packages', 'web');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The API serves packages/web/dist: build it when it is missing or older than the sources
 * (the project's test command builds it first, so this is for running the e2e tier alone).
 */
export function ensureWebBuilt(): void {
  const dist = join(WEB, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(WEB, 'src')),
    statSync(join(WEB, 'index.html')).mtimeMs,
    statSync(join(ROOT, 'packages', 'api', 'schema.graphql')).mtimeMs,
    ...['texts', 'mail-settings'].map((pkg) => newestMtime(join(ROOT, 'packages', pkg, 'src'))),
  );
  if (existsSync(dist) && statSync(dist).mtimeMs >= sources) return;
  const bin = (name: string) => join(WEB, 'node_modules', '.bin', name);
  execFileSync(bin('gql.tada'), ['generate-output'], { cwd: WEB, stdio: 'pipe' });
  execFileSync(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: WEB, stdio: 'pipe' });
}

export interface E2EBrowser {
  browser: Browser;
  /** A fresh context (own storage) and page; `locale` sets navigator.languages. */
  newPage(baseUrl: string, options?: { locale?: string; width?: number; height?: number; colorScheme?: 'light' | 'dark' }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless. Playwright itself starts it with a fresh temporary
 * `--user-data-dir` (and refuses one passed in `args`), removed when the browser closes;
 * every test context on top of it has its own storage.
 */
export async function launchBrowser(): Promise<E2EBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newPage(baseUrl, options = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        locale: options.locale ?? 'en-US',
        viewport: { width: options.width ?? 1366, height: options.height ?? 860 },
        deviceScaleFactor: 1,
        colorScheme: options.colorScheme ?? 'light',
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/**
 * Saves a PNG of the viewport (or the full page) under test-results/screenshots/<name>.png.
 * Toasts are hidden unless asked for: the story runs faster than they fade and they would
 * pile up over the screen being shown.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; toasts?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled', style: options.toasts ? undefined : '.toasts { display: none !important; }' });
  return path;
}

/**
 * Records every status badge's state as it changes (MutationObserver), so a test can assert a
 * CHECKING → OK sequence even when CHECKING lasts only a few milliseconds.
 */
export const STATE_RECORDER = `
  window.__badgeStates = [];
  const record = () => {
    for (const el of document.querySelectorAll('[data-account-id] [data-testid^="status-"]')) {
      const row = el.closest('[data-account-id]');
      const entry = { account: row.getAttribute('data-account-id'), address: row.getAttribute('data-address'), direction: el.getAttribute('data-testid').slice(7), state: el.getAttribute('data-state') };
      const last = [...window.__badgeStates].reverse().find((e) => e.account === entry.account && e.direction === entry.direction);
      if (!last || last.state !== entry.state) window.__badgeStates.push({ ...entry, at: Date.now() });
    }
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
`;

export interface BadgeState {
  account: string;
  address: string;
  direction: 'incoming' | 'outgoing';
  state: string;
  at: number;
}
