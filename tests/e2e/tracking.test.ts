/**
 * Tracking, registry and deployment in the page (issue 6): every training becomes an
 * MLflow-style run in IndexedDB that survives a reload and an engine crash; a run's model
 * is registered, aliased and used by `name@champion` to score another file; an
 * experiment exported and imported elsewhere exports to the same bytes; the mlruns/
 * export is read by the real MLflow, and the page's model is loaded by MLflow's pyfunc (from
 * its folder and as `models:/churn@champion`) and Spark's `PipelineModel.load` and scores
 * as Predict did; the exported PySpark job finds the same best point.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';

import { decodeBundle, encodeBundle } from '../../www/src/tracking/shared/snapshot';
import { recordedSnapshot } from '../unit/fixtures';
import { PYTHON, assertSameAsMlflow, readMlrunsDir } from '../tracking/mlflow';
import { checkMlflowModels } from '../tracking/mlflow-models';
import { assertClose, parseCsv } from '../tracking/scored';
import { ROOT, chooseTraining, loadPipeline, openApp, shownTable, useApp } from './harness';
import { SAMPLE, download, finishedRow, keyValues, openRun, predictFile, registerWithAlias, runAction, runRows, sampleSubset } from './runs';

const app = useApp();
const FEATURES = ['age', 'income', 'tenure_months', 'data_gb', 'support_tickets'];

/** Trains LinearRegression on monthly_spend (NULL rows skipped) and waits until the run is saved. */
async function train(page: Page, table: string, regParams = '0, 5, 50', elasticNetParams = '0, 1'): Promise<string> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-table').selectOption(table);
  await page.getByTestId('train-label').selectOption('monthly_spend');
  for (const box of await page.getByTestId('train-features').locator('input[type=checkbox]').all()) {
    await box.setChecked(FEATURES.includes(await box.inputValue()));
  }
  await page.getByTestId('train-handle-invalid').selectOption('skip');
  await page.getByTestId('train-reg-params').fill(regParams);
  await page.getByTestId('train-elastic-net-params').fill(elasticNetParams);
  const before = await page.getByTestId('train-status').getAttribute('data-run-id');
  await page.getByTestId('train-run').click();
  await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });
  await page.waitForFunction((old) => {
    const id = document.querySelector('[data-testid="train-status"]')?.getAttribute('data-run-id');
    return id && id !== old;
  }, before, { timeout: 30_000 });
  return (await page.getByTestId('train-status').getAttribute('data-run-id'))!;
}


