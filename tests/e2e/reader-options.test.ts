/**
 * The Reader options panel: a CSV that detection misreads (a `;` file with `#` comment
 * lines) is read again with Spark's `sep` and `comment` options set in the panel, in the
 * same table; a schema that does not fit the file is refused with its code and leaves
 * the table as it was.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import { FIXTURES, dropFiles, gridRows, openApp, schemaRows, shownTable, useApp } from './harness';

const app = useApp();

describe('reader options', () => {
  it('reads a CSV again with sep and comment set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'till.csv', path: path.join(FIXTURES, 'csv/till.csv') }]);
    await shownTable(page, 'till');
    const panel = page.getByTestId('reader-options');
    await panel.locator('summary').click();
    // The options used are shown, detection's choices included.
    assert.match(await page.getByTestId('reader-sep').inputValue(), /^.$/);
    assert.equal(await page.getByTestId('reader-comment').inputValue(), '');
    assert.equal(await page.getByTestId('reader-mode').inputValue(), 'PERMISSIVE');
    assert.equal(await page.getByTestId('reader-encoding').inputValue(), 'UTF-8');

    await page.getByTestId('reader-sep').fill(';');
    await page.getByTestId('reader-comment').fill('#');
    await page.getByTestId('reader-header').selectOption('true');
    await page.getByTestId('reader-reload').click();

    await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema"] tbody tr').length === 3, undefined, { timeout: 30_000 });
    const facts = await shownTable(page, 'till');
    assert.equal(facts['row-count'], '3');
    assert.deepEqual(await schemaRows(page), [
      ['id', 'int', 'true'],
      ['item', 'string', 'true'],
      ['amount', 'double', 'true'],
    ]);
    assert.deepEqual(await gridRows(page, 3), [
      ['1', '1', 'bread', '2.5'],
      ['2', '2', 'milk', '1.25'],
      ['3', '3', 'cheese; aged', '12.75'],
    ]);
    // One table, in place; the new panel shows the options it was read with.
    assert.deepEqual(await page.$$eval('li[data-table]', (items) => items.map((i) => i.getAttribute('data-table'))), ['till']);
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-sep').inputValue(), ';');
    assert.equal(await page.getByTestId('reader-comment').inputValue(), '#');

    // A schema with too few columns: refused with its code, the table unchanged.
    await page.getByTestId('reader-schema').fill('id INT, item STRING');
    await page.getByTestId('reader-reload').click();
    const error = page.getByTestId('reader-error');
    await error.waitFor({ timeout: 30_000 });
    const text = (await error.textContent()) ?? '';
    assert.match(text, /the schema has 2 columns but the file's first record has 3 fields/);
    assert.match(text, /CSV_SCHEMA/);
    assert.equal((await schemaRows(page)).length, 3);

    // A schema that fits: the columns take its names and types.
    await page.getByTestId('reader-schema').fill('id BIGINT, what STRING, amount DOUBLE');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="schema"] tbody tr td')?.nextElementSibling?.textContent === 'bigint', undefined, { timeout: 30_000 });
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['id', 'bigint'], ['what', 'string'], ['amount', 'double']]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
