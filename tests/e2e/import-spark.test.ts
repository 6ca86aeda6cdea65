/**
 * Importing a PipelineModel saved by PySpark in the page (issue 17): the zip dropped on
 * the Models tab's import control becomes a registered model (a run of its own, tagged
 * with the file), Predict by name scores a file with it, and the downloaded predictions
 * are Spark's (tests/fixtures/sparkml/make_import_fixtures.py); a stage Brasa does not
 * import is named in the page, and nothing is registered.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { openApp, ROOT, useApp } from './harness';
import { parseCsv } from '../tracking/scored';
import { download, predictFile } from './runs';

const app = useApp();
const FIXTURES = path.join(ROOT, 'tests/fixtures/sparkml/import');
const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, { prediction: number[]; predictedLabel?: string[]; probability?: number[][] }>;


describe('Import of a Spark ML PipelineModel', () => {
  it('registers a zipped PySpark churn classifier and predicts what Spark predicts', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('tab-models').click();
    await page.getByTestId('import-spark-file').setInputFiles(path.join(FIXTURES, 'churn_logreg.zip'));
    assert.equal(await page.getByTestId('import-spark-name').inputValue(), 'churn_logreg');
    await page.getByTestId('import-spark-name').fill('churn');
    await page.getByTestId('import-spark-button').click();
    await page.getByTestId('registry-message').filter({ hasText: 'Imported churn_logreg.zip as churn version 1' }).waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('registry-message').textContent()) ?? '', /ImputerModel → StringIndexerModel → OneHotEncoderModel → VectorAssembler → StandardScalerModel → StringIndexerModel → LogisticRegressionModel → IndexToString/);
    const model = page.locator('[data-model="churn"]');
    assert.match((await model.getByTestId('version-model').textContent()) ?? '', /^Pipeline\(StandardScaler, LogisticRegression\) · 2 classes \(no, yes\) · 6 features · label churned$/);

    await predictFile(page, path.join(FIXTURES, 'rows.csv'), 'models:/churn/1');
    const scored = parseCsv((await download(page, () => page.getByTestId('deploy-download').click())).toString('utf8'));
    const expected = EXPECTED.churn_logreg;
    assert.equal(scored.length, expected.prediction.length);
    assert.deepEqual(scored.map((r) => r.predictedLabel), expected.predictedLabel);
    scored.forEach((r, i) => {
      const p = Number(r.probability_yes);
      const e = expected.probability![i][1];
      assert.ok(Math.abs(p - e) <= 1e-9 * Math.max(1, e), `row ${i}: probability_yes ${p} vs Spark's ${e}`);
    });

    // The model's run is a run like any other: tagged with the zip it came from.
    await model.locator('button.mono').first().click();
    await page.getByText('brasa.importedFrom').first().waitFor();

    // A stage Brasa does not import: named, and nothing registered.
    await page.getByTestId('tab-models').click();
    await page.getByTestId('import-spark-file').setInputFiles(path.join(FIXTURES, 'bucketized.zip'));
    await page.getByTestId('import-spark-button').click();
    const error = page.getByTestId('registry-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /Stage 1 of 3 \(Bucketizer\) is not a stage Brasa can import/);
    assert.equal(await page.locator('[data-model="bucketized"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
