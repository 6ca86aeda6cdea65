/**
 * Folders of Parquet, CSV and JSON files in the page: Spark's Hive-partitioned output
 * picked as a folder or dropped as a zip reads as one table, the `column=value` folders as typed columns,
 * with the rows Spark reads (tests/fixtures/hive/make_hive_fixtures.py); a table downloads
 * as a partitioned folder (zip) that reads back the same; folders that cannot be one table
 * are explained; several files of one format picked together are one table or one each,
 * as the user chooses.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { unzipSync, zipSync } from 'fflate';
import type { Page } from 'playwright-core';

import { FIXTURES, ROOT, dropFiles, foreignRequests, openApp, runSql, schemaRows, shownTable, sqlRows, useApp } from './harness';

const app = useApp();
const SALES = path.join(FIXTURES, 'hive/sales');
const TEMP = mkdtempSync(path.join(tmpdir(), 'brasa-folder-'));

/** The files under `dir`, keyed by their path from `dir`'s own name down. */
function filesOf(dir: string, prefix = path.basename(dir)): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(files, filesOf(full, `${prefix}/${name}`));
    else files[`${prefix}/${name}`] = readFileSync(full);
  }
  return files;
}

function zipFile(name: string, files: Record<string, Uint8Array>): string {
  const file = path.join(TEMP, name);
  writeFileSync(file, zipSync(files, { level: 0 }));
  return file;
}

/** The answer Spark gives for this query on the fixture (rows of make_hive_fixtures.py). */
const BY_REGION_2024 = [
  ['1', 'null', '1', '8.0'],
  ['2', 'north', '1', 'null'],
  ['3', 'north/east', '1', '3.25'],
  ['4', 'south west', '1', '1.0'],
];
const QUERY = (table: string) =>
  `SELECT region, count(*) AS n, sum(amount) AS amount FROM ${table} WHERE year = 2024 GROUP BY region ORDER BY region NULLS FIRST`;

async function expectSalesTable(page: Page, name: string): Promise<void> {
  const facts = await shownTable(page, name);
  assert.equal(facts['row-count'], '7');
  assert.deepEqual(await schemaRows(page), [
    ['id', 'int', 'true'],
    ['name', 'string', 'true'],
    ['amount', 'double', 'true'],
    ['year', 'int', 'true'],
    ['region', 'string', 'true'],
  ]);
  await runSql(page, QUERY(name));
  const rows = await sqlRows(page);
  assert.deepEqual(rows, BY_REGION_2024);
}

