/**
 * What every end-to-end test needs: the built app served the way `npm start` serves it
 * (vite preview of www/dist, with COOP/COEP and CSP), Debian's Chromium driven by
 * playwright-core, a way to drop files on the page, and a record of every request.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { after, before } from 'node:test';

import { type Browser, type Page, chromium } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'tests/fixtures');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves www/dist with the app's own headers, or (`isolated: false`) as a plain static
 * host that sets no COOP/COEP headers.
 */
export async function serveApp(options: { isolated?: boolean } = {}): Promise<Served> {
  const listen = { port: 0, strictPort: false, host: '127.0.0.1' };
  const server: PreviewServer =
    options.isolated === false
      ? await preview({
          configFile: false,
          root: path.join(ROOT, 'www'),
          build: { outDir: 'dist' },
          logLevel: 'error',
          preview: listen,
        })
      : await preview({ configFile: path.join(ROOT, 'www/vite.config.ts'), logLevel: 'error', preview: listen });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return { url, close: () => server.close() };
}

/**
 * The served app and a browser for the tests of one file: started before the first test,
 * closed after the last.
 */
export function useApp(): { readonly server: Served; readonly browser: Browser } {
  const shared = {} as { server: Served; browser: Browser };
  before(async () => {
    shared.server = await serveApp();
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface AppPage {
  page: Page;
  /** Every URL the page (and its workers) requested. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/**
 * Opens the app and waits until the engine reports ready. `serviceWorkers: 'block'`
 * opens it as a browser without service workers would.
 */
export async function openApp(
  browser: Browser,
  url: string,
  query = '',
  options: { serviceWorkers?: 'allow' | 'block' } = {},
): Promise<AppPage> {
  const context = await browser.newContext({ serviceWorkers: options.serviceWorkers ?? 'allow' });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(new URL(query, url).href);
  await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
  return { page, requests, errors };
}

/** Drops files on the page the way a user's drag and drop does (a `drop` event). */
export async function dropFiles(page: Page, files: { name: string; path: string; type?: string }[]): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name,
    type: f.type ?? '',
    base64: readFileSync(f.path).toString('base64'),
  }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return transfer;
  }, payload);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}

/** Waits for table `name` to be the one shown, and returns its facts. */
export async function shownTable(page: Page, name: string): Promise<Record<string, string>> {
  await page.locator('[data-testid="table-title"]', { hasText: new RegExp(`^${name}$`) }).waitFor({ timeout: 60_000 });
  const facts: Record<string, string> = {};
  for (const key of ['row-count', 'column-count', 'partition-count', 'load-time', 'source']) {
    const fact = page.getByTestId(key);
    if ((await fact.count()) > 0) facts[key] = (await fact.textContent()) ?? '';
  }
  return facts;
}

