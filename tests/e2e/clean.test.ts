/**
 * Cleaning and profiling in the page: profile a table and compare with Spark SQL's
 * answers, build a three-step pipeline (Imputer in place, StringIndexer, filter) with a
 * preview before each step is added, check every step's rows against PySpark
 * (tests/fixtures/clean/expected.json), profile the result, save it as a table and query
 * it; a step that cannot run names itself.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { FIXTURES, gridRows, openApp, shownTable, sqlRows, useApp } from './harness';

const app = useApp();
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'clean/expected.json'), 'utf8'));
const threeSteps = expected.cases.find((c: { name: string }) => c.name === 'three_steps');
const indexerMedian = expected.cases.find((c: { name: string }) => c.name === 'imputer_median');

async function fact(page: Page, column: string, label: string): Promise<string> {
  return (await page.getByTestId(`profile-column-${column}`).getByTestId(`profile-${label}`).textContent()) ?? '';
}

async function stat(page: Page, column: string, name: string): Promise<string> {
  return (await page.getByTestId(`profile-column-${column}`).locator(`[data-stat="${name}"]`).textContent()) ?? '';
}

/**
 * Previews a new step and returns the preview's summary, then adds the step and waits
 * until the pipeline has run with it (a step opened or previewed before that run is done
 * would see the columns before the step, and a preview cancels the run).
 */
async function addStep(page: Page, op: string, fill: () => Promise<void>): Promise<string> {
  const steps = await page.getByTestId('clean-steps').locator('li.step:not(.source)').count();
  await page.getByTestId('clean-add-op').selectOption(op);
  await fill();
  await page.getByTestId('step-preview').click();
  const preview = page.getByTestId('clean-preview-summary');
  await preview.waitFor({ timeout: 30_000 });
  const text = (await preview.textContent()) ?? '';
  await page.getByTestId('step-apply').click();
  await page.getByTestId(`clean-step-${steps + 1}`).waitFor({ timeout: 30_000 });
  return text;
}

