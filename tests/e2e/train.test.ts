/**
 * Training in the page: drop the regression fixture, tune LinearRegression over the
 * default 4 × 3 grid with 3-fold CrossValidator, and compare the best point and the
 * refitted coefficients with scikit-learn's GridSearchCV on the same folds
 * (tests/fixtures/ml/expected.json), see the charts drawn; a StandardScaler stage in the
 * cross-validation; then score a table and bad settings.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { FIXTURES, chooseTraining, loadPipeline, openApp, shownTable, useApp } from './harness';

const app = useApp();
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'ml/expected.json'), 'utf8'));

const close = (actual: number, reference: number, what: string) =>
  assert.ok(Math.abs(actual - reference) <= 1e-3 * Math.max(Math.abs(reference), 1e-3), `${what}: ${actual} vs ${reference}`);

describe('Training in the page', () => {
  it('finds the same best grid point and coefficients as scikit-learn, then scores a table', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'ml/regression.csv'));
    await shownTable(page, 'regression');
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-table').selectOption('regression');
    await page.getByTestId('train-label').selectOption('spend');
    for (const feature of expected.features) assert.ok(await page.getByTestId(`feature-${feature}`).isChecked());
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });

    const gridRows = await page.$$eval('[data-testid="train-grid"] tbody tr', (rows) =>
      rows.map((r) => ({ best: r.getAttribute('data-best') === 'true', cells: [...r.querySelectorAll('td')].map((c) => c.textContent ?? '') })),
    );
    assert.equal(gridRows.length, 12);
    const best = gridRows.find((r) => r.best);
    assert.ok(best);
    assert.equal(Number(best.cells[0]), expected.cv.best.regParam);
    assert.equal(Number(best.cells[1]), expected.cv.best.elasticNetParam);
    for (const point of expected.cv.points) {
      const row = gridRows.find((r) => Number(r.cells[0]) === point.regParam && Number(r.cells[1]) === point.elasticNetParam);
      assert.ok(row, `grid point ${point.regParam}, ${point.elasticNetParam}`);
      close(Number(row.cells[2]), point.avgRmse, 'avg rmse');
    }
    const coefficients = await page.$$eval('[data-testid="train-coefficients"] tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? '')),
    );
    assert.deepEqual(coefficients.map((r) => r[0]), [...expected.features, '(intercept)']);
    expected.cv.coefficients.forEach((c: number, j: number) => close(Number(coefficients[j][1]), c, expected.features[j]));
    close(Number(coefficients[4][1]), expected.cv.intercept, 'intercept');

    // The three charts are drawn (no test split: on all 600 training rows).
    for (const chart of ['chart-grid', 'chart-predicted', 'chart-residuals']) {
      const inked = await page.getByTestId(chart).locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      });
      assert.ok(inked > 500, `${chart} has ${inked} inked pixels`);
    }
    assert.match((await page.getByTestId('chart-predicted').textContent()) ?? '', /train rows, sample of 600/);
    // Every legend entry is named (datasets without a label were drawn as "undefined").
    assert.equal(await page.getByTestId('chart-grid').getAttribute('data-legend'), 'avg rmse (best in orange) | avg ± std over folds');
    assert.equal(await page.getByTestId('chart-predicted').getAttribute('data-legend'), 'rows | predicted = actual');
    assert.equal(await page.getByTestId('chart-residuals').getAttribute('data-legend'), '', 'one dataset: no legend');

    await page.getByTestId('predict-run').click();
    const facts = await shownTable(page, 'regression_predictions');
    assert.equal(facts['row-count'], '600');
    // The predictions download as CSV from the table's page.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('table-download-csv').click()]);
    const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    assert.equal(lines.length, 601);
    assert.equal(lines[0].split(',').at(-1), 'prediction');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('fits a StandardScaler on each training split, as a scikit-learn Pipeline in GridSearchCV', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'ml/regression.csv'));
    await shownTable(page, 'regression');
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-label').selectOption('spend');
    await page.getByTestId('train-scaler').check();
    await page.getByTestId('train-with-mean').check();
    await page.getByTestId('train-standardization').uncheck();
    await page.getByTestId('train-reg-params').fill('0.01, 0.1, 1');
    await page.getByTestId('train-elastic-net-params').fill('0, 1');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });
    const gridRows = await page.$$eval('[data-testid="train-grid"] tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((c) => Number(c.textContent))),
    );
    assert.equal(gridRows.length, 6);
    for (const point of expected.scaledCv.points) {
      const row = gridRows.find((r) => r[0] === point.regParam && r[1] === point.elasticNetParam);
      assert.ok(row, `grid point ${point.regParam}, ${point.elasticNetParam}`);
      close(row[2], point.avgRmse, 'avg rmse with the scaler');
    }
    assert.match((await page.getByTestId('train-coefficients').textContent()) ?? '', /coefficient \(scaled feature\)/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('trains on categorical features of the sample through the Clean tab\'s pipeline, as pandas + scikit-learn', async () => {
    const categorical = JSON.parse(readFileSync(path.join(FIXTURES, 'ml/categorical.json'), 'utf8'));
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    // The pipeline (Imputer, StringIndexer, OneHotEncoder) loaded as a file in the Clean tab.
    await loadPipeline(page, 'telecom', categorical.pipeline);
    await chooseTraining(page, 'telecom', 'monthly_spend', categorical.features, { pipeline: true });
    await page.getByTestId('train-reg-params').fill(categorical.grid[0].values.join(', '));
    await page.getByTestId('train-elastic-net-params').fill(categorical.grid[1].values.join(', '));
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });
    const best = await page.$$eval('[data-testid="train-grid"] tr[data-best] td', (cells) => cells.map((c) => Number(c.textContent)));
    assert.deepEqual(best.slice(0, 2), [categorical.best.regParam, categorical.best.elasticNetParam]);
    const coefficients = await page.$$eval('[data-testid="train-coefficients"] tbody tr', (rows) =>
      rows.map((r) => {
        const [name, value] = r.querySelectorAll('td');
        return [name.textContent ?? '', value.getAttribute('data-value') ?? ''];
      }),
    );
    // The page lists features in table order; match them by name.
    const byName = new Map(coefficients.map(([name, value]) => [name, Number(value)]));
    assert.equal(byName.size, categorical.features.length + 1);
    categorical.coefficients.forEach((c: number, j: number) => close(byName.get(categorical.features[j]) ?? NaN, c, categorical.features[j]));
    close(byName.get('(intercept)') ?? NaN, categorical.intercept, 'intercept');

    // Scoring applies the fitted pipeline: the one-hot columns come back with the predictions.
    await page.getByTestId('predict-run').click();
    await shownTable(page, 'telecom_predictions');
    const columns = await page.$$eval('[data-testid="schema"] tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
    assert.ok(columns.includes('plan_vec_basic') && columns.includes('prediction'), columns.join(', '));
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('explains unusable settings instead of training', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-table').selectOption('telecom');
    await page.getByTestId('train-label').selectOption('monthly_spend');
    // The sample has NULLs; Spark's default handleInvalid = error names the first one.
    await page.getByTestId('train-run').click();
    const error = page.getByTestId('train-error');
    await error.waitFor({ timeout: 60_000 });
    assert.match((await error.textContent()) ?? '', /is NULL in row \d+; set handleInvalid to skip/);
    await page.getByTestId('train-handle-invalid').selectOption('skip');
    await page.getByTestId('train-reg-params').fill('0.1, x');
    await page.getByTestId('train-run').click();
    assert.match((await page.getByTestId('train-status').textContent()) ?? '', /regParam: "x" is not a number/);
    await page.getByTestId('train-reg-params').fill('0, 0.1');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('train-summary').textContent()) ?? '', /6 grid points/);
    await page.context().close();
  });
});
