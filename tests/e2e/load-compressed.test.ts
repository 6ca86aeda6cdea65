/**
 * Compressed CSV files dropped on the page: gzip, zstd and bzip2 decompress in the engine
 * as the file streams in and load the same table as the plain CSV; a truncated download
 * is explained; a long load shows progress and cancels. Fixtures:
 * tests/fixtures/compressed/make_compressed_fixtures.py.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';

import { FIXTURES, READER_HOLD_MS, dropFiles, foreignRequests, gridRows, holdSliceReader, largeCsv, openApp, schemaRows, shownTable, useApp } from './harness';

const app = useApp();
const COMPRESSED = path.join(FIXTURES, 'compressed');

describe('compressed files in the page', () => {
  it('loads a .csv.gz, .csv.zst and .csv.bz2 as the plain CSV', async () => {
    const { page, requests, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    for (const [ext, compression] of [['gz', 'gzip'], ['zst', 'zstd'], ['bz2', 'bzip2']]) {
      const name = `sales_${ext}`;
      await dropFiles(page, [{ name: `${name}.csv.${ext}`, path: path.join(COMPRESSED, `sales.csv.${ext}`) }]);
      const facts = await shownTable(page, name);
      assert.equal(facts['row-count'], '2,000');
      assert.match(facts.source, new RegExp(`^${name}\\.csv\\.${ext} \\(CSV, ${compression}, `));
      assert.deepEqual(await schemaRows(page), [
        ['id', 'int', 'true'],
        ['region', 'string', 'true'],
        ['amount', 'double', 'true'],
        ['day', 'date', 'true'],
      ]);
      // The first rows of sales.csv.
      assert.deepEqual(await gridRows(page, 2), [
        ['1', '1', 'south', '37.25', '2024-02-02'],
        ['2', '2', 'east', '74.25', '2024-03-03'],
      ]);
    }
    assert.deepEqual(foreignRequests(requests, new URL(app.server.url).origin), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('explains a truncated download and loads the next file', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'sales.csv.gz', path: path.join(COMPRESSED, 'sales_truncated.csv.gz') }]);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /Could not load sales\.csv\.gz/);
    assert.match(text, /COMPRESSED_CORRUPT/);
    assert.match(text, /truncated/);
    await dropFiles(page, [{ name: 'sales.csv.bz2', path: path.join(COMPRESSED, 'sales_two_parts.csv.bz2') }]);
    assert.equal((await shownTable(page, 'sales'))['row-count'], '2,000');
    await page.context().close();
  });

  it('shows progress while decompressing and cancels on request', async () => {
    const file = largeCsv(3_000_000).replace(/\.csv$/, '.csv.gz');
    if (!existsSync(file)) writeFileSync(file, gzipSync(readFileSync(largeCsv(3_000_000)), { level: 1 }));
    const { page } = await openApp(app.browser, app.server.url, '?threads=1&sample=0');
    // Held, so the load is certainly still reading when Cancel is clicked.
    const hold = await holdSliceReader(page, READER_HOLD_MS);
    await page.getByTestId('file-input').setInputFiles(file);
    const job = page.getByTestId('job');
    await job.waitFor();
    assert.match((await job.textContent()) ?? '', /Loading brasa-e2e-3000000\.csv\.gz/);
    await job.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Loading brasa-e2e-3000000.csv.gz was cancelled.').waitFor({ timeout: READER_HOLD_MS / 2 });
    await job.waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-table]').count(), 0);
    await hold.released;
    await dropFiles(page, [{ name: 'sales.csv.zst', path: path.join(COMPRESSED, 'sales.csv.zst') }]);
    assert.equal((await shownTable(page, 'sales'))['row-count'], '2,000');
    await page.context().close();
  });
});