/** The schema table as `[name, type, nullable]` rows. */
export async function schemaRows(page: Page): Promise<string[][]> {
  return page.$$eval('[data-testid="schema"] tbody tr', (rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
}

/**
 * The first `count` visible data rows (row number first) of the grid in `scope` (the
 * first grid of the page by default), once their window has come from the engine: the
 * rows are drawn on the next animation frame, their cells when the engine answers.
 */
export async function gridRows(page: Page, count: number, scope = ''): Promise<string[][]> {
  const selector = `${scope} .grid-body .grid-row`.trim();
  await page.waitForFunction(
    ({ selector, n }) => {
      const rows = document.querySelectorAll(selector);
      return rows.length >= n && ![...rows].slice(0, n).some((r) => r.querySelector('.grid-loading'));
    },
    { selector, n: count },
    { timeout: 30_000 },
  );
  return page.$$eval(selector, (rows, n) =>
    rows.slice(0, n).map((row) => [...row.querySelectorAll('.grid-cell')].map((c) => c.textContent ?? '')),
  count);
}

/**
 * Every visible data row (row number first) of the grid in `scope`, once the grid has
 * drawn its rows and all of them have come from the engine.
 */
export async function loadedRows(page: Page, scope: string): Promise<string[][]> {
  const selector = `${scope} .grid-body .grid-row`;
  await page.waitForFunction((selector) => {
    const rows = [...document.querySelectorAll(selector)];
    return rows.length > 0 && !rows.some((r) => r.querySelector('.grid-loading'));
  }, selector, { timeout: 30_000 });
  return page.$$eval(selector, (rows) =>
    rows.map((row) => [...row.querySelectorAll('.grid-cell')].map((c) => c.textContent ?? '')),
  );
}

/** The SQL result's rows as the grid shows them, once their window has come from the engine. */
export function sqlRows(page: Page): Promise<string[][]> {
  return loadedRows(page, '[data-testid="sql-output"]');
}

/** Types `sql` in the SQL tab's editor, runs it with Ctrl+Enter and waits for the outcome. */
export async function runSql(page: Page, sql: string): Promise<void> {
  await page.getByTestId('tab-sql').click();
  const editor = page.getByTestId('sql-editor');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('ControlOrMeta+Enter');
  // The run button is disabled while the query runs (set when Ctrl+Enter is handled), and
  // the previous outcome stays on screen until the new one replaces it.
  await page.locator('[data-testid="sql-run"]:not([disabled])').waitFor({ timeout: 120_000 });
  await page
    .locator('[data-testid="sql-row-count"], [data-testid="sql-error"], [data-testid="sql-message"]')
    .first()
    .waitFor({ timeout: 60_000 });
}

/** Only same-origin requests, and the blob: / data: URLs the page makes itself. */
export function foreignRequests(requests: string[], origin: string): string[] {
  return requests.filter((r) => !r.startsWith(origin) && !r.startsWith('blob:') && !r.startsWith('data:'));
}

/**
 * A generated CSV of `rows` rows (`id,label,value` with `value = id * 0.5`), written once
 * to the temp directory, for tests that need a big file.
 */
export function largeCsv(rows: number): string {
  const file = path.join(os.tmpdir(), `brasa-e2e-${rows}.csv`);
  if (existsSync(file)) return file;
  const lines: string[] = ['id,label,value'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},row ${i},${i * 0.5}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** How long a cancel test keeps the slice reader from answering. */
export const READER_HOLD_MS = 10_000;

/**
 * Keeps the page's slice reader worker busy for `ms`, so a load started now is certainly
 * still waiting for its first slice when the test clicks Cancel (on a quick machine a big
 * file loads in about a second, and a test racing that was flaky). `released` settles
 * when the reader is free again.
 */
export async function holdSliceReader(page: Page, ms: number): Promise<{ released: Promise<void> }> {
  for (const started = Date.now(); Date.now() - started < 30_000; await page.waitForTimeout(50)) {
    const reader = page.workers().find((w) => w.url().includes('slice-reader'));
    if (!reader) continue;
    const released = reader.evaluate((hold) => {
      const until = Date.now() + hold;
      while (Date.now() < until);
    }, ms);
    return { released };
  }
  throw new Error(`no slice reader among the workers: ${page.workers().map((w) => w.url()).join(', ')}`);
}

/** Loads a pipeline spec as a file in the Clean tab onto `table` and waits for its result. */
export async function loadPipeline(page: Page, table: string, spec: unknown): Promise<void> {
  await page.getByTestId('tab-clean').click();
  await page.getByTestId('clean-source').selectOption(table);
  await page.getByTestId('clean-load-input').setInputFiles({
    name: 'pipeline.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(spec)),
  });
  await page.getByTestId('clean-result-summary').waitFor({ timeout: 60_000 });
}

/** Sets the Train tab to train `label` on exactly `features` of `table` (NULL rows skipped). */
export async function chooseTraining(page: Page, table: string, label: string, features: string[], options: { pipeline?: boolean } = {}): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-table').selectOption(table);
  if (options.pipeline) await page.getByTestId('train-use-pipeline').check();
  await page.getByTestId('train-label').selectOption(label);
  for (const box of await page.getByTestId('train-features').locator('input[type=checkbox]').all()) {
    await box.setChecked(features.includes(await box.inputValue()));
  }
  await page.getByTestId('train-handle-invalid').selectOption('skip');
}