describe('folders of Parquet files in the page', () => {
  it('reads a picked Hive-partitioned folder as Spark does, and its zip the same', async () => {
    const { page, requests, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('folder-input').setInputFiles(SALES);
    const facts = await shownTable(page, 'sales');
    // Spark's _SUCCESS and .crc files are not data.
    assert.match(facts.source, /^sales \(7 Parquet files, partitioned by year, region, /);
    await expectSalesTable(page, 'sales');
    // The condition on a partition column decides whole files, as Spark's PartitionFilters.
    await runSql(page, `EXPLAIN ${QUERY('sales')}`);
    const plan = (await page.getByTestId('sql-plan').textContent()) ?? '';
    assert.match(plan, /Scan columns=\[.*\) filters=\[\(year#\d+ = 2024\)\] partitionFilters=\[\(year#\d+ = 2024\)\]\n/);

    await dropFiles(page, [{ name: 'sales_zip.zip', path: zipFile('sales_zip.zip', filesOf(SALES)) }]);
    await expectSalesTable(page, 'sales_zip');
    assert.deepEqual(foreignRequests(requests, new URL(app.server.url).origin), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a folder of CSV files with one schema over all of them, as Spark infers it', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    // PySpark wrote it with a header, partitioned by year; alone, the 2023 file reads
    // `code` as int and `n` as bigint, the 2024 file `code` as string and `n` as int.
    await page.getByTestId('folder-input').setInputFiles(path.join(FIXTURES, 'hive/csv_sales'));
    const facts = await shownTable(page, 'csv_sales');
    assert.match(facts.source, /^csv_sales \(3 CSV files, partitioned by year, /);
    assert.equal(facts['row-count'], '5');
    // spark.read.csv(folder, header=True, inferSchema=True) on the same folder.
    assert.deepEqual(await schemaRows(page), [
      ['id', 'int', 'true'],
      ['name', 'string', 'true'],
      ['amount', 'double', 'true'],
      ['code', 'string', 'true'],
      ['n', 'bigint', 'true'],
      ['year', 'int', 'true'],
    ]);
    // The files were read again with the widest type of each column: the options show it.
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-schema').inputValue(), '`id` int, `name` string, `amount` double, `code` string, `n` bigint');
    // Spark's own default, inferSchema off, reads the whole folder again as text.
    await page.getByTestId('reader-schema').fill('');
    await page.getByTestId('reader-inferSchema').uncheck();
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="schema"] tbody tr td')?.nextElementSibling?.textContent === 'string', undefined, { timeout: 30_000 });
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [
      ['id', 'string'],
      ['name', 'string'],
      ['amount', 'string'],
      ['code', 'string'],
      ['n', 'string'],
      ['year', 'int'],
    ]);
    // Every value as PySpark wrote it (`007` stays `007`), the year from the folder names.
    const salesRows = [
      ['1', '1', '7', '5', '2023'],
      ['2', '2', '12', '3000000000', '2023'],
      ['3', '3', 'A-3', '2', '2024'],
      ['4', '4', '007', '1', '2024'],
      ['5', '5', '9', 'null', '2025'],
    ];
    await runSql(page, 'SELECT id, code, n, year FROM csv_sales ORDER BY CAST(id AS INT)');
    assert.deepEqual(await sqlRows(page), salesRows);
    // Zipped, the same folder is the same table.
    const zipped = zipFile('csv_zip.zip', filesOf(path.join(FIXTURES, 'hive/csv_sales')));
    await dropFiles(page, [{ name: 'csv_zip.zip', path: zipped }]);
    assert.match((await shownTable(page, 'csv_zip')).source, /^csv_zip\.zip \(3 CSV files, partitioned by year, /);
    assert.deepEqual((await schemaRows(page)).map((r) => r[1]), ['int', 'string', 'double', 'string', 'bigint', 'int']);
    // Written with compression gzip (part-….csv.gz), the same folder is the same table.
    await page.getByTestId('folder-input').setInputFiles(path.join(FIXTURES, 'hive/csv_gz_sales'));
    assert.match((await shownTable(page, 'csv_gz_sales')).source, /^csv_gz_sales \(3 CSV files, partitioned by year, /);
    assert.deepEqual((await schemaRows(page)).map((r) => r[1]), ['int', 'string', 'double', 'string', 'bigint', 'int']);
    await runSql(page, 'SELECT id, code, n, year FROM csv_gz_sales ORDER BY id');
    assert.deepEqual(await sqlRows(page), salesRows);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a folder of JSON files with one schema over all of them, as spark.read.json does', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    // PySpark wrote it a year at a time: alone, the 2023 file reads `amount` as bigint and
    // has no `note` nor `tags`, the 2024 file `amount` as double and `tags` as string, the
    // 2025 file `tags` as an array.
    const expected = (
      JSON.parse(readFileSync(path.join(FIXTURES, 'hive/hive_expected.json'), 'utf8')) as {
        cases: { case: string; schema: string[][]; rows: Record<string, unknown>[] }[];
      }
    ).cases.find((c) => c.case === 'json_sales')!;
    const zipped = zipFile('json_zip.zip', filesOf(path.join(FIXTURES, 'hive/json_sales')));
    await dropFiles(page, [{ name: 'json_zip.zip', path: zipped }]);
    const facts = await shownTable(page, 'json_zip');
    assert.match(facts.source, /^json_zip\.zip \(3 JSON files, partitioned by year, /);
    assert.equal(facts['row-count'], String(expected.rows.length));
    // spark.read.json(folder) on the same folder.
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), expected.schema);
    // Read with Spark's JSON options, shown (and changeable) as for a JSON file.
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-mode').inputValue(), 'PERMISSIVE');
    // `amount` merged to double, `code` to string holding each value's text, `tags` the
    // 2025 array's JSON text: as Spark reads them.
    const text = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? v : String(v));
    const want = [...expected.rows]
      .sort((a, b) => (a.id as number) - (b.id as number))
      // The grid's row number first.
      .map((r, i) => [String(i + 1), text(r.id), text(r.amount === null ? null : Math.round((r.amount as number) * 100)), text(r.code), text(r.tags), text(r.year)]);
    await runSql(page, 'SELECT id, CAST(round(amount * 100) AS BIGINT) AS cents, code, tags, year FROM json_zip ORDER BY id');
    assert.deepEqual(await sqlRows(page), want);
    // Picked as a folder, written with compression gzip (part-….json.gz): the same table.
    await page.getByTestId('folder-input').setInputFiles(path.join(FIXTURES, 'hive/json_gz_sales'));
    assert.match((await shownTable(page, 'json_gz_sales')).source, /^json_gz_sales \(3 JSON files, partitioned by year, /);
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), expected.schema);
    await runSql(page, 'SELECT id, CAST(round(amount * 100) AS BIGINT) AS cents, code, tags, year FROM json_gz_sales ORDER BY id');
    assert.deepEqual(await sqlRows(page), want);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('downloads a table as a partitioned folder that reads back the same', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('folder-input').setInputFiles(SALES);
    await shownTable(page, 'sales');
    await page.getByTestId('partitioned-download').locator('summary').click();
    await page.locator('[data-testid="partitioned-download"] input[data-column="region"]').check();
    await page.locator('[data-testid="partitioned-download"] input[data-column="year"]').check();
    assert.equal(await page.getByTestId('partition-folders').textContent(), 'region=…/year=…/part-00000.zstd.parquet');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('partition-download').click()]);
    assert.equal(download.suggestedFilename(), 'sales.zip');
    const zip = readFileSync(await download.path());
    const paths = Object.keys(unzipSync(zip)).sort();
    assert.deepEqual(paths, [
      'sales/_SUCCESS',
      'sales/region=__HIVE_DEFAULT_PARTITION__/year=2024/part-00000.zstd.parquet',
      'sales/region=north%2Feast/year=2024/part-00000.zstd.parquet',
      'sales/region=north/year=2023/part-00000.zstd.parquet',
      'sales/region=north/year=2024/part-00000.zstd.parquet',
      'sales/region=south west/year=2024/part-00000.zstd.parquet',
      'sales/region=south/year=2023/part-00000.zstd.parquet',
      'sales/region=south/year=2025/part-00000.zstd.parquet',
    ]);
    const back = path.join(TEMP, 'sales_back.zip');
    writeFileSync(back, zip);
    await dropFiles(page, [{ name: 'sales_back.zip', path: back }]);
    const facts = await shownTable(page, 'sales_back');
    assert.equal(facts['row-count'], '7');
    // The partition columns come last, in folder order.
    assert.deepEqual((await schemaRows(page)).map((r) => r[0]), ['id', 'name', 'amount', 'region', 'year']);
    await runSql(page, QUERY('sales_back'));
    assert.deepEqual(await sqlRows(page), BY_REGION_2024);
    await page.context().close();
  });

  it('reads several files of one format picked together as one table, or each as its own, as the user chooses', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    // Spark's seven part files of the sales folder, as loose files (no partition folders).
    const loose = path.join(TEMP, 'loose');
    mkdirSync(loose, { recursive: true });
    const parts = Object.entries(filesOf(SALES))
      .filter(([name]) => name.endsWith('.parquet') && !path.basename(name).startsWith('.'))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, bytes], i) => {
        const file = path.join(loose, `sales_${i + 1}.parquet`);
        writeFileSync(file, bytes);
        return file;
      });
    assert.equal(parts.length, 7);
    await page.getByTestId('file-input').setInputFiles(parts);
    const choice = page.getByTestId('notice-choice');
    await choice.waitFor();
    assert.match((await choice.textContent()) ?? '', /7 Parquet files: one table, or 7\?.*As one table \(sales\), they are read as spark\.read\.parquet\(path1, path2, …\)/);
    await choice.getByTestId('load-as-one-table').click();
    const facts = await shownTable(page, 'sales');
    assert.equal(facts['row-count'], '7');
    assert.match(facts.source, /^sales \(7 Parquet files/);
    // The files' own columns (no partition folders, so no partition columns), and Spark's rows.
    assert.deepEqual(await schemaRows(page), [
      ['id', 'int', 'true'],
      ['name', 'string', 'true'],
      ['amount', 'double', 'true'],
    ]);
    const spark = JSON.parse(readFileSync(path.join(FIXTURES, 'hive/hive_expected.json'), 'utf8')).cases.find((c: { case: string }) => c.case === 'sales');
    const expected = (spark.rows as { id: number; name: string; amount: number | null }[])
      .sort((a, b) => a.id - b.id)
      .map((r, i) => [String(i + 1), String(r.id), r.name, r.amount === null ? 'null' : Number.isInteger(r.amount) ? r.amount.toFixed(1) : String(r.amount)]);
    await runSql(page, 'SELECT id, name, amount FROM sales ORDER BY id');
    assert.deepEqual(await sqlRows(page), expected);

    // The same two files, each a table of its own.
    await page.getByTestId('file-input').setInputFiles(parts.slice(0, 2));
    await page.getByTestId('notice-choice').getByTestId('load-as-tables').click();
    await page.locator('[data-table="sales_2"]').waitFor();
    await shownTable(page, 'sales_2');
    assert.equal(await page.locator('[data-table="sales_1"]').count(), 1);

    // Files whose columns disagree: the folder's error, naming the file.
    const mismatched = unzipSync(readFileSync(path.join(ROOT, 'tests/hostile/folder/mismatched_schema.zip')));
    const ids = ['k=1/part-0.parquet', 'k=2/part-0.parquet'].map((name, i) => {
      const file = path.join(loose, `ids_${i + 1}.parquet`);
      writeFileSync(file, mismatched[name]);
      return file;
    });
    await page.getByTestId('file-input').setInputFiles(ids);
    await page.getByTestId('notice-choice').getByTestId('load-as-one-table').click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not load ids' });
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /HIVE_SCHEMA/);
    assert.match(text, /ids_2\.parquet/);
    await page.context().close();
  });

  it('explains folders that cannot be one table', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    const north = path.join(SALES, 'year=2023/region=north');
    const parquet = readFileSync(path.join(north, readdirSync(north).find((f) => f.endsWith('.parquet') && !f.startsWith('.'))!));
    const brokenFooter = readFileSync(path.join(FIXTURES, 'parquet/broken_footer.parquet'));
    const cases: { name: string; files: Record<string, Uint8Array>; code: RegExp; says: RegExp }[] = [
      { name: 'mixed.zip', files: { 'mixed/a=1/part-0.parquet': parquet, 'mixed/b=2/part-0.parquet': parquet }, code: /HIVE_LAYOUT/, says: /not laid out alike/ },
      { name: 'withcsv.zip', files: { 'withcsv/a=1/part-0.parquet': parquet, 'withcsv/a=2/notes.csv': new TextEncoder().encode('x\n1\n') }, code: /UNSUPPORTED_FILE/, says: /holds withcsv\/a=2\/notes\.csv, which is not a Parquet file/ },
      { name: 'badfooter.zip', files: { 'badfooter/a=1/part-0.parquet': parquet, 'badfooter/a=2/part-0.parquet': brokenFooter }, code: /PARQUET_CORRUPT/, says: /badfooter\/a=2\/part-0\.parquet: / },
      { name: 'nothing.zip', files: { 'nothing/_SUCCESS': new Uint8Array() }, code: /HIVE_LAYOUT/, says: /no data file/ },
      { name: 'csvfirst.zip', files: { 'csvfirst/a=1/part-0.csv': new TextEncoder().encode('x\n1\n'), 'csvfirst/a=2/part-0.parquet': parquet }, code: /UNSUPPORTED_FILE/, says: /csvfirst\/a=2\/part-0\.parquet is not a CSV file, and csvfirst\/a=1\/part-0\.csv is: a folder is read as one table when its files are all Parquet, all CSV/ },
      { name: 'jsonfirst.zip', files: { 'jsonfirst/a=1/part-0.json': new TextEncoder().encode('{"x": 1}\n'), 'jsonfirst/a=2/part-0.csv': new TextEncoder().encode('x\n1\n') }, code: /UNSUPPORTED_FILE/, says: /jsonfirst\/a=2\/part-0\.csv is not a JSON file, and jsonfirst\/a=1\/part-0\.json is/ },
    ];
    for (const { name, files, code, says } of cases) {
      await dropFiles(page, [{ name, path: zipFile(name, files) }]);
      const alert = page.getByRole('alert').filter({ hasText: `Could not load ${name}` });
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      assert.match(text, code);
      assert.match(text, says);
    }
    await page.context().close();
  });
});
