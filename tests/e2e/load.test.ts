/**
 * From a dropped file to a table on screen, in Chromium with the threads build: the
 * bundled sample, CSV and Parquet drops, a bad file, an engine restart, a host without
 * isolation headers (isolated by the service worker, or the single-thread fallback where
 * service workers are blocked), and no request leaving the origin.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Table, TimestampMicrosecond, makeData, makeVector, tableToIPC } from 'apache-arrow';

import {
  FIXTURES,
  type Served,
  dropFiles,
  foreignRequests,
  gridRows,
  openApp,
  schemaRows,
  serveApp,
  shownTable,
  useApp,
} from './harness';

const app = useApp();

describe('loading files in the page', () => {
  it('starts the threads build on 2 threads and shows the bundled sample', async () => {
    const { page, requests, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    const status = page.getByTestId('engine-status');
    assert.equal(await status.getAttribute('data-flavour'), 'threads');
    assert.equal(await status.getAttribute('data-threads'), '2');
    assert.equal(await status.getAttribute('data-isolated'), 'true');
    assert.equal(await page.getByTestId('thread-count').textContent(), '2 threads');
    assert.equal(await page.getByTestId('isolation').textContent(), 'cross-origin isolated');

    const facts = await shownTable(page, 'telecom');
    assert.equal(facts['row-count'], '5,000');
    // The memory budget: what the engine holds (the sample, under 1 MB, and its runtime)
    // of the 4 GB it may use.
    const memory = page.getByTestId('engine-memory');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="engine-memory"]')?.getAttribute('data-in-use')) > 500_000);
    assert.match((await memory.textContent()) ?? '', /^memory [\d.]+ MB of 4\.0 GB$/);
    assert.equal(await memory.getAttribute('data-limit'), String(2 ** 32 - 1));
    assert.equal(facts['column-count'], '13');
    const schema = await schemaRows(page);
    assert.deepEqual(schema.slice(0, 3), [
      ['customer_id', 'int', 'true'],
      ['signup_date', 'date', 'true'],
      ['region', 'string', 'true'],
    ]);
    assert.deepEqual(schema[12], ['last_active', 'timestamp', 'true']);
    // The first rows of www/public/sample/telecom.csv, as written by the generator.
    const rows = await gridRows(page, 2);
    assert.deepEqual(rows[0], [
      '1', '100000', '2016-05-26', 'north', 'basic', 'one-year', '46', '35419.11', '104', '9.5', '2', '35.38', 'false',
      '2024-08-31 12:38:12',
    ]);
    assert.equal(rows[1][3], 'east');
    assert.deepEqual(foreignRequests(requests, new URL(app.server.url).origin), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('rehearses a load, a profile and queries before the first file, leaving the tables as they were', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    const status = page.locator('[data-testid="engine-status"][data-warm-up-ms]');
    await status.waitFor({ timeout: 60_000 });
    assert.ok(Number(await status.getAttribute('data-warm-up-ms')) > 0);
    assert.deepEqual(await page.getByTestId('table-title').allTextContents(), ['telecom']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('loads a file dropped while the rehearsal runs, which then stops', async () => {
    // A long rehearsal (200,000 rows a step), so the drop comes while it runs.
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0&warm-up=200000');
    await dropFiles(page, [{ name: 'People (2024).csv', path: path.join(FIXTURES, 'csv/people.csv') }]);
    const facts = await shownTable(page, 'people_2024');
    assert.equal(facts['row-count'], '4');
    await page.locator('[data-testid="engine-status"][data-warm-up-ms]').waitFor({ timeout: 60_000 });
    assert.deepEqual(await page.getByTestId('table-title').allTextContents(), ['people_2024']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('drops a CSV: detects the dialect, infers types and shows cells as text', async () => {
    const { page, requests } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'People (2024).csv', path: path.join(FIXTURES, 'csv/people.csv') }]);
    const facts = await shownTable(page, 'people_2024');
    assert.equal(facts['row-count'], '4');
    assert.match(facts.source, /People \(2024\)\.csv \(CSV/);
    assert.deepEqual(await schemaRows(page), [
      ['id', 'int', 'true'],
      ['name', 'string', 'true'],
      ['signup', 'date', 'true'],
      ['score', 'string', 'true'],
      ['vip', 'boolean', 'true'],
      ['<img src=x onerror="window.__pwned=1">', 'string', 'true'],
    ]);
    const rows = await gridRows(page, 4);
    assert.deepEqual(rows[0], ['1', '1', 'Ana María', '2024-01-31', '12,5', 'true', 'plain']);
    assert.deepEqual(rows[1], ['2', '2', 'Lee, Jr.', '2023-12-01', 'null', 'false', '<script>window.__pwned=2</script>']);
    assert.deepEqual(rows[2], ['3', '3', 'null', '2022-02-28', '7,25', 'null', 'multi\nline']);
    assert.deepEqual(rows[3], ['4', '4', 'Zoë "Z" Ng', 'null', '-3', 'true', 'null']);
    // Payloads in the header and cells stayed text.
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('.grid img, .schema-table img, .grid script').count(), 0);
    assert.deepEqual(foreignRequests(requests, new URL(app.server.url).origin), []);
    await page.context().close();
  });

  it('keeps a 50,000-character column name within the page, and shows a timestamp\'s zone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-e2e-'));
    const longName = 'n'.repeat(50_000);
    const csv = path.join(dir, 'long_name.csv');
    writeFileSync(csv, `${longName},b\n1,2\n`);
    // An Arrow file with a timestamp column in Paris time (2024-01-31 09:30 UTC).
    const paris = makeData({ type: new TimestampMicrosecond('Europe/Paris'), length: 1, nullCount: 0, data: new BigInt64Array([1_706_693_400_000_000n]) });
    const arrow = path.join(dir, 'zoned.arrow');
    writeFileSync(arrow, tableToIPC(new Table({ t: makeVector(paris) }), 'file'));

    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'long_name.csv', path: csv }]);
    await shownTable(page, 'long_name');
    const nameCell = page.locator('[data-testid="schema"] tbody tr td').first();
    assert.equal(await nameCell.getAttribute('title'), longName);
    // The panel, the grid and the page stay within the window: the name is cut.
    const width = await page.evaluate(() => window.innerWidth);
    for (const selector of ['[data-testid="schema"]', '.schema', '.grid']) {
      const box = await page.locator(selector).first().boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= width, `${selector}: ${JSON.stringify(box)} in ${width}px`);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    assert.deepEqual((await schemaRows(page))[1], ['b', 'int', 'true']);

    await dropFiles(page, [{ name: 'zoned.arrow', path: arrow }]);
    await shownTable(page, 'zoned');
    assert.deepEqual(await schemaRows(page), [['t', 'timestamp (Europe/Paris)', 'true']]);
    assert.deepEqual((await gridRows(page, 1))[0], ['1', '2024-01-31 10:30:00']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('drops a Parquet file written by pyarrow and shows its schema and values', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'types_zstd.parquet', path: path.join(FIXTURES, 'parquet/types_zstd.parquet') }]);
    const facts = await shownTable(page, 'types_zstd');
    assert.equal(facts['row-count'], '1,000');
    assert.equal(facts['partition-count'], '4');
    const schema = await schemaRows(page);
    assert.deepEqual(
      schema.map((row) => row[1]),
      ['bigint', 'int', 'double', 'string', 'boolean', 'date', 'timestamp', 'string', 'decimal(10,2)'],
    );
    // Row 1 as pyarrow reads it (see make_parquet_fixtures.py).
    const rows = await gridRows(page, 2);
    assert.deepEqual(rows[0], ['1', '0', 'null', 'null', 'null', 'null', '2020-01-01', '2024-01-01 00:00:00', 'red', '0.00']);
    assert.deepEqual(rows[1], ['2', '1', '-99', '-299.25', 'name-1-é', 'false', '2020-01-02', '2024-01-01 01:00:07.000001', 'green', '0.37']);
    await page.context().close();
  });

  it('explains a broken file, keeps the engine alive and loads the next file', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'broken.parquet', path: path.join(FIXTURES, 'parquet/broken_footer.parquet') }]);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /Could not load broken\.parquet/);
    assert.match(text, /PARQUET_CORRUPT/);
    await dropFiles(page, [{ name: 'people.csv', path: path.join(FIXTURES, 'csv/people.csv') }]);
    assert.equal((await shownTable(page, 'people'))['row-count'], '4');
    await page.context().close();
  });

  it('restarts the engine on request and reloads the tables it held', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await dropFiles(page, [{ name: 'people.csv', path: path.join(FIXTURES, 'csv/people.csv') }]);
    await shownTable(page, 'people');
    await page.getByTestId('restart-engine').click();
    await page.getByText(/Reloaded telecom, people\./).waitFor({ timeout: 60_000 });
    await page.locator('[data-table="telecom"]').waitFor();
    await page.locator('[data-table="people"] .table-link').click();
    assert.equal((await shownTable(page, 'people'))['row-count'], '4');
    await page.context().close();
  });
});

describe('on a host without cross-origin isolation', () => {
  let plain: Served;
  before(async () => {
    plain = await serveApp({ isolated: false });
  });
  after(async () => {
    await plain?.close();
  });

  it('gets isolation from the service worker after one reload, and runs the threads build', async () => {
    const { page, errors } = await openApp(app.browser, plain.url, '?threads=2');
    const status = page.getByTestId('engine-status');
    assert.equal(await status.getAttribute('data-flavour'), 'threads');
    assert.equal(await status.getAttribute('data-isolated'), 'true');
    assert.equal(await page.getByTestId('isolation').textContent(), 'cross-origin isolated by the service worker');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal((await shownTable(page, 'telecom'))['row-count'], '5,000');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('without service workers, falls back to the single-thread build, says why, and still loads files', async () => {
    const { page } = await openApp(app.browser, plain.url, '', { serviceWorkers: 'block' });
    const status = page.getByTestId('engine-status');
    assert.equal(await status.getAttribute('data-flavour'), 'single-thread');
    assert.equal(await status.getAttribute('data-isolated'), 'false');
    assert.match((await status.textContent()) ?? '', /not cross-origin isolated/);
    assert.match((await page.getByTestId('fallback-reason').textContent()) ?? '', /COOP\/COEP headers missing\); the service worker did not take over the page in time/);
    assert.equal((await shownTable(page, 'telecom'))['row-count'], '5,000');
    await page.context().close();
  });
});
