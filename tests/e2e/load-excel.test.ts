/**
 * Excel workbooks dropped on the page (tests/fixtures/excel, written by openpyxl and
 * xlwt, checked against pandas.read_excel by crate/tests/excel_reader.rs): the first
 * sheet becomes a table with its types, error cells are counted in a warning, and the
 * sheet picker reads another sheet into the same table. An .xls workbook loads too, and
 * a zip archive that is not a workbook is refused with a message.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import { FIXTURES, dropFiles, foreignRequests, gridRows, openApp, schemaRows, shownTable, useApp } from './harness';

const app = useApp();
const EXCEL_DIR = path.join(FIXTURES, 'excel');

describe('Excel workbooks in the page', () => {
  it('reads the first sheet with its types, then another sheet picked in the table view, then its first row as data', async () => {
    const { page, requests, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'types.xlsx', path: path.join(EXCEL_DIR, 'types.xlsx') }]);
    const facts = await shownTable(page, 'types');
    assert.equal(facts['row-count'], '5');
    assert.match(facts.source, /^types\.xlsx \(EXCEL, /);
    assert.deepEqual(
      (await schemaRows(page)).map(([name, type]) => `${name} ${type}`),
      ['id bigint', 'price double', 'qty bigint', 'ok boolean', 'day date', 'at timestamp', 'name string', 'mixed string', 'time string', 'notes string'],
    );
    const rows = await gridRows(page, 5);
    assert.deepEqual(rows[0].slice(1, 9), ['1', '9.5', '3', 'true', '2024-01-31', '2024-01-31 12:30:15', 'Ana', '1']);
    assert.equal(rows[3][7], '<b>bold</b>');
    assert.equal(await page.locator('.grid b').count(), 0);
    const warnings = (await page.getByTestId('load-warnings').textContent()) ?? '';
    assert.match(warnings, /2 cells held an Excel error .* the first is J2/);

    // The picker lists the workbook's sheets; the second replaces the table in place.
    const picker = page.getByTestId('sheet-select');
    assert.deepEqual(await picker.locator('option').allTextContents(), ['types', 'second sheet']);
    assert.equal(await picker.inputValue(), 'types');
    await picker.selectOption('second sheet');
    await page.getByTestId('row-count').filter({ hasText: /^3$/ }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('table-title').textContent(), 'types');
    assert.equal(await page.getByTestId('sheet-select').inputValue(), 'second sheet');
    assert.deepEqual(
      (await schemaRows(page)).map(([name, type]) => `${name} ${type}`),
      ['city string', 'visits bigint'],
    );
    assert.deepEqual((await gridRows(page, 3)).map((row) => row.slice(1)), [['Lisboa', '10'], ['Porto', '7'], ['Faro', 'null']]);
    // Still one table, under the same name.
    assert.deepEqual(await page.$$eval('.table-list [data-table]', (items) => items.map((i) => i.getAttribute('data-table'))), ['types']);

    // The header row was detected; read as data instead, it is one more row and the
    // columns take Spark's `_c<i>` names.
    const header = page.getByTestId('sheet-header');
    assert.equal(await header.inputValue(), 'true');
    await header.selectOption('false');
    await page.getByTestId('row-count').filter({ hasText: /^4$/ }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('sheet-header').inputValue(), 'false');
    assert.equal(await page.getByTestId('sheet-select').inputValue(), 'second sheet');
    assert.deepEqual((await schemaRows(page)).map(([name, type]) => `${name} ${type}`), ['_c0 string', '_c1 string']);
    assert.deepEqual((await gridRows(page, 1)).map((row) => row.slice(1)), [['city', 'visits']]);
    assert.deepEqual(foreignRequests(requests, new URL(app.server.url).origin), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads an .xls workbook and refuses a zip archive that is not a workbook', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'legacy.xls', path: path.join(EXCEL_DIR, 'legacy.xls') }]);
    const facts = await shownTable(page, 'legacy');
    assert.equal(facts['row-count'], '3');
    assert.deepEqual(
      (await schemaRows(page)).map(([name, type]) => `${name} ${type}`),
      ['id bigint', 'amount double', 'when date', 'at timestamp', 'label string', 'flag boolean'],
    );
    assert.deepEqual((await gridRows(page, 1))[0].slice(1), ['1', '2.5', '2021-03-04', '2021-03-04 05:06:07', 'één', 'true']);

    // The hostile corpus' zip holding a text file (a zip of CSV files is a folder).
    await dropFiles(page, [{ name: 'notes.zip', path: path.join(FIXTURES, '..', 'hostile', 'excel', 'not_a_workbook.zip') }]);
    const notice = page.getByRole('alert').filter({ hasText: 'Could not load notes.zip' });
    await notice.waitFor({ timeout: 60_000 });
    const text = (await notice.textContent()) ?? '';
    assert.match(text, /not an Excel workbook/);
    assert.match(text, /UNSUPPORTED_FILE/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
