/**
 * Big tables: the preview stays a few dozen DOM rows while scrolling a million rows, and a
 * long load shows progress and can be cancelled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { gridRows, largeCsv, openApp, shownTable, useApp } from './harness';

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

  it('shows progress while loading and cancels on request', async () => {
    const file = largeCsv(3_000_000);
    const { page } = await openApp(app.browser, app.server.url, '?threads=1&sample=0');
    await page.getByTestId('file-input').setInputFiles(file);
    const job = page.getByTestId('job');
    await job.waitFor();
    assert.match((await job.textContent()) ?? '', /Loading brasa-e2e-3000000\.csv/);
    await job.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Loading brasa-e2e-3000000.csv was cancelled.').waitFor();
    await job.waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-table]').count(), 0);
    // The engine is still usable after a cancelled load.
    await page.getByTestId('file-input').setInputFiles(largeCsv(1000));
    assert.equal((await shownTable(page, 'brasa_e2e_1000'))['row-count'], '1,000');
    await page.context().close();
  });
});
