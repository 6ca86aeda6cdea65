/**
 * Classification and clustering in the Train tab:
 * - LogisticRegression on the sample's boolean `churned` (the label proposes the task and
 *   its indexing): the ROC and PR curves, the threshold control against the thresholds
 *   Spark's BinaryClassificationMetrics makes from the scored table, the label mapping,
 *   and the scored table's columns;
 * - KMeans with a k grid on the blobs fixture: the best k, Spark's centres and sizes
 *   (tests/fixtures/ml/kmeans_expected.json), the clusters table and the scatter;
 * - a multinomial LogisticRegression on the logistic fixture: Spark's coefficients per
 *   class (tests/fixtures/ml/logistic_expected.json) and the confusion matrix;
 * - settings that cannot work are explained (a binary metric for four classes, a
 *   fractional k), and a text label is offered to a classifier only.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { FIXTURES, chooseTraining, openApp, runSql, shownTable, useApp } from './harness';

const app = useApp();
const logistic = JSON.parse(readFileSync(path.join(FIXTURES, 'ml/logistic_expected.json'), 'utf8'));
const kmeans = JSON.parse(readFileSync(path.join(FIXTURES, 'ml/kmeans_expected.json'), 'utf8'));

const SAMPLE_FEATURES = ['age', 'income', 'tenure_months', 'data_gb', 'support_tickets', 'monthly_spend'];

/** Within `tolerance` of `expected`, relative, or absolute below `floor` (as the engine's own Spark checks). */
const close = (actual: number, expected: number, what: string, tolerance = 1e-4, floor = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(expected), floor), `${what}: ${actual} vs ${expected}`);

async function inkedPixels(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

/** A table's body cells' `data-value`s (or text), row by row. */
function tableValues(page: Page, testId: string): Promise<string[][]> {
  return page.$$eval(`[data-testid="${testId}"] tbody tr`, (rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.getAttribute('data-value') ?? c.textContent ?? '')),
  );
}

async function trainAndWait(page: Page): Promise<void> {
  await page.getByTestId('train-run').click();
  await page.locator('[data-testid="train-run"]:not([disabled])').waitFor({ timeout: 120_000 });
  await page.locator('[data-testid="train-summary"], [data-testid="train-error"]').first().waitFor({ timeout: 60_000 });
  const error = page.getByTestId('train-error');
  if (await error.count()) assert.fail(`training failed: ${await error.textContent()}`);
}

/** The cells of a CSV the engine wrote (RFC 4180 quoting). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      rows.push([...row, cell.replace(/\r$/, '')]);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

interface Bin {
  score: number;
  truePositives: number;
  falsePositives: number;
}

/**
 * Spark's BinaryClassificationMetrics with its default numBins = 1000, from scored rows:
 * equal scores are one threshold, thresholds sorted descending, runs of ⌊n / numBins⌋
 * merged keeping the run's lowest score; cumulated counts; trapezoidal area under ROC.
 */
function sparkBinary(rows: { score: number; positive: boolean }[]): { bins: Bin[]; areaUnderROC: number; distinct: number } {
  const byScore = new Map<number, { p: number; n: number }>();
  for (const { score, positive } of rows) {
    const counts = byScore.get(score) ?? { p: 0, n: 0 };
    if (positive) counts.p++;
    else counts.n++;
    byScore.set(score, counts);
  }
  const distinct = [...byScore.entries()].sort((a, b) => b[0] - a[0]);
  const grouping = Math.floor(distinct.length / 1000);
  const runs = grouping < 2 ? distinct.map((d) => [d]) : Array.from({ length: Math.ceil(distinct.length / grouping) }, (_, i) => distinct.slice(i * grouping, (i + 1) * grouping));
  const bins: Bin[] = [];
  let tp = 0;
  let fp = 0;
  for (const run of runs) {
    for (const [, c] of run) {
      tp += c.p;
      fp += c.n;
    }
    bins.push({ score: run[run.length - 1][0], truePositives: tp, falsePositives: fp });
  }
  const points = [{ x: 0, y: 0 }, ...bins.map((b) => ({ x: b.falsePositives / fp, y: b.truePositives / tp })), { x: 1, y: 1 }];
  let area = 0;
  for (let i = 1; i < points.length; i++) area += ((points[i].x - points[i - 1].x) * (points[i].y + points[i - 1].y)) / 2;
  return { bins, areaUnderROC: area, distinct: distinct.length };
}