describe('Tracking, registry and deployment', () => {
  it('records a training, keeps it and its registered model across a reload, and predicts with name@champion', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    const runId = await train(page, 'telecom');
    const coefficients = await page.$$eval('[data-testid="train-coefficients"] tbody tr', (rows) => rows.map((r) => Number(r.querySelectorAll('td')[1].textContent)));

    // The parent run, autologged like MLflow's CrossValidator; children hidden by default.
    await page.getByTestId('tab-runs').click();
    await finishedRow(page, runId);
    assert.deepEqual((await runRows(page)).map((r) => [r.id, r.status]), [[runId, 'FINISHED']]);
    const details = await openRun(page, runId);
    const params = await keyValues(details.getByTestId('run-params'));
    assert.equal(params.best_regParam, '0');
    assert.equal(params.best_elasticNetParam, '0');
    assert.equal(params.tuning, 'CrossValidator');
    assert.equal(params.numFolds, '3');
    assert.equal(params.labelCol, 'monthly_spend');
    assert.deepEqual(JSON.parse(params.featuresCol), FEATURES);
    const metricKeys = await details.getByTestId('run-metrics').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    for (const key of ['rmse', 'mse', 'mae', 'r2', 'avg_rmse', 'std_rmse', 'training_rmse']) assert.ok(metricKeys.includes(key), key);
    const digest = await details.getByTestId('run-digest').getAttribute('data-digest');
    assert.match(digest ?? '', /^[0-9a-f]{64}$/);
    const artifacts = await details.getByTestId('run-artifacts').locator('[data-artifact]').evaluateAll((links) => links.map((l) => l.getAttribute('data-artifact')));
    for (const file of ['job.json', 'model/model.json', 'best_parameters.json', 'search_results.csv', 'charts/grid.png', 'charts/predicted.png', 'charts/residuals.png']) {
      assert.ok(artifacts.includes(file), `artifact ${file} in ${artifacts.join(', ')}`);
    }
    const best = JSON.parse((await download(page, () => details.locator('[data-artifact="best_parameters.json"]').click())).toString());
    assert.deepEqual(best, { regParam: 0, elasticNetParam: 0 });
    const csv = (await download(page, () => details.locator('[data-artifact="search_results.csv"]').click())).toString().trim().split('\n');
    assert.equal(csv[0], 'params.regParam,params.elasticNetParam,avg_rmse,std_rmse,fold_0_rmse,fold_1_rmse,fold_2_rmse,is_best');
    assert.equal(csv.length, 7);
    const png = await download(page, () => details.locator('[data-artifact="charts/grid.png"]').click());
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);

    // Six child runs, one per grid point, with the fold values as history (stored with
    // the parent's FINISHED, so listed once the parent's row says FINISHED).
    await finishedRow(page, runId);
    await page.getByTestId('runs-show-children').check();
    assert.equal((await runRows(page)).length, 7);
    await page.getByTestId('runs-search').fill(`params.regParam = '50' and tags.mlflow.parentRunId = '${runId}'`);
    assert.equal((await runRows(page)).length, 2);
    await page.getByTestId('runs-search').fill('metrics.avg_rmse <');
    assert.match((await page.getByTestId('runs-search-error').textContent()) ?? '', /expected a value but the filter ended/);
    await page.getByTestId('runs-search').fill('');

    // A tag and a note, then register the model and set an alias.
    await details.getByTestId('tag-key').fill('team');
    await details.getByTestId('tag-value').fill('churn');
    await runAction(details, 'tag-add');
    await details.locator('[data-testid="run-tags"] tr[data-key="team"]').waitFor();
    await details.getByTestId('run-note').fill('baseline <b>not html</b>');
    await runAction(details, 'note-save');
    await registerWithAlias(page, details, 'spend');

    // Everything is still there after a reload.
    await page.reload();
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await shownTable(page, 'telecom');
    await page.getByTestId('tab-runs').click();
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"][data-status="FINISHED"]`).waitFor();
    const reopened = await openRun(page, runId);
    assert.equal((await keyValues(reopened.getByTestId('run-tags'))).team, 'churn');
    assert.equal(await reopened.getByTestId('run-note').inputValue(), 'baseline <b>not html</b>');
    await page.getByTestId('tab-models').click();
    assert.match((await page.locator('[data-model="spend"] [data-alias="champion"]').textContent()) ?? '', /@champion → v1/);

    // Re-run on the reloaded table: the digest says it is the same data, and the replay is a new run.
    const again = await openRun(page, runId);
    await again.getByTestId('replay-table').selectOption('telecom');
    await again.getByTestId('run-replay').click();
    await page.locator('[data-testid="replay-info"] [data-same-data="true"]').waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });
    await page.waitForFunction((old) => {
      const id = document.querySelector('[data-testid="train-status"]')?.getAttribute('data-run-id');
      return id && id !== old;
    }, runId, { timeout: 30_000 });
    const replayId = (await page.getByTestId('train-status').getAttribute('data-run-id'))!;
    const replay = await openRun(page, replayId);
    const replayTags = await keyValues(replay.getByTestId('run-tags'));
    assert.equal(replayTags['brasa.replayOf'], runId);
    assert.equal(replayTags['brasa.replay.sameData'], 'true');
    assert.equal(await replay.getByTestId('run-digest').getAttribute('data-digest'), digest);
    assert.equal((await keyValues(replay.getByTestId('run-params'))).best_regParam, '0');
    await page.getByTestId('tab-models').click();

    // Predict on a second file by name@champion; the prediction is the model's formula.
    const summary = await predictFile(page, sampleSubset('new_customers.csv', 40), 'spend@champion', 'keep');
    assert.equal(await summary.getAttribute('data-rows'), '40');
    assert.equal(await summary.getAttribute('data-table'), 'new_customers_predictions');
    const header = await page.$$eval('[data-testid="deploy-output"] .grid-header .grid-colname', (cells) => cells.map((c) => c.textContent ?? ''));
    await page.waitForFunction(() => {
      const row = document.querySelector('[data-testid="deploy-output"] .grid-body .grid-row');
      return row && !row.querySelector('.grid-loading');
    });
    const firstRow = await page.$$eval('[data-testid="deploy-output"] .grid-body .grid-row', (rows) => [...rows[0].querySelectorAll('.grid-cell')].slice(1).map((c) => c.textContent ?? ''));
    const value = (column: string) => Number(firstRow[header.indexOf(column)]);
    const expected = coefficients[FEATURES.length] + FEATURES.reduce((sum, f, j) => sum + coefficients[j] * value(f), 0);
    assert.ok(Math.abs(value('prediction') - expected) < 1e-3 * Math.abs(expected), `prediction ${value('prediction')} vs ${expected}`);

    // A file without `age` and with `data_gb` as text is refused before scoring, naming both.
    const broken = sampleSubset('broken.csv', 10, (head, cells) => {
      const age = head.indexOf('age');
      const gb = head.indexOf('data_gb');
      return [head.filter((_, i) => i !== age), cells.map((c) => c.map((v, i) => (i === gb ? `${v} GB` : v)).filter((_, i) => i !== age))];
    });
    await page.getByTestId('deploy-file').setInputFiles(broken);
    await page.getByTestId('deploy-status').filter({ hasText: 'as broken' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('deploy-model').fill('models:/spend/1');
    await page.getByTestId('deploy-run').click();
    const error = (await page.getByTestId('deploy-error').textContent()) ?? '';
    assert.match(error, /missing column: age/);
    assert.match(error, /data_gb is string, the model was trained on double/);
    await page.getByTestId('deploy-model').fill('spend@nobody');
    await page.getByTestId('deploy-run').click();
    await page.getByTestId('deploy-error').filter({ hasText: 'spend has no alias "nobody" (it has @champion)' }).waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('marks a cancelled training KILLED and one whose engine died FAILED, and keeps the earlier runs', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=1');
    await shownTable(page, 'telecom');
    const first = await train(page, 'telecom', '0.1', '0');
    // A table that takes the engine seconds to train on: 400,000 rows (the sample crossed
    // with 80 of its rows) and 40 features, built with SQL.
    const features = Array.from({ length: 40 }, (_, i) => `t.income * ${i + 1} + k.age * ${(i + 1) % 7} AS f${i}`).join(', ');
    await page.getByTestId('tab-sql').click();
    await page.getByTestId('sql-editor').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(`CREATE TABLE big AS SELECT ${features}, t.monthly_spend FROM telecom t CROSS JOIN (SELECT age FROM telecom LIMIT 80) k`);
    await page.getByTestId('sql-run').click();
    await page.getByTestId('sql-message').filter({ hasText: 'created table big' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-table').selectOption('big');
    await page.getByTestId('train-label').selectOption('monthly_spend');
    await page.getByTestId('train-handle-invalid').selectOption('skip');
    // Progress read from the engine's memory means the training is running in the engine.
    const running = () => page.getByTestId('train-status').filter({ hasText: 'partition passes' }).waitFor({ timeout: 30_000 });

    // Cancelled: the run ends KILLED.
    await page.getByTestId('train-run').click();
    await running();
    await page.getByTestId('train-cancel').click();
    await page.getByTestId('train-error').filter({ hasText: 'Training cancelled.' }).waitFor({ timeout: 60_000 });

    // The engine dies: the run ends FAILED with the reason.
    await page.getByTestId('train-run').click();
    await running();
    await page.getByTestId('restart-engine').click();
    await page.getByTestId('train-error').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('train-error').textContent()) ?? '', /engine stopped unexpectedly/);

    await page.getByTestId('tab-runs').click();
    await page.locator('[data-testid="run-row"][data-status="FAILED"]').waitFor({ timeout: 30_000 });
    const rows = await runRows(page);
    assert.deepEqual(rows.map((r) => r.status).sort(), ['FAILED', 'FINISHED', 'KILLED']);
    assert.equal(rows.find((r) => r.id === first)?.status, 'FINISHED');
    const failed = rows.find((r) => r.status === 'FAILED')!;
    const details = await openRun(page, failed.id);
    assert.match((await details.getByTestId('run-failure').textContent()) ?? '', /engine stopped unexpectedly/);
    // Earlier runs are intact, with their children.
    await page.getByTestId('runs-show-children').check();
    assert.equal((await runRows(page)).length, 4);
    await page.context().close();
  });

  it('a run left RUNNING by a closed page is marked FAILED on the next load', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await page.goto(new URL('?threads=2', app.server.url).href);
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await shownTable(page, 'telecom');
    // What a page killed mid-training leaves: a RUNNING run, its lock gone with the page.
    await page.evaluate(async () => {
      const open = indexedDB.open('brasa-tracking');
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const tx = db.transaction('runs', 'readwrite');
      tx.objectStore('runs').put({
        runId: 'c'.repeat(32), experimentId: '0', runName: 'interrupted', status: 'RUNNING', startTime: Date.now(), endTime: null,
        lifecycleStage: 'active', params: {}, metrics: {}, tags: { 'mlflow.runName': 'interrupted' }, inputs: [], artifacts: [],
      });
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    });
    await page.reload();
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    // The sample shown first: showing it selects the Data tab, which would hide the runs.
    await shownTable(page, 'telecom');
    await page.getByTestId('tab-runs').click();
    await page.locator(`[data-testid="run-row"][data-run-id="${'c'.repeat(32)}"][data-status="FAILED"]`).waitFor({ timeout: 30_000 });
    const details = await openRun(page, 'c'.repeat(32));
    assert.match((await details.getByTestId('run-failure').textContent()) ?? '', /closed or reloaded during the training/);
    await context.close();
  });

  it('says so when storage is full, and stores none of the result', async () => {
    const context = await app.browser.newContext();
    // The browser's quota, simulated: artifact writes fail as Chromium fails them.
    await context.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        const full = (window as unknown as { fullDisk?: 'all' | 'results' }).fullDisk;
        const isJob = (args[0] as { path?: string }).path === 'job.json';
        if (this.name === 'artifacts' && (full === 'all' || (full === 'results' && !isJob))) {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return put.apply(this, args);
      };
    });
    const page = await context.newPage();
    await page.goto(new URL('?threads=2', app.server.url).href);
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await shownTable(page, 'telecom');
    const fill = (mode: 'all' | 'results') => page.evaluate((m) => ((window as unknown as { fullDisk?: string }).fullDisk = m), mode);
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-label').selectOption('monthly_spend');
    await page.getByTestId('train-handle-invalid').selectOption('skip');

    // Full before the run could be created: no training, no run.
    await fill('all');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-error').filter({ hasText: 'The run could not be recorded, so training did not start: Browser storage is full' }).waitFor();

    // Full when the results are saved: the training's result is shown, the run says why it has none.
    await fill('results');
    await page.getByTestId('train-run').click();
    const error = page.getByTestId('train-record-error');
    await error.waitFor({ timeout: 60_000 });
    assert.match((await error.textContent()) ?? '', /the run was not saved: Browser storage is full, so nothing was saved\. Delete old runs/);
    await page.getByTestId('tab-runs').click();
    await page.getByTestId('runs-show-children').check();
    await page.locator('[data-testid="run-row"][data-status="FAILED"]').waitFor({ timeout: 30_000 });
    const rows = await runRows(page);
    assert.equal(rows.length, 1, 'no child runs were written');
    const details = await openRun(page, rows[0].id);
    assert.match((await details.getByTestId('run-failure').textContent()) ?? '', /The results could not be saved: Browser storage is full/);
    assert.equal((await keyValues(details.getByTestId('run-params'))).best_regParam, undefined, 'no best_ params were written');
    await context.close();
  });

  it('lists thousands of runs a page at a time, and searches them', async () => {
    // 3,000 imported runs: regParam cycles over 10 values, rmse grows with the run's index.
    const base = recordedSnapshot().runs[0];
    const runs = Array.from({ length: 3000 }, (_, i) => ({
      ...base,
      runId: i.toString(16).padStart(32, '0'),
      runName: `run-${i}`,
      startTime: base.startTime + i,
      params: { ...base.params, regParam: String(i % 10) },
      metrics: { rmse: [{ value: 10 + i / 100, timestamp: 1, step: 0 }] },
      tags: { 'mlflow.runName': `run-${i}` },
      artifacts: [],
    }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-many-'));
    const file = path.join(dir, 'many.brasa.json');
    writeFileSync(file, encodeBundle({ experiments: recordedSnapshot().experiments, runs, artifacts: [], registeredModels: [], modelVersions: [] }));
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('tab-runs').click();
    await page.getByTestId('runs-import-file').setInputFiles(file);
    await page.getByTestId('runs-message').filter({ hasText: 'Imported 3000 runs' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('runs-count').textContent(), '3000 runs · page 1 of 60');
    assert.equal(await page.locator('[data-testid="run-row"]').count(), 50);
    assert.equal(await page.locator('[data-testid="run-row"]').first().getAttribute('data-run-id'), runs[2999].runId, 'newest first');
    await page.getByTestId('runs-search').fill("params.regParam = '3' and metrics.rmse < 20");
    // i % 10 = 3 and 10 + i/100 < 20, so i in 3, 13, ..., 993: 100 runs.
    assert.equal(await page.getByTestId('runs-count').textContent(), '100 runs · page 1 of 2');
    await page.locator('th[data-sort="metric:rmse"] button').click();
    assert.equal(await page.locator('[data-testid="run-row"]').first().getAttribute('data-run-id'), runs[993].runId, 'largest rmse first');
    await page.context().close();
  });

  it('exports an experiment that imports elsewhere to the same bytes, as mlruns/ MLflow reads, and as a PySpark job with the same best point', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await page.getByTestId('tab-runs').click();
    await page.getByTestId('experiment-name').fill('churn');
    await page.getByTestId('experiment-create').click();
    await page.getByTestId('experiment-name').fill('churn spend');
    await page.getByTestId('experiment-rename').click();
    await page.getByTestId('experiment-select').locator('option', { hasText: 'churn spend (1)' }).waitFor({ state: 'attached' });
    assert.equal(await page.getByTestId('experiment-select').inputValue(), '1');
    const runId = await train(page, 'telecom');
    const second = await train(page, 'telecom', '0.5, 1', '0.5');

    // Compare the two trainings: side by side, parallel coordinates, scatter, history.
    await page.getByTestId('tab-runs').click();
    for (const id of [runId, second]) await finishedRow(page, id);
    for (const id of [runId, second]) await page.locator(`[data-testid="run-row"][data-run-id="${id}"] input[type=checkbox]`).check();
    await page.getByTestId('runs-compare').click();
    const compare = page.getByTestId('compare-view');
    await compare.waitFor();
    assert.equal(await compare.locator('[data-testid="parallel-coordinates"] polyline').count(), 2);
    const rmse = await compare.locator('[data-testid="compare-table"] tr[data-metric="rmse"] td').allTextContents();
    assert.equal(rmse.length, 3);
    assert.ok(rmse.slice(1).every((v) => Number(v) > 10 && Number(v) < 30), rmse.join(' '));
    assert.equal(await compare.locator('[data-testid="compare-table"] tr[data-metric="rmse"]').getAttribute('class'), 'differs');

    // Delete and restore (soft delete, as MLflow's lifecycle stage).
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"] input[type=checkbox]`).uncheck();
    await page.getByTestId('runs-delete').click();
    await page.locator(`[data-testid="run-row"][data-run-id="${second}"]`).waitFor({ state: 'detached' });
    await page.getByTestId('runs-show-deleted').check();
    await page.locator(`[data-testid="run-row"][data-run-id="${second}"].deleted input[type=checkbox]`).check();
    await page.getByTestId('runs-restore').click();
    await page.locator(`[data-testid="run-row"][data-run-id="${second}"]:not(.deleted)`).waitFor();
    await page.getByTestId('runs-show-deleted').uncheck();
    await page.locator(`[data-testid="run-row"][data-run-id="${second}"] input[type=checkbox]`).uncheck();

    const details = await openRun(page, runId);
    await registerWithAlias(page, details, 'spend');
    await page.getByTestId('tab-runs').click();

    const bundle = await download(page, () => page.getByTestId('export-experiment').click());
    const snapshot = decodeBundle(bundle.toString());
    assert.equal(snapshot.runs.length, 2 + 6 + 2);
    assert.deepEqual(snapshot.experiments.map((e) => e.name), ['churn spend']);

    // The mlruns/ zip, unpacked and read by MLflow 3 (file store).
    const zip = unzipSync(new Uint8Array(await download(page, () => page.getByTestId('export-mlruns').click())));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-mlruns-e2e-'));
    for (const [file, bytes] of Object.entries(zip)) {
      mkdirSync(path.join(dir, file.endsWith('/') ? file : path.dirname(file)), { recursive: true });
      if (!file.endsWith('/')) writeFileSync(path.join(dir, file), bytes);
    }
    const seen = readMlrunsDir(dir);
    assertSameAsMlflow(seen, snapshot);
    assert.equal(seen.models[0].aliases.champion, 1);

    // The exported PySpark job, run in local mode on the sample, picks the same point.
    const script = await download(page, () => details.getByTestId('run-export-pyspark').click());
    const scriptFile = path.join(dir, 'job.py');
    writeFileSync(scriptFile, script);
    const output = execFileSync(PYTHON, [scriptFile, SAMPLE], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    const spark = JSON.parse(output.split('\n').find((l) => l.startsWith('BRASA_RESULT '))!.slice('BRASA_RESULT '.length));
    const params = await keyValues(details.getByTestId('run-params'));
    assert.equal(spark.bestParams.regParam, Number(params.best_regParam));
    assert.equal(spark.bestParams.elasticNetParam, Number(params.best_elasticNetParam));

    // Imported into another browser profile, the experiment exports to the same bytes.
    const other = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    const bundleFile = path.join(dir, 'experiment.brasa.json');
    writeFileSync(bundleFile, bundle);
    await other.page.getByTestId('tab-runs').click();
    await other.page.getByTestId('runs-import-file').setInputFiles(bundleFile);
    await other.page.getByTestId('runs-message').filter({ hasText: 'Imported 10 runs' }).waitFor();
    const again = await download(other.page, () => other.page.getByTestId('export-experiment').click());
    assert.equal(again.toString(), bundle.toString());
    await other.page.getByTestId('tab-models').click();
    await other.page.locator('[data-model="spend"] [data-alias="champion"]').waitFor();
    await other.page.context().close();
    await page.context().close();
  });
  it('records the cleaning pipeline of a training with its model, and Predict applies it to a new file', async () => {
    const categorical = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/ml/categorical.json'), 'utf8'));
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await loadPipeline(page, 'telecom', categorical.pipeline);
    await chooseTraining(page, 'telecom', 'monthly_spend', categorical.features, { pipeline: true });
    await page.getByTestId('train-reg-params').fill('0, 1');
    await page.getByTestId('train-elastic-net-params').fill('');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-run-id'), undefined, { timeout: 30_000 });
    const runId = (await page.getByTestId('train-status').getAttribute('data-run-id'))!;
    const coefficients = new Map(await page.$$eval('[data-testid="train-coefficients"] tbody tr', (rows) =>
      rows.map((r) => {
        const [name, value] = r.querySelectorAll('td');
        return [name.textContent ?? '', Number(value.getAttribute('data-value'))] as [string, number];
      })));

    // The run keeps the pipeline as written and as fitted (with the model).
    const details = await openRun(page, runId);
    const artifacts = await details.getByTestId('run-artifacts').locator('[data-artifact]').evaluateAll((links) => links.map((l) => l.getAttribute('data-artifact')));
    assert.ok(artifacts.includes('pipeline_spec.json') && artifacts.includes('model/pipeline.json'), artifacts.join(', '));
    const fitted = JSON.parse((await download(page, () => details.locator('[data-artifact="model/pipeline.json"]').click())).toString());
    assert.equal(fitted.steps.length, 4);
    assert.deepEqual(fitted.steps[1].fitted.labels, [['basic', 'standard', 'premium', 'unlimited']]);
    // The exported PySpark job cleans the same way: same best point, and the same OLS
    // coefficients (refitted on all rows, so Spark's own folds do not matter).
    const script = await download(page, () => details.getByTestId('run-export-pyspark').click());
    const scriptFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'brasa-e2e-')), 'job.py');
    writeFileSync(scriptFile, script);
    const output = execFileSync(PYTHON, [scriptFile, SAMPLE], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    const spark = JSON.parse(output.split('\n').find((l) => l.startsWith('BRASA_RESULT '))!.slice('BRASA_RESULT '.length));
    assert.equal(spark.bestParams.regParam, 0);
    const ours = [...coefficients.entries()].filter(([name]) => name !== '(intercept)').map(([, v]) => v);
    assert.equal(spark.coefficients.length, ours.length);
    spark.coefficients.forEach((c: number, j: number) => assert.ok(Math.abs(c - ours[j]) <= 1e-6 * Math.max(Math.abs(ours[j]), 1), `coefficient ${j}: Spark ${c}, Brasa ${ours[j]}`));
    assert.ok(Math.abs(spark.intercept - (coefficients.get('(intercept)') ?? NaN)) < 1e-6 * Math.abs(spark.intercept));

    await registerWithAlias(page, details, 'spend_by_plan');

    // A new file: raw columns only; Predict imputes, indexes and one-hot encodes it as fitted.
    await predictFile(page, sampleSubset('new_plans.csv', 30), 'models:/spend_by_plan@champion', 'keep');
    const header = await page.$$eval('[data-testid="deploy-output"] .grid-header .grid-colname', (cells) => cells.map((c) => c.textContent ?? ''));
    assert.ok(header.includes('plan_vec_basic') && header.includes('region_vec_north') && header.includes('prediction'), header.join(', '));
    await page.waitForFunction(() => {
      const row = document.querySelector('[data-testid="deploy-output"] .grid-body .grid-row');
      return row && !row.querySelector('.grid-loading');
    });
    const firstRow = await page.$$eval('[data-testid="deploy-output"] .grid-body .grid-row', (rows) => [...rows[0].querySelectorAll('.grid-cell')].slice(1).map((c) => c.textContent ?? ''));
    const value = (column: string) => Number(firstRow[header.indexOf(column)]);
    let expected = coefficients.get('(intercept)') ?? NaN;
    for (const feature of categorical.features as string[]) expected += (coefficients.get(feature) ?? NaN) * value(feature);
    assert.ok(Math.abs(value('prediction') - expected) < 1e-6 * Math.abs(expected), `prediction ${value('prediction')} vs ${expected}`);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('records a LogisticRegression churn classifier, predicts with it by name@alias, exports it as mlruns/ MLflow reads and as a PySpark job with the same best point', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    // The boolean `churned` proposes LogisticRegression with the label indexed. With the
    // lasso penalty, λ = 1 zeroes every coefficient (areaUnderROC 0.5): λ = 0 wins clearly.
    await chooseTraining(page, 'telecom', 'churned', FEATURES);
    assert.equal(await page.getByTestId('train-estimator').inputValue(), 'logisticRegression');
    await page.getByTestId('train-reg-params').fill('0, 1');
    await page.getByTestId('train-elastic-net-params').fill('1');
    const before = await page.getByTestId('train-status').getAttribute('data-run-id');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-summary').waitFor({ timeout: 120_000 });
    await page.waitForFunction((old) => {
      const id = document.querySelector('[data-testid="train-status"]')?.getAttribute('data-run-id');
      return id && id !== old;
    }, before, { timeout: 30_000 });
    const runId = (await page.getByTestId('train-status').getAttribute('data-run-id'))!;

    // Autologged as MLflow records Spark's CrossValidator over a LogisticRegression.
    await page.getByTestId('tab-runs').click();
    await finishedRow(page, runId);
    const details = await openRun(page, runId);
    assert.match((await details.getByTestId('run-name').textContent()) ?? '', /^logreg-telecom-[0-9a-f]{6}$/);
    const params = await keyValues(details.getByTestId('run-params'));
    assert.equal(params.estimator, 'LogisticRegression');
    assert.equal(params.evaluator, 'BinaryClassificationEvaluator');
    assert.equal(params.metricName, 'areaUnderROC');
    assert.equal(params.labelCol, 'churned');
    assert.equal(params.best_regParam, '0');
    assert.equal(params.best_elasticNetParam ?? params.elasticNetParam, '1');
    const metricKeys = await details.getByTestId('run-metrics').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    for (const key of ['areaUnderROC', 'areaUnderPR', 'f1', 'accuracy', 'logLoss', 'avg_areaUnderROC', 'std_areaUnderROC', 'training_areaUnderROC']) assert.ok(metricKeys.includes(key), key);
    // Two dataset inputs: the table as loaded, and the rows trained on (NULL rows skipped).
    const contexts = await details.getByTestId('run-dataset').evaluateAll((inputs) => inputs.map((i) => i.getAttribute('data-context')));
    assert.deepEqual(contexts, ['source', 'training']);
    assert.match((await details.getByTestId('run-dataset-transform').textContent()) ?? '', /^telecom as loaded: 5,000 rows .*skipped \(handleInvalid = skip\); [\d,]+ trained on$/);
    // The file the table was read from, with the reader options it was read with.
    assert.match((await details.getByTestId('run-dataset-file').textContent()) ?? '', /^Read from telecom\S*\.csv as csv with sep=",", header="true", inferSchema="true", /);
    const model = JSON.parse((await download(page, () => details.locator('[data-artifact="model/model.json"]').click())).toString());
    assert.deepEqual([model.flavor, model.estimator, model.task, model.labels], ['brasa', 'LogisticRegression', 'classification', ['false', 'true']]);
    await page.getByTestId('runs-show-children').check();
    assert.equal((await runRows(page)).length, 3, 'the parent and one child per grid point');
    await page.getByTestId('runs-show-children').uncheck();

    // Registered, aliased, and used by name@alias on a new file: Spark's classifier columns.
    const registered = await registerWithAlias(page, details, 'churn');
    assert.match((await registered.getByTestId('version-model').textContent()) ?? '', /^LogisticRegression · 2 classes \(false, true\) · 5 features · label churned$/);
    const newChurners = sampleSubset('new_churners.csv', 40);
    const summary = await predictFile(page, newChurners, 'churn@champion');
    const predicted = Number(await summary.getAttribute('data-rows'));
    assert.equal(await summary.getAttribute('data-rows-in'), '40');
    assert.match((await summary.textContent()) ?? '', new RegExp(`^40 rows in, ${predicted} predictions( \\(${40 - predicted} removed by handleInvalid = skip \\(a NULL or NaN feature\\)\\))?:`));
    const header = await page.$$eval('[data-testid="deploy-output"] .grid-header .grid-colname', (cells) => cells.map((c) => c.textContent ?? ''));
    for (const column of ['rawPrediction_false', 'rawPrediction_true', 'probability_false', 'probability_true', 'prediction', 'predictedLabel']) {
      assert.ok(header.includes(column), `${column} in ${header.join(', ')}`);
    }
    await page.waitForFunction(() => {
      const row = document.querySelector('[data-testid="deploy-output"] .grid-body .grid-row');
      return row && !row.querySelector('.grid-loading');
    });
    const firstRow = await page.$$eval('[data-testid="deploy-output"] .grid-body .grid-row', (rows) => [...rows[0].querySelectorAll('.grid-cell')].slice(1).map((c) => c.textContent ?? ''));
    const cell = (column: string) => firstRow[header.indexOf(column)];
    assert.equal(cell('predictedLabel'), Number(cell('probability_true')) > 0.5 ? 'true' : 'false');
    const pagePredictions = parseCsv((await download(page, () => page.getByTestId('deploy-download').click())).toString());
    assert.equal(pagePredictions.length, predicted);

    // Every experiment as mlruns/, read by MLflow 3: the run, both inputs, the model and its alias.
    await page.getByTestId('tab-runs').click();
    const bundle = decodeBundle((await download(page, () => page.getByTestId('export-experiment').click())).toString());
    await page.getByTestId('export-mlruns-all').check();
    const zip = unzipSync(new Uint8Array(await download(page, () => page.getByTestId('export-mlruns').click())));
    await page.getByTestId('runs-message').filter({ hasText: 'Exported every experiment' }).waitFor();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-mlruns-e2e-'));
    for (const [file, bytes] of Object.entries(zip)) {
      mkdirSync(path.join(dir, file.endsWith('/') ? file : path.dirname(file)), { recursive: true });
      if (!file.endsWith('/')) writeFileSync(path.join(dir, file), bytes);
    }
    const seen = readMlrunsDir(dir);
    assertSameAsMlflow(seen, bundle);
    const parent = seen.experiments.flatMap((e: any) => e.runs).find((r: any) => r.runId === runId);
    assert.equal(parent.params.estimator, 'LogisticRegression');
    assert.deepEqual(parent.inputs.map((i: any) => [i.context, i.name]), [['source', 'telecom'], ['training', 'telecom_training']]);
    assert.deepEqual(seen.models.map((m: any) => [m.name, m.aliases]), [['churn', { champion: 1 }]]);
    // Its model is an MLflow model (spark flavor) in the run's model/ directory.
    for (const file of ['model/MLmodel', 'model/requirements.txt', 'model/sparkml/metadata/part-00000']) assert.ok(parent.artifacts.includes(file), `${file} in ${parent.artifacts.join(', ')}`);
    // "Download MLflow model" in the run: the same model as a zip of one folder.
    const modelZip = unzipSync(new Uint8Array(await download(page, () => details.getByTestId('run-download-mlflow-model').click())));
    const modelFiles = Object.keys(modelZip);
    assert.ok(modelFiles.some((f) => /^[^/]+\/MLmodel$/.test(f)) && modelFiles.some((f) => /\/sparkml\/stages\/.*LogisticRegression_/.test(f)), modelFiles.join(', '));
    assert.match(new TextDecoder().decode(modelZip[modelFiles.find((f) => f.endsWith('/MLmodel'))!]), /loader_module: mlflow\.spark/);
    // The page's model, loaded by MLflow (pyfunc, from the folder and as models:/churn@champion
    // from the mlruns/ export) and by Spark (PipelineModel.load), scores the file as Predict did.
    const modelDir = path.join(dir, 'downloaded');
    for (const [file, bytes] of Object.entries(modelZip)) {
      mkdirSync(path.join(modelDir, file.endsWith('/') ? file : path.dirname(file)), { recursive: true });
      if (!file.endsWith('/')) writeFileSync(path.join(modelDir, file), bytes);
    }
    const folder = path.join(modelDir, modelFiles.find((f) => f.endsWith('/MLmodel'))!.split('/')[0]);
    // The rows without a blank: pandas reads a blank in an integer column as NaN, which
    // MLflow's schema enforcement refuses for a `long` input (README, Export and import).
    const [inputHeader, ...inputLines] = readFileSync(newChurners, 'utf8').trim().split('\n');
    const complete = inputLines.filter((l) => !l.split(',').includes(''));
    assert.ok(complete.length >= 20, `${complete.length} complete rows`);
    const completeCsv = path.join(dir, 'complete.csv');
    writeFileSync(completeCsv, [inputHeader, ...complete].join('\n') + '\n');
    const inputColumns = inputHeader.split(',');
    const scoredComplete = pagePredictions.filter((r) => inputColumns.every((c) => r[c] !== ''));
    assert.equal(scoredComplete.length, complete.length);
    const loaded = checkMlflowModels(path.join(dir, 'models.json'), [{ name: 'churn', path: folder, csv: completeCsv, uri: 'models:/churn@champion', root: dir }]).models.churn;
    const pageIndex = scoredComplete.map((r) => Number(r.prediction));
    assertClose(loaded.pyfunc, pageIndex, 'pyfunc of the downloaded model');
    assertClose(loaded.byUri, pageIndex, 'pyfunc of models:/churn@champion');
    assertClose(loaded.spark, pageIndex, 'PipelineModel.load');
    assertClose(loaded.sparkByUri, pageIndex, 'PipelineModel.load of models:/churn@champion');
    assert.deepEqual(loaded.predictedLabel, scoredComplete.map((r) => r.predictedLabel));
    for (const [i, label] of ['false', 'true'].entries()) {
      assertClose(loaded.probability.map((p: number[]) => p[i]), scoredComplete.map((r) => Number(r[`probability_${label}`])), `probability of ${label}`);
    }

    // The exported PySpark job, run in local mode on the sample, picks the same point.
    const script = await download(page, () => details.getByTestId('run-export-pyspark').click());
    const scriptFile = path.join(dir, 'job.py');
    writeFileSync(scriptFile, script);
    const output = execFileSync(PYTHON, [scriptFile, SAMPLE], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    const spark = JSON.parse(output.split('\n').find((l) => l.startsWith('BRASA_RESULT '))!.slice('BRASA_RESULT '.length));
    assert.equal(spark.metric, 'areaUnderROC');
    assert.deepEqual(spark.grid.map((p: any) => p.regParam), [0, 1]);
    assert.equal(spark.bestIndex, 0);
    assert.equal(spark.bestParams.regParam, Number(params.best_regParam));
    if (params.best_elasticNetParam !== undefined) assert.equal(spark.bestParams.elasticNetParam, Number(params.best_elasticNetParam));
    assert.equal(spark.avgMetrics[1], 0.5, 'the lasso at λ = 1 scores every row the same');
    assert.deepEqual(spark.labels, ['false', 'true']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