describe('Cleaning and profiling in the page', () => {
  it('profiles like Spark SQL, builds a previewed pipeline that matches PySpark, and saves it', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'clean/customers.csv'));
    await shownTable(page, 'customers');

    // Profile: one pass, compared with Spark SQL.
    await page.getByTestId('tab-profile').click();
    await page.getByTestId('profile-table').selectOption('customers');
    await page.getByTestId('profile-run').click();
    await page.getByTestId('profile-summary').waitFor({ timeout: 30_000 });
    const spark = expected.profile;
    assert.match(await fact(page, 'age', 'missing'), new RegExp(`^${spark.age.nulls} `));
    assert.equal(await fact(page, 'city', 'distinct'), String(spark.city.distinct));
    assert.equal(await stat(page, 'age', 'min'), String(spark.age.min));
    assert.equal(await stat(page, 'age', 'p50'), String(spark.age.quantiles[2]));
    const cityTop = await page.getByTestId('profile-column-city').locator('.top-value').first().textContent();
    assert.equal(cityTop, `${spark.city.top[0][0]}${spark.city.top[0][1]}`);
    assert.equal(await page.getByTestId('profile-column-income').getByTestId('profile-histogram').locator('.bar').count(), 20);

    // Clean: three steps, each previewed before it is added.
    await page.getByTestId('tab-clean').click();
    await page.getByTestId('clean-source').selectOption('customers');
    const imputed = await addStep(page, 'imputer', async () => {
      await page.getByTestId('step-input-cols-age').check();
      await page.getByTestId('step-input-cols-income').check();
      await page.getByTestId('step-strategy').selectOption('median');
    });
    assert.match(imputed, /^405 rows in → 405 rows out/);
    await page.getByTestId('clean-step-1').waitFor();
    const learned = await page.getByTestId('clean-step-1').locator('.learned li').allTextContents();
    assert.deepEqual(learned, [`age: surrogate ${indexerMedian.learned[0]}`, `income: surrogate ${indexerMedian.learned[1]}`]);

    await addStep(page, 'stringIndexer', async () => {
      await page.getByTestId('step-input-cols-city').check();
      await page.getByTestId('step-handle-invalid').selectOption('keep');
    });
    await page.getByTestId('clean-step-2').waitFor();
    const filtered = await addStep(page, 'filter', async () => {
      await page.getByTestId('step-condition').fill('age >= 30');
    });
    assert.match(filtered, new RegExp(`^405 rows in → ${threeSteps.rows.length} rows out`));
    await page.getByTestId('clean-step-3').waitFor();
    await page.getByTestId('clean-result-summary').waitFor();
    const stepRows = await page.getByTestId('clean-steps').getByTestId('step-rows').allTextContents();
    assert.equal(stepRows.length, 3);
    assert.match(stepRows[2], new RegExp(`^405 → ${threeSteps.rows.length} rows`));

    // The result's first rows are PySpark's (id, age imputed in place, city_index).
    const cells = await gridRows(page, 5, '[data-testid="clean-output"]');
    const columns: string[] = threeSteps.columns;
    for (let i = 0; i < 5; i++) {
      const row = threeSteps.rows[i];
      assert.equal(cells[i][1 + columns.indexOf('id')], String(row[columns.indexOf('id')]));
      assert.equal(cells[i][1 + columns.indexOf('age')], String(row[columns.indexOf('age')]));
      assert.equal(Number(cells[i][1 + columns.indexOf('city_index')]), row[columns.indexOf('city_index')]);
    }

    // Profile the result: nothing left to impute in age.
    await page.getByTestId('clean-profile').click();
    await page.getByTestId('profile-summary').waitFor({ timeout: 30_000 });
    assert.match(await fact(page, 'age', 'missing'), /^0 /);
    await page.getByTestId('profile-column-city_index').waitFor();

    // Save as a table and query it.
    await page.getByTestId('tab-clean').click();
    await page.getByTestId('clean-save-name').fill('customers_clean');
    await page.getByTestId('clean-save-table').click();
    await shownTable(page, 'customers_clean');
    await page.getByTestId('tab-sql').click();
    await page.getByTestId('sql-editor').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('SELECT count(*) AS n FROM customers_clean WHERE age < 30');
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.getByTestId('sql-row-count').waitFor({ timeout: 30_000 });
    const [[, n]] = await sqlRows(page);
    assert.equal(n, '0');
    assert.deepEqual(errors, []);
  });

  it('names the failing step and keeps the others', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'clean/customers.csv'));
    await shownTable(page, 'customers');
    await page.getByTestId('tab-clean').click();
    await addStep(page, 'dropna', async () => {});
    await page.getByTestId('clean-step-1').waitFor();
    await page.getByTestId('clean-add-op').selectOption('filter');
    await page.getByTestId('step-condition').fill('age + 1');
    await page.getByTestId('step-preview').click();
    const error = await page.getByTestId('clean-error').textContent();
    assert.match(error ?? '', /^step 2 \(filter\): .*boolean/);
    // Imputing a column with nothing to learn from names the column.
    await page.getByTestId('step-discard').click();
    await addStep(page, 'withColumn', async () => {
      await page.getByTestId('step-new-column').fill('nothing');
      await page.getByTestId('step-expr').fill('CAST(NULL AS DOUBLE)');
    });
    await page.getByTestId('clean-add-op').selectOption('imputer');
    await page.getByTestId('step-input-cols-nothing').check();
    await page.getByTestId('step-preview').click();
    assert.match((await page.getByTestId('clean-error').textContent()) ?? '', /step 3 \(imputer\): `nothing` has no values/);
    assert.equal(await page.getByTestId('clean-steps').locator('li.step').count(), 3);
  });

  it('marks the step the engine names when the pipeline fails on another table', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles([
      path.join(FIXTURES, 'clean/customers.csv'),
      path.join(FIXTURES, 'sql/orders.csv'),
    ]);
    // Two CSV files picked together: the page asks whether they are one table.
    await page.getByTestId('load-as-tables').click();
    await shownTable(page, 'orders');
    await page.getByTestId('tab-clean').click();
    await page.getByTestId('clean-source').selectOption('customers');
    await addStep(page, 'dropna', async () => {});
    await addStep(page, 'filter', async () => {
      await page.getByTestId('step-condition').fill('age >= 30');
    });
    await page.getByTestId('clean-step-2').waitFor();
    // orders has no `age`: the engine fails in step 2 and says so on the error (`step`),
    // and the Clean tab marks that step from the engine's answer.
    await page.getByTestId('clean-source').selectOption('orders');
    await page.getByTestId('clean-error').waitFor({ timeout: 30_000 });
    assert.match((await page.getByTestId('clean-error').textContent()) ?? '', /^step 2 \(filter\): .*age/);
    assert.equal(await page.getByTestId('clean-step-2').getAttribute('data-failed'), 'true');
    assert.match((await page.getByTestId('clean-step-2').locator('.error-text').textContent()) ?? '', /age/);
    assert.equal(await page.getByTestId('clean-step-1').getAttribute('data-failed'), null);
  });
});
