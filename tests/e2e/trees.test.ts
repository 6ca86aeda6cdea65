/**
 * Tree ensembles in the page (issue 14): a GBTClassifier predicting the sample's churn,
 * its maxIter tuned by CrossValidator; its feature importances, loss per iteration and
 * trees drawn; registered, aliased and used by `name@alias` to score a new file, whose
 * rawPrediction and probability are Spark's logistic-loss pair and whose predictedLabel
 * follows the margin; a GBTRegressor stopped early on a validationIndicatorCol; and a
 * decision tree predicting under Spark's `thresholds`.
 * (The trees themselves are Spark's: crate/tests/ml_trees.rs.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { chooseTraining, openApp, runSql, shownTable, useApp } from './harness';
import { openRun, predictFile, registerWithAlias, sampleSubset } from './runs';

const app = useApp();

/** Clicks Train and waits for the run it records; fails with the page's error if there is one. */
async function trainNewRun(page: Page, what: string): Promise<void> {
  const before = await page.getByTestId('train-status').getAttribute('data-run-id');
  await page.getByTestId('train-run').click();
  await page.waitForFunction((old) => {
    const id = document.querySelector('[data-testid="train-status"]')?.getAttribute('data-run-id');
    return (id && id !== old) || document.querySelector('[data-testid="train-error"]');
  }, before, { timeout: 120_000 });
  const error = page.getByTestId('train-error');
  if (await error.count()) assert.fail(`${what} failed: ${await error.textContent()}`);
}
const FEATURES = ['age', 'income', 'tenure_months', 'data_gb', 'support_tickets', 'monthly_spend'];