/** What the threshold control shows now. */
async function thresholdShown(page: Page) {
  const slider = page.getByTestId('train-threshold');
  const value = async (testId: string) => Number(await page.getByTestId(testId).getAttribute('data-value'));
  const confusion = (await tableValues(page, 'train-confusion')).map((r) => r.map(Number));
  return {
    index: Number(await slider.getAttribute('data-index')),
    threshold: Number(await slider.getAttribute('data-threshold')),
    precision: await value('train-threshold-precision'),
    recall: await value('train-threshold-recall'),
    f1: await value('train-threshold-f1'),
    // [actual][predicted]: [[TN, FP], [FN, TP]]
    tn: confusion[0][0],
    fp: confusion[0][1],
    fn: confusion[1][0],
    tp: confusion[1][1],
  };
}

describe('Classification and clustering in the page', () => {
  it('trains LogisticRegression on a boolean label: ROC, the threshold control as Spark counts it, the label mapping, scoring', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await chooseTraining(page, 'telecom', 'churned', SAMPLE_FEATURES);
    // A boolean label proposes LogisticRegression, indexed false = 0, true = 1, ranked by areaUnderROC.
    assert.equal(await page.getByTestId('train-estimator').inputValue(), 'logisticRegression');
    assert.ok(await page.getByTestId('train-index-label').isChecked());
    assert.ok(await page.getByTestId('train-index-label').isDisabled(), 'a boolean label must be indexed');
    assert.equal(await page.getByTestId('train-label-order').inputValue(), 'alphabetAsc');
    assert.equal(await page.getByTestId('train-metric').inputValue(), 'areaUnderROC');
    await page.getByTestId('train-reg-params').fill('0, 0.01');
    await page.getByTestId('train-elastic-net-params').fill('');
    assert.equal(await page.getByTestId('train-tuning').inputValue(), 'crossValidator');
    await trainAndWait(page);

    const summary = (await page.getByTestId('train-summary').textContent()) ?? '';
    assert.match(summary, /avg areaUnderROC .* 2 grid points · 4,524 training rows · 476 skipped · 2 classes/);
    const grid = await tableValues(page, 'train-grid');
    assert.deepEqual(grid.map((r) => r[0]), ['0', '0.01']);
    assert.equal(await page.locator('[data-testid="train-grid"] tr[data-best]').count(), 1);
    assert.equal(await page.getByTestId('train-label-mapping').textContent(), 'Label indices (StringIndexer): 0 = false, 1 = true');
    for (const chart of ['chart-grid', 'chart-roc', 'chart-pr']) {
      const inked = await inkedPixels(page, chart);
      assert.ok(inked > 500, `${chart} has ${inked} inked pixels`);
    }
    // Every legend entry has a name (a dataset without a label was drawn as "undefined").
    assert.equal(await page.getByTestId('chart-roc').getAttribute('data-legend'), 'ROC | chance | chosen threshold');
    for (const legend of await page.locator('[data-testid^="chart-"]').evaluateAll((figures) => figures.map((f) => f.getAttribute('data-legend') ?? ''))) {
      assert.doesNotMatch(legend, /undefined/);
    }
    // One binomial coefficient per feature, then the intercept.
    const coefficients = await tableValues(page, 'train-coefficients');
    assert.deepEqual(coefficients.map((r) => r.length), Array(SAMPLE_FEATURES.length + 1).fill(2));

    // The threshold control at both ends of the threshold table, consistent with itself.
    const slider = page.getByTestId('train-threshold');
    const last = Number(await slider.getAttribute('max'));
    await slider.fill('0');
    const lowest = await thresholdShown(page);
    assert.equal(lowest.index, last, 'the left end is the lowest threshold');
    assert.equal(lowest.recall, 1, 'every row is predicted positive at the lowest threshold');
    assert.equal(lowest.tn + lowest.fn, 0);
    assert.equal(lowest.tp + lowest.fn + lowest.fp + lowest.tn, 4524);
    await slider.fill(String(last));
    const highest = await thresholdShown(page);
    assert.equal(highest.index, 0);
    assert.ok(highest.tp + highest.fp < 20, 'few rows are predicted positive at the highest threshold');
    for (const shown of [lowest, highest]) {
      close(shown.precision, shown.tp + shown.fp === 0 ? 1 : shown.tp / (shown.tp + shown.fp), 'precision', 1e-12);
      close(shown.recall, shown.tp / (shown.tp + shown.fn), 'recall', 1e-12);
      close(shown.f1, (2 * shown.precision * shown.recall) / (shown.precision + shown.recall), 'F1', 1e-12);
    }

    // Scoring adds Spark's classifier columns, named after the classes.
    await page.getByTestId('predict-run').click();
    await shownTable(page, 'telecom_predictions');
    const columns = await page.$$eval('[data-testid="schema"] tbody tr td:first-child', (cells) => cells.map((c) => c.textContent ?? ''));
    for (const column of ['rawPrediction_false', 'rawPrediction_true', 'probability_false', 'probability_true', 'prediction', 'predictedLabel']) {
      assert.ok(columns.includes(column), `${column} in ${columns.join(', ')}`);
    }

    // From the scored rows, Spark's thresholds: the same area, and the same counts at both ends.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('table-download-csv').click()]);
    const [header, ...cells] = parseCsv(readFileSync((await download.path())!, 'utf8'));
    const at = (name: string) => header.indexOf(name);
    const scored = cells
      .filter((r) => r[at('rawPrediction_true')] !== '')
      .map((r) => ({ score: Number(r[at('rawPrediction_true')]), positive: r[at('churned')] === 'true', predicted: r[at('predictedLabel')] }));
    assert.equal(scored.length, 4524);
    assert.ok(scored.every((r) => r.predicted === (r.score > 0 ? 'true' : 'false')), 'predictedLabel is class 1 above probability 0.5');
    const spark = sparkBinary(scored);
    const areaShown = Number(await page.locator('[data-testid="train-metrics"] tr[data-metric="areaUnderROC"] td').nth(1).getAttribute('data-value'));
    close(areaShown, spark.areaUnderROC, 'areaUnderROC of the refitted model on the training rows', 1e-9);
    assert.match((await page.getByTestId('train-output').textContent()) ?? '', new RegExp(`of ${spark.bins.length} thresholds \\(${spark.distinct} distinct scores\\)`));
    const positives = scored.filter((r) => r.positive).length;
    for (const [shown, bin] of [[highest, spark.bins[0]], [lowest, spark.bins[spark.bins.length - 1]]] as const) {
      close(shown.threshold, bin.score, 'threshold', 1e-9);
      assert.equal(shown.tp, bin.truePositives);
      assert.equal(shown.fp, bin.falsePositives);
      assert.equal(shown.fn, positives - bin.truePositives);
    }
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('tunes KMeans\' k with weights and finds Spark\'s clusters; the clusters table and the scatter', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'ml/kmeans.csv'));
    await shownTable(page, 'kmeans');
    await runSql(page, 'CREATE TABLE blobs AS SELECT x1, x2, x3, x4, w FROM kmeans WHERE `set` = 0');
    await page.locator('[data-table="blobs"]').waitFor();
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-table').selectOption('blobs');
    await page.getByTestId('train-estimator').selectOption('kMeans');
    assert.ok(await page.getByTestId('train-label').isHidden(), 'clustering has no label');
    assert.equal(await page.getByTestId('train-metric').inputValue(), 'silhouette');
    await page.getByTestId('train-weight-col').selectOption('w');
    const features = await page.getByTestId('train-features').locator('input[type=checkbox]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    assert.deepEqual(features, ['x1', 'x2', 'x3', 'x4'], 'the weight is not a feature');
    await page.getByTestId('train-k').fill('3, 4, 5, 6');
    await trainAndWait(page);

    const grid = await tableValues(page, 'train-grid');
    assert.deepEqual(grid.map((r) => r[0]), ['3', '4', '5', '6']);
    const best = await page.$$eval('[data-testid="train-grid"] tr[data-best] td', (cells) => cells.map((c) => c.textContent));
    assert.equal(best[0], '5', 'the five blobs have the best silhouette');

    // Spark's clusters for set 0, k = 5 (weighted): centres and sizes, in any order.
    const expected = kmeans.spark.find((c: { set: number; distanceMeasure: string }) => c.set === 0 && c.distanceMeasure === 'euclidean');
    const rows = (await tableValues(page, 'train-clusters')).map((r) => r.map(Number));
    assert.equal(rows.length, 5);
    // cluster, training rows, weight, silhouette, x1..x4
    const byX1 = (a: number[], b: number[]) => a[0] - b[0];
    const centres = rows.map((r) => r.slice(4)).sort(byX1);
    const sparkCentres = [...expected.centers].sort(byX1);
    centres.forEach((c, i) => c.forEach((v, j) => close(v, sparkCentres[i][j], `centre ${i} x${j + 1}`, 1e-6)));
    assert.deepEqual(rows.map((r) => r[1]).sort((a, b) => a - b), [...expected.clusterSizes].sort((a: number, b: number) => a - b));
    // The clusters' silhouettes, weighted, give the model's silhouette on the same rows.
    const weight = rows.reduce((s, r) => s + r[2], 0);
    const silhouette = rows.reduce((s, r) => s + r[2] * r[3], 0) / weight;
    const trainSilhouette = Number(await page.locator('[data-testid="train-metrics"] tr[data-metric="silhouette"] td').nth(1).getAttribute('data-value'));
    close(silhouette, trainSilhouette, 'silhouette', 1e-9);

    assert.ok((await inkedPixels(page, 'chart-clusters')) > 500);
    assert.match((await page.getByTestId('chart-clusters').getAttribute('data-legend')) ?? '', /^cluster 0 \| cluster 1 \| cluster 2 \| cluster 3 \| cluster 4 \| centres$/);
    await page.getByTestId('train-cluster-y').selectOption('x4');
    assert.match((await page.getByTestId('chart-clusters').textContent()) ?? '', /^x4 against x1 by cluster \(train rows, sample of \d+\)/);

    await page.getByTestId('predict-run').click();
    await shownTable(page, 'blobs_predictions');
    const columns = await page.$$eval('[data-testid="schema"] tbody tr td:first-child', (cells) => cells.map((c) => c.textContent ?? ''));
    assert.equal(columns.at(-1), 'prediction');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('fits a multinomial LogisticRegression as Spark does, with the confusion matrix and coefficients per class', async () => {
    const fit = logistic.fits.find((f: { name: string }) => f.name === 'multinomial l2');
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('file-input').setInputFiles(path.join(FIXTURES, 'ml/logistic.csv'));
    await shownTable(page, 'logistic');
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-estimator').selectOption('logisticRegression');
    await chooseTraining(page, 'logistic', fit.label, fit.features);
    // A numeric label holds the class indices itself: not indexed unless asked.
    assert.equal(await page.getByTestId('train-index-label').isChecked(), false);
    await page.getByTestId('train-reg-params').fill(String(fit.params.regParam));
    await page.getByTestId('train-elastic-net-params').fill(String(fit.params.elasticNetParam));
    await trainAndWait(page);

    assert.match((await page.getByTestId('train-summary').textContent()) ?? '', /avg f1 .* 3 classes/);
    assert.equal(await page.getByTestId('train-label-mapping').textContent(), 'Classes: 0, 1, 2 (the label holds class indices)');
    // The best point refitted on every row is Spark's fit on every row.
    const header = await page.$$eval('[data-testid="train-coefficients"] thead th', (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(header, ['feature', '0', '1', '2']);
    const coefficients = await tableValues(page, 'train-coefficients');
    assert.deepEqual(coefficients.map((r) => r[0]), [...fit.features, '(intercept)']);
    fit.coefficientMatrix.forEach((row: number[], k: number) => {
      row.forEach((c, j) => close(Number(coefficients[j][k + 1]), c, `class ${k} ${fit.features[j]}`, 1e-4, 1e-9));
      close(Number(coefficients[fit.features.length][k + 1]), fit.interceptVector[k], `class ${k} intercept`);
    });
    // The confusion matrix: 3 × 3 weighted counts over every row, and its rows as shares.
    const counts = (await tableValues(page, 'train-confusion')).map((r) => r.map(Number));
    assert.equal(counts.length, 3);
    assert.equal(counts.flat().reduce((a, b) => a + b, 0), 2400);
    const shares = (await tableValues(page, 'train-confusion-normalised')).map((r) => r.map(Number));
    shares.forEach((row, i) => row.forEach((share, j) => close(share, counts[i][j] / counts[i].reduce((a, b) => a + b, 0), 'row share', 1e-12)));
    // Accuracy from the matrix is the metric the page reports on the training rows.
    const accuracy = Number(await page.locator('[data-testid="train-metrics"] tr[data-metric="accuracy"] td').nth(1).getAttribute('data-value'));
    close(accuracy, (counts[0][0] + counts[1][1] + counts[2][2]) / 2400, 'accuracy', 1e-12);
    assert.equal(await page.getByTestId('chart-roc').count(), 0, 'no ROC curve for three classes');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('offers a text label to a classifier only, indexes it by frequency, and explains settings that cannot work', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await page.getByTestId('tab-train').click();
    const labels = () => page.getByTestId('train-label').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.ok(!(await labels()).includes('plan'), 'LinearRegression does not offer a text label');
    await page.getByTestId('train-estimator').selectOption('logisticRegression');
    assert.ok((await labels()).includes('plan'));
    await chooseTraining(page, 'telecom', 'plan', SAMPLE_FEATURES);
    assert.equal(await page.getByTestId('train-label-order').inputValue(), 'frequencyDesc');
    // The page cannot know the classes before training: Spark's default is left to the engine.
    assert.equal(await page.getByTestId('train-metric').inputValue(), '');
    await page.getByTestId('train-reg-params').fill('0.01');
    await page.getByTestId('train-metric').selectOption('areaUnderROC');
    await page.getByTestId('train-run').click();
    const error = page.getByTestId('train-error');
    await error.waitFor({ timeout: 60_000 });
    assert.match((await error.textContent()) ?? '', /areaUnderROC does not evaluate this model: areaUnderROC and areaUnderPR need two classes; use f1/);

    await page.getByTestId('train-metric').selectOption('accuracy');
    await trainAndWait(page);
    assert.match((await page.getByTestId('train-summary').textContent()) ?? '', /avg accuracy .* 4 classes/);
    // frequencyDesc: basic 1770 rows, standard 1445, premium 1277, unlimited 508 in the sample.
    assert.equal(await page.getByTestId('train-label-mapping').textContent(), 'Label indices (StringIndexer): 0 = basic, 1 = standard, 2 = premium, 3 = unlimited');
    assert.equal((await tableValues(page, 'train-confusion')).length, 4);

    // A form value that is not a whole number is named before anything runs.
    await page.getByTestId('train-estimator').selectOption('kMeans');
    await page.getByTestId('train-k').fill('2, 2.5');
    await page.getByTestId('train-run').click();
    assert.match((await page.getByTestId('train-error').textContent()) ?? '', /k: "2.5" is not a whole number/);
    await page.context().close();
  });
});
