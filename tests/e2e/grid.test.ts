/**
 * Big tables: the preview stays a few dozen DOM rows while scrolling a million rows, and a
 * long load shows progress and can be cancelled.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { READER_HOLD_MS, gridRows, holdSliceReader, largeCsv, openApp, runSql, shownTable, sqlRows, useApp } from './harness';

const app = useApp();

describe('a million rows in the page', () => {
  it('scrolls from the first to the last row with only the visible rows in the DOM', async () => {
    const file = largeCsv(1_000_000);
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles(file);
    const facts = await shownTable(page, 'brasa_e2e_1000000');
    assert.equal(facts['row-count'], '1,000,000');
    assert.deepEqual((await gridRows(page, 1))[0], ['1', '1', 'row 1', '0.5']);

    const viewport = page.locator('.grid-viewport');
    await viewport.evaluate((el) => (el.scrollTop = el.scrollHeight));
    // The row numbers draw at once; the cells once their window arrives from the engine.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.grid-body .grid-row .grid-rownum')].some((c) => c.textContent === '1,000,000') &&
        !document.querySelector('.grid-body .grid-loading'),
    );
    const last = await page.$$eval('.grid-body .grid-row', (rows) =>
      rows.map((row) => [...row.querySelectorAll('.grid-cell')].map((c) => c.textContent ?? '')).at(-1),
    );
    // Doubles print as Spark's show() prints them.
    assert.deepEqual(last, ['1,000,000', '1000000', 'row 1000000', '500000.0']);

    await viewport.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await page.waitForFunction(() => {
      const first = document.querySelector('.grid-body .grid-row .grid-rownum')?.textContent ?? '';
      const n = Number(first.replaceAll(',', ''));
      return n > 400_000 && n < 600_000 && !document.querySelector('.grid-body .grid-loading');
    });
    const middle = await page.$$eval('.grid-body .grid-row', (rows) =>
      rows.map((row) => [...row.querySelectorAll('.grid-cell')].map((c) => c.textContent ?? '')),
    );
    for (const [rowNumber, id, label, value] of middle) {
      const n = Number(rowNumber.replaceAll(',', ''));
      assert.ok(n > 400_000 && n < 600_000, `row ${rowNumber} is near the middle`);
      assert.deepEqual([id, label, Number(value)], [String(n), `row ${n}`, n * 0.5]);
    }
    assert.ok(middle.length < 80, `${middle.length} rows in the DOM`);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a file of many slices in the reader worker, every row once and in order', async () => {
    // 3M rows: 85 MB of CSV, three of the loader's 32 MB slices; gzipped, five or more of
    // the 4 MB slices a compressed file is read in. Rows are cut across every boundary.
    const plain = largeCsv(3_000_000);
    const gzipped = plain.replace(/\.csv$/, '.csv.gz');
    if (!existsSync(gzipped)) writeFileSync(gzipped, gzipSync(readFileSync(plain), { level: 1 }));
    for (const file of [plain, gzipped]) {
      const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
      await page.getByTestId('file-input').setInputFiles(file);
      assert.equal((await shownTable(page, 'brasa_e2e_3000000'))['row-count'], '3,000,000');
      // Read by the slice reader, not by the engine worker's fallback.
      assert.ok(
        page.workers().some((w) => w.url().includes('slice-reader')),
        `workers: ${page.workers().map((w) => w.url()).join(', ')}`,
      );
      await runSql(
        page,
        'SELECT count(*), count(DISTINCT id), sum(id), min(id), max(id), ' +
          "count_if(label <> concat('row ', id) OR value <> id * 0.5) FROM brasa_e2e_3000000",
      );
      assert.deepEqual(await sqlRows(page), [['1', '3000000', '3000000', '4500001500000', '1', '3000000', '0']]);
      // In the file's order: each row's id one more than the row's before it.
      await runSql(
        page,
        'SELECT count(*), count_if(step <> 1) FROM (SELECT id - lag(id) OVER (ORDER BY monotonically_increasing_id()) AS step FROM brasa_e2e_3000000)',
      );
      assert.deepEqual(await sqlRows(page), [['1', '3000000', '0']]);
      assert.deepEqual(errors, []);
      await page.context().close();
    }
  });

  it('shows progress while loading and cancels on request', async () => {
    const file = largeCsv(3_000_000);
    const { page } = await openApp(app.browser, app.server.url, '?threads=1&sample=0');
    // The slice reader is held busy, so the load is certainly still reading when Cancel is
    // clicked (on a quick machine the whole file loads in about a second), and the cancel
    // must end the wait for a slice rather than wait for the reader.
    const hold = await holdSliceReader(page, READER_HOLD_MS);
    await page.getByTestId('file-input').setInputFiles(file);
    const job = page.getByTestId('job');
    await job.waitFor();
    assert.match((await job.textContent()) ?? '', /Loading brasa-e2e-3000000\.csv/);
    await job.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Loading brasa-e2e-3000000.csv was cancelled.').waitFor({ timeout: READER_HOLD_MS / 2 });
    await job.waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-table]').count(), 0);
    await hold.released;
    // The engine is still usable after a cancelled load.
    await page.getByTestId('file-input').setInputFiles(largeCsv(1000));
    assert.equal((await shownTable(page, 'brasa_e2e_1000'))['row-count'], '1,000');
    await page.context().close();
  });
});
