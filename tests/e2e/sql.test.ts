/**
 * SQL in the page: type a query, run it with Ctrl+Enter, read the grid; errors point at
 * the query; temp views, CREATE TABLE and INSERT change the table list (replayed after a
 * restart); results download (nested
 * values as JSON text in the grid and in CSV, which the page says).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { openApp, runSql, shownTable, sqlRows, useApp } from './harness';

const app = useApp();

describe('SQL in the page', () => {
  it('runs a query with Ctrl+Enter and shows the result in the grid', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(
      page,
      `SELECT plan, count(*) AS customers, round(avg(monthly_spend), 2) AS avg_spend
FROM telecom WHERE region IS NOT NULL GROUP BY plan ORDER BY customers DESC`,
    );
    assert.equal(await page.getByTestId('sql-row-count').textContent(), '4 rows');
    const rows = await sqlRows(page);
    assert.equal(rows.length, 4);
    // DuckDB's answer for the same query on the same file.
    assert.deepEqual(
      rows.map((r) => r.slice(1)),
      [
        ['basic', '1734', '30.07'],
        ['standard', '1422', '48.69'],
        ['premium', '1251', '75.3'],
        ['unlimited', '497', '108.73'],
      ],
    );
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('explains a query as text and computes Spark aggregates with FILTER', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, 'EXPLAIN SELECT customer_id FROM telecom WHERE churned ORDER BY monthly_spend DESC LIMIT 5');
    const plan = (await page.getByTestId('sql-plan').textContent()) ?? '';
    assert.match(plan, /^== Optimized Logical Plan ==\n/);
    // The filter is in the scan, and the sort under the LIMIT keeps only 5 rows.
    assert.match(plan, /Sort \[\S+ DESC NULLS LAST\] fetch=Some\(5\)\n {6}Project customer_id#0, monthly_spend#1\n/);
    assert.match(plan, /Scan columns=\[.*\] \(customer_id, monthly_spend, churned\) filters=\[churned#\d+\]/);
    await runSql(
      page,
      `SELECT plan, count_if(churned) AS churners, percentile_approx(monthly_spend, 0.5) AS median_spend,
  count(DISTINCT region) FILTER (WHERE churned) AS churn_regions
FROM telecom GROUP BY plan ORDER BY plan`,
    );
    // pandas on the same file: churned counts, the nearest-rank median, distinct regions.
    assert.deepEqual(await sqlRows(page), [
      ['1', 'basic', '218', '29.48', '5'],
      ['2', 'premium', '162', '72.92', '5'],
      ['3', 'standard', '169', '47.66', '5'],
      ['4', 'unlimited', '52', '104.92', '5'],
    ]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('points at the error in the query and keeps the engine usable', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, 'SELECT plan,\n  nosuchcolumn\nFROM telecom');
    const error = page.getByTestId('sql-error');
    assert.match((await error.textContent()) ?? '', /column `nosuchcolumn` does not exist/);
    assert.match((await error.textContent()) ?? '', /SQL_ANALYSIS · line 2, column 3/);
    assert.equal(await page.locator('.cm-lintRange-error').count(), 1);
    await runSql(page, 'SELECT count(*) FROM telecom');
    assert.equal(await page.getByTestId('sql-row-count').textContent(), '1 row');
    await page.context().close();
  });

  it('creates views and tables that the table list and later queries see', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, "CREATE OR REPLACE TEMP VIEW churners AS SELECT * FROM telecom WHERE churned");
    assert.equal(await page.getByTestId('sql-message').textContent(), 'created view churners');
    await runSql(page, 'CREATE TABLE churn_by_plan AS SELECT plan, count(*) AS n FROM churners GROUP BY plan');
    assert.match((await page.getByTestId('sql-message').textContent()) ?? '', /created table churn_by_plan with 4 rows/);
    await page.locator('[data-table="churn_by_plan"]').waitFor();
    await runSql(page, 'SHOW TABLES');
    assert.equal(await page.getByTestId('sql-row-count').textContent(), '3 rows');
    await page.locator('[data-table="churn_by_plan"] .table-link').click();
    assert.equal((await shownTable(page, 'churn_by_plan'))['row-count'], '4');
    assert.equal((await shownTable(page, 'churn_by_plan')).source, 'made with SQL');
    await page.context().close();
  });

  it('inserts rows, follows a change made before a query, and replays it after a restart', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, 'CREATE TABLE goals (plan STRING, goal DOUBLE) USING parquet');
    assert.equal(await page.getByTestId('sql-message').textContent(), 'created table goals with 2 columns and no rows');
    await page.locator('[data-table="goals"]').waitFor();
    // The run ends with a query, yet the INSERT before it changed the table: the list follows.
    await runSql(page, "INSERT INTO goals VALUES ('basic', 30.0D), ('premium', 95.5D); SELECT * FROM goals ORDER BY plan");
    assert.equal(await page.getByTestId('sql-row-count').textContent(), '2 rows');
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [['basic', '30.0'], ['premium', '95.5']]);
    await page.locator('[data-table="goals"] .table-link').click();
    assert.equal((await shownTable(page, 'goals'))['row-count'], '2');
    // Spark's store assignment: a string is not stored in a DOUBLE column.
    await runSql(page, "INSERT INTO goals VALUES ('basic', 'high')");
    assert.match((await page.getByTestId('sql-error').textContent()) ?? '', /INCOMPATIBLE_DATA_FOR_TABLE/);
    // After a restart the statements are replayed: the table and its rows are back.
    await page.getByTestId('restart-engine').click();
    await page.getByText(/Reloaded (.*, )?telecom/).waitFor({ timeout: 60_000 });
    await runSql(page, 'SELECT count(*) FROM goals');
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [['2']]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('downloads a result as CSV', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, 'SELECT customer_id, plan FROM telecom ORDER BY customer_id LIMIT 3');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    const text = readFileSync(await download.path(), 'utf8');
    assert.equal(text, 'customer_id,plan\n100000,basic\n100001,basic\n100002,standard\n');
    await page.context().close();
  });

  it('writes formula-like text as it is, or escaped for spreadsheets when asked, and remembers the choice', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    const query = "SELECT '=1+2' AS formula, -5 AS n, '@SUM(A1)' AS at, 'plain' AS text";
    const downloaded = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
      return readFileSync(await download.path(), 'utf8');
    };
    // Every CSV download of the page has the toggle (the Table tab's too): this is the SQL tab's.
    const toggle = page.getByTestId('sql-output').getByTestId('csv-escape-formulas');
    await runSql(page, query);
    assert.equal(await toggle.isChecked(), false);
    assert.equal(await downloaded(), 'formula,n,at,text\n=1+2,-5,@SUM(A1),plain\n');
    await toggle.check();
    assert.equal(await downloaded(), "formula,n,at,text\n'=1+2,-5,'@SUM(A1),plain\n");
    // The choice holds for the next result and after a reload.
    await page.reload();
    await shownTable(page, 'telecom');
    await runSql(page, query);
    assert.equal(await toggle.isChecked(), true);
    assert.equal(await downloaded(), "formula,n,at,text\n'=1+2,-5,'@SUM(A1),plain\n");
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('shows nested results as JSON text, says CSV writes them so, and explodes arrays into rows', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, "SELECT customer_id, split(plan, 'a') AS parts FROM telecom ORDER BY customer_id LIMIT 2");
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [
      ['100000', '["b","sic"]'],
      ['100001', '["b","sic"]'],
    ]);
    assert.match((await page.getByTestId('csv-nested-note').textContent()) ?? '', /parts\) as JSON text/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    const text = readFileSync(await download.path(), 'utf8');
    assert.equal(text, 'customer_id,parts\n100000,"[""b"",""sic""]"\n100001,"[""b"",""sic""]"\n');

    // The array exploded into rows with LATERAL VIEW, and one read with array functions.
    await runSql(
      page,
      "SELECT customer_id, pos, piece FROM telecom LATERAL VIEW posexplode(split(plan, 'a')) t AS pos, piece " +
        'WHERE customer_id < 100002 ORDER BY customer_id, pos',
    );
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [
      ['100000', '0', 'b'],
      ['100000', '1', 'sic'],
      ['100001', '0', 'b'],
      ['100001', '1', 'sic'],
    ]);
    await runSql(page, "SELECT array_join(sort_array(split('c,a,b', ','), false), '-') AS j, size(array()) AS n");
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [['c-b-a', '0']]);
    // A table function and a generator's two names, as PySpark 4.3 answers them
    // (tests/fixtures/sql/make_spark_query_fixtures.py).
    await runSql(page, "SELECT id, stack(2, 'a', id, 'b', id * 10) AS (`key`, value) FROM range(2) ORDER BY id, `key`");
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [
      ['0', 'a', '0'],
      ['0', 'b', '0'],
      ['1', 'a', '1'],
      ['1', 'b', '10'],
    ]);
    // A LATERAL generator over a table, a bitwise operator, a sample with Spark's rows
    // (PySpark keeps 0, 6, 8, 11 and 13 of range(20) at REPEATABLE (7)), a notebook's SET
    // line and the function list by pattern, one statement after another.
    await runSql(
      page,
      'SELECT id, v, v & 1 AS odd FROM range(2), LATERAL explode(array(id, id + 3)) AS e(v) ORDER BY id, v',
    );
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [
      ['0', '0', '0'],
      ['0', '3', '1'],
      ['1', '1', '1'],
      ['1', '4', '0'],
    ]);
    await runSql(
      page,
      'SELECT collect_list(id) AS kept FROM (SELECT * FROM range(0, 20, 1, 1)) TABLESAMPLE (30 PERCENT) REPEATABLE (7)',
    );
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [['[0,6,8,11,13]']]);
    await runSql(page, "SET spark.sql.shuffle.partitions = 8; SHOW FUNCTIONS LIKE 'date_f*|shift*'");
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), [
      ['date_format'],
      ['date_from_unix_date'],
      ['shiftleft'],
      ['shiftright'],
      ['shiftrightunsigned'],
    ]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('shows interval values as Spark prints them, and downloads them as CSV text and as Parquet', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(
      page,
      "SELECT TIMESTAMP'2024-01-02 00:00:00' - TIMESTAMP'2024-01-01 12:00:00' AS waited, " +
        "DATE'2024-03-01' - DATE'2024-02-01' AS days, INTERVAL 1 YEAR 2 MONTHS AS term, " +
        "typeof(DATE'2024-03-01' - DATE'2024-02-01') AS t",
    );
    // PySpark 4.3's CAST(... AS STRING) of the same values (tests/fixtures/sql/make_spark_interval_fixtures.py).
    const shown = [["INTERVAL '0 12:00:00' DAY TO SECOND", "INTERVAL '29' DAY", "INTERVAL '1-2' YEAR TO MONTH", 'interval day']];
    assert.deepEqual((await sqlRows(page)).map((r) => r.slice(1)), shown);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    assert.equal(
      readFileSync(await csv.path(), 'utf8'),
      `waited,days,term,t\n${shown[0].join(',')}\n`,
    );
    const [parquet] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-parquet').click()]);
    const bytes = readFileSync(await parquet.path());
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PAR1');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