describe('Tree ensembles in the page', () => {
  it('trains a GBT churn model, draws its trees, registers it and predicts with it by alias', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await chooseTraining(page, 'telecom', 'churned', FEATURES);
    await page.getByTestId('train-estimator').selectOption('gbtClassifier');
    assert.equal(await page.getByTestId('train-metric').inputValue(), 'areaUnderROC');
    assert.equal(await page.getByTestId('train-max-depth').getAttribute('placeholder'), 'default 5');
    await page.getByTestId('train-max-iter').fill('3, 8');
    await page.getByTestId('train-max-depth').fill('3');
    const before = await page.getByTestId('train-status').getAttribute('data-run-id');
    await page.getByTestId('train-run').click();
    await page.locator('[data-testid="train-summary"], [data-testid="train-error"]').first().waitFor({ timeout: 120_000 });
    const error = page.getByTestId('train-error');
    if (await error.count()) assert.fail(`training failed: ${await error.textContent()}`);
    const summary = (await page.getByTestId('train-summary').textContent()) ?? '';
    assert.match(summary, /2 grid points · 4,524 training rows · 476 skipped · 2 classes/);

    // The best point's trees: as many as its maxIter, each drawn with collapsible nodes.
    const grid = await page.$$eval('[data-testid="train-grid"] tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? '')));
    const bestIndex = await page.$$eval('[data-testid="train-grid"] tbody tr', (rows) => rows.findIndex((r) => r.hasAttribute('data-best')));
    const bestIter = Number(grid[bestIndex][0]);
    assert.deepEqual(grid.map((r) => r[0]), ['3', '8']);
    const menu = page.getByTestId('train-tree-index');
    assert.equal(await menu.locator('option').count(), bestIter);
    const tree = page.getByTestId('train-tree');
    const nodes = Number(await tree.getAttribute('data-nodes'));
    assert.ok(nodes > 1 && nodes <= 15, `a depth-3 tree has ${nodes} nodes`);
    // Two levels open; a closed node draws its children when opened (on its toggle event,
    // after the click returns), until all are drawn.
    const drawn = () => tree.locator('details.tree-node, .tree-leaf').count();
    assert.ok((await drawn()) <= nodes);
    const closed = tree.locator('details.tree-node:not([open])');
    for (const deadline = Date.now() + 30_000; (await drawn()) < nodes; ) {
      assert.ok(Date.now() < deadline, `${await drawn()} of ${nodes} nodes drawn`);
      if (await closed.count()) await closed.first().locator(':scope > summary').click();
      else await page.waitForTimeout(20);
    }
    assert.equal(await drawn(), nodes);
    const root = (await tree.locator('details.tree-node > summary').first().textContent()) ?? '';
    assert.match(root, /^(age|income|tenure_months|data_gb|support_tickets|monthly_spend) ≤ [-\d.e]+ — root · predict [-\d.e]+ · 4524 rows · impurity/);
    await menu.selectOption(String(bestIter - 1));
    assert.equal(await page.getByTestId('train-tree').count(), 1);

    const debug = (await page.getByTestId('train-debug-string').textContent()) ?? '';
    assert.match(debug, new RegExp(`^GBTClassificationModel: uid = gbtc_brasa, numTrees=${bestIter}, numClasses=2, numFeatures=6\\n  Tree 0 \\(weight 1\\.0\\):\\n    If \\(feature \\d`));
    for (const chart of ['chart-importances', 'chart-gbt-loss', 'chart-roc']) {
      await page.getByTestId(chart).waitFor();
      assert.doesNotMatch((await page.getByTestId(chart).getAttribute('data-legend')) ?? '', /undefined/);
    }

    // Register the run's model, alias it, and predict a new file with it.
    await page.waitForFunction((old) => {
      const id = document.querySelector('[data-testid="train-status"]')?.getAttribute('data-run-id');
      return id && id !== old;
    }, before, { timeout: 30_000 });
    const runId = (await page.getByTestId('train-status').getAttribute('data-run-id'))!;
    const model = await registerWithAlias(page, await openRun(page, runId), 'churn');
    assert.match((await model.getByTestId('version-model').textContent()) ?? '', /^GBTClassifier · 2 classes \(false, true\) · 6 features · label churned$/);
    const scored = await predictFile(page, sampleSubset('new_customers.csv', 30), 'churn@champion', 'keep');
    assert.match((await scored.textContent()) ?? '', /rawPrediction_ and probability_ per class, prediction and predictedLabel/);
    const header = await page.$$eval('[data-testid="deploy-output"] .grid-header .grid-colname', (cells) => cells.map((c) => c.textContent ?? ''));
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid="deploy-output"] .grid-body .grid-row');
      return rows.length > 0 && ![...rows].some((r) => r.querySelector('.grid-loading'));
    });
    const rows = await page.$$eval('[data-testid="deploy-output"] .grid-body .grid-row', (all) => all.map((r) => [...r.querySelectorAll('.grid-cell')].slice(1).map((c) => c.textContent ?? '')));
    let checked = 0;
    for (const row of rows) {
      const at = (column: string) => row[header.indexOf(column)];
      // A row with a missing feature is kept (handleInvalid = keep) with NaN outputs.
      const margin = Number(at('rawPrediction_true'));
      if (Number.isNaN(margin)) continue;
      assert.ok(Math.abs(Number(at('rawPrediction_false')) + margin) < 1e-9, 'rawPrediction is [-margin, margin]');
      const p1 = 1 / (1 + Math.exp(-2 * margin));
      assert.ok(Math.abs(Number(at('probability_true')) - p1) < 1e-6, `probability_true ${at('probability_true')} vs ${p1}`);
      assert.equal(at('predictedLabel'), margin > 0 ? 'true' : 'false');
      checked++;
    }
    assert.ok(checked >= 20, `${checked} scored rows checked`);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
  it('stops a GBTRegressor early on the rows a validationIndicatorCol marks', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, 'CREATE TABLE spend AS SELECT *, customer_id % 5 = 0 AS is_val FROM telecom');
    await chooseTraining(page, 'spend', 'monthly_spend', ['age', 'income', 'tenure_months', 'data_gb', 'support_tickets']);
    await page.getByTestId('train-estimator').selectOption('gbtRegressor');
    const validation = page.getByTestId('train-validation-col');
    assert.deepEqual(await validation.locator('option').allTextContents(), ['(none: no early stopping)', 'churned', 'is_val']);
    await validation.selectOption('is_val');
    const offered = await page.getByTestId('train-features').locator('input[type=checkbox]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    assert.ok(!offered.includes('is_val'), 'the indicator is not a feature');
    await page.getByTestId('train-max-iter').fill('60');
    await page.getByTestId('train-step-size').fill('0.5');
    await page.getByTestId('train-run').click();
    await page.locator('[data-testid="train-summary"], [data-testid="train-error"]').first().waitFor({ timeout: 120_000 });
    const error = page.getByTestId('train-error');
    if (await error.count()) assert.fail(`training failed: ${await error.textContent()}`);
    const debug = (await page.getByTestId('train-debug-string').textContent()) ?? '';
    const kept = Number(/numTrees=(\d+)/.exec(debug)?.[1]);
    assert.ok(kept >= 1 && kept < 60, `boosting stopped early: ${kept} trees kept`);
    await page.getByTestId('chart-gbt-loss').waitFor();
    assert.match((await page.getByTestId('chart-gbt-loss').getAttribute('data-legend')) ?? '', /validation loss/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("takes a forest's featureSubsetStrategy as a name, a count or a fraction, and refuses another", async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await chooseTraining(page, 'telecom', 'churned', FEATURES);
    await page.getByTestId('train-estimator').selectOption('randomForestClassifier');
    const strategy = page.getByTestId('train-feature-subset-strategy');
    assert.equal(await strategy.inputValue(), 'auto');
    assert.deepEqual(await page.locator(`datalist#train-feature-subset-strategy-choices option`).evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)), ['auto', 'all', 'sqrt', 'log2', 'onethird']);
    await page.getByTestId('train-num-trees').fill('3');
    for (const value of ['2', '0.5']) {
      await strategy.fill(value);
      await trainNewRun(page, `featureSubsetStrategy ${value}`);
    }
    // Not a name, a count or a fraction in (0, 1]: the engine's message names the param.
    await strategy.fill('7.5');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-error').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('train-error').textContent()) ?? '', /featureSubsetStrategy/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("predicts a tree's classes with Spark's thresholds, and explains thresholds that do not fit the label", async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await chooseTraining(page, 'telecom', 'churned', FEATURES);
    await page.getByTestId('train-estimator').selectOption('decisionTreeClassifier');
    await page.getByTestId('train-max-depth').fill('3');
    const thresholds = page.getByTestId('train-thresholds');
    assert.equal(await thresholds.getAttribute('placeholder'), 'unset');
    /** Trains, then the model's confusion matrix: rows predicted true, and the rule shown. */
    const train = async (): Promise<{ predictedTrue: number; rule: string }> => {
      await trainNewRun(page, 'training');
      const cells = await page.$$eval('[data-testid="train-model-confusion"] td[data-predicted="true"]', (tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
      const rule = (await page.locator('.threshold-control h3', { hasText: "At the model's threshold" }).textContent()) ?? '';
      return { predictedTrue: cells.reduce((a, b) => a + b, 0), rule };
    };
    const plain = await train();
    assert.match(plain.rule, /\(the class of largest probability\)/);
    // p(true) / 0.1 > p(false) / 0.9 ⇔ p(true) > 0.1: more rows are predicted to churn.
    await thresholds.fill('0.9, 0.1');
    const lowered = await train();
    assert.match(lowered.rule, /\(thresholds 0\.9, 0\.1\)/);
    assert.ok(lowered.predictedTrue > plain.predictedTrue, `${lowered.predictedTrue} rows predicted true with thresholds, ${plain.predictedTrue} without`);

    await thresholds.fill('0.5');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-error').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('train-error').textContent()) ?? '', /thresholds has 1 values but the label has 2 classes/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
