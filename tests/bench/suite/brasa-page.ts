/**
 * The benchmark's actions on Brasa's own page, done as a person does them (file input,
 * SQL editor, Profile, Clean and Train tabs) and timed by the engine worker: each summary
 * carries `data-elapsed-ms` (or `data-ms` for a load), which is read and then cleared so
 * the next run waits for its own.
 */
import type { Page } from 'playwright-core';

const TIMEOUT = 600_000;

/** Waits for a summary carrying its time, reads it, and clears it for the next run. */
async function elapsed(page: Page, testId: string): Promise<number> {
  const summary = page.locator(`[data-testid="${testId}"][data-elapsed-ms]`);
  await summary.waitFor({ timeout: TIMEOUT });
  const ms = Number(await summary.getAttribute('data-elapsed-ms'));
  await page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.removeAttribute('data-elapsed-ms'), testId);
  return ms;
}

/** Opens a file through the file input; returns the worker's load time. */
export async function loadFile(page: Page, file: string, table: string): Promise<number> {
  return pickAndLoad(page, 'file-input', file, table);
}

/** Picks a folder (as the page's *Open folder* does) and returns its load time. */
export async function loadFolder(page: Page, folder: string, table: string): Promise<number> {
  return pickAndLoad(page, 'folder-input', folder, table);
}

async function pickAndLoad(page: Page, input: 'file-input' | 'folder-input', picked: string, table: string): Promise<number> {
  await page.getByTestId('tab-table').click();
  await page.getByTestId(input).setInputFiles(picked);
  const loadTime = page.locator(`.table-header:has([data-testid="table-title"]:text-is("${table}")) [data-testid="load-time"]`);
  await loadTime.waitFor({ timeout: TIMEOUT });
  return Number(await loadTime.getAttribute('data-ms'));
}

export async function dropTable(page: Page, table: string): Promise<void> {
  await page.getByTestId('tab-table').click();
  await page.getByRole('button', { name: `Drop table ${table}` }).click();
  await page.locator(`[data-testid="table-title"]:text-is("${table}")`).waitFor({ state: 'detached' });
}

/** Types a statement into the SQL editor and runs it; returns the statement's time. */
export async function sql(page: Page, text: string): Promise<number> {
  await page.getByTestId('tab-sql').click();
  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
  await page.keyboard.press('ControlOrMeta+Enter');
  return elapsed(page, 'sql-status');
}

export async function profile(page: Page, table: string): Promise<number> {
  await page.getByTestId('tab-profile').click();
  await page.getByTestId('profile-table').selectOption(table);
  await page.getByTestId('profile-run').click();
  return elapsed(page, 'profile-summary');
}

/**
 * Loads a pipeline file in the Clean tab, which runs it. `run` is added to the first
 * step's condition as a no-op term so the engine's step cache never serves a run.
 */
export async function clean(page: Page, table: string, pipeline: { steps: { condition: string }[] }, run: number): Promise<number> {
  await page.getByTestId('tab-clean').click();
  await page.getByTestId('clean-source').selectOption(table);
  const spec = structuredClone(pipeline);
  spec.steps[0].condition += ` AND ${run} = ${run}`;
  await page.getByTestId('clean-load-input').setInputFiles({ name: `bench-${run}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(spec)) });
  return elapsed(page, 'clean-summary');
}

/** A training job as tests/bench/cv_spec.json, logistic_spec.json, trees_spec.json and kmeans_page_spec.json write it. */
export interface TrainingSpec {
  /** Spark's estimator (the Train tab's choice); LinearRegression when absent. */
  estimator?: string;
  /** The label; absent for clustering. */
  label?: string;
  /** Params set to one value (not tuned), by Spark's name. */
  params?: Record<string, string | number>;
  features: string[];
  handleInvalid: string;
  seed: number;
  /** CrossValidator (numFolds) unless `kind` says TrainValidationSplit (trainRatio). */
  tuning: { kind?: 'crossValidator' | 'trainValidationSplit'; numFolds?: number; trainRatio?: number };
  grid: { param: string; values: number[] }[];
  /** The evaluator's metric; the Train tab's default for the task when absent. */
  metric?: string;
}

/** The Train tab's test id of a param's grid field (as `paramTestId` in the page). */
const gridTestId = (param: string): string =>
  ({ regParam: 'train-reg-params', elasticNetParam: 'train-elastic-net-params', seed: 'train-estimator-seed' })[param] ??
  `train-${param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Sets one estimator param's field (a menu or a text box), opening the *Solver* section it may be in. */
async function setParam(page: Page, param: string, value: string): Promise<void> {
  const control = page.getByTestId(gridTestId(param));
  if (!(await control.isVisible())) await page.locator('.estimator-params details > summary').click();
  if ((await control.evaluate((e) => e.tagName)) === 'SELECT') await control.selectOption(value);
  else await control.fill(value);
}

/** Sets the Train tab up as the spec says. */
export async function setUpTraining(page: Page, table: string, spec: TrainingSpec): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-table').selectOption(table);
  await page.getByTestId('train-estimator').selectOption(spec.estimator ?? 'linearRegression');
  if (spec.label !== undefined) await page.getByTestId('train-label').selectOption(spec.label);
  for (const box of await page.locator('[data-testid="train-features"] input[type=checkbox]').all()) {
    await box.setChecked(spec.features.includes(await box.inputValue()));
  }
  await page.getByTestId('train-handle-invalid').selectOption(spec.handleInvalid);
  const { kind = 'crossValidator', numFolds, trainRatio } = spec.tuning;
  await page.getByTestId('train-tuning').selectOption(kind);
  if (kind === 'crossValidator') await page.getByTestId('train-num-folds').fill(String(numFolds));
  else await page.getByTestId('train-train-ratio').fill(String(trainRatio));
  await page.getByTestId('train-seed').fill(String(spec.seed));
  for (const [param, value] of Object.entries(spec.params ?? {})) await setParam(page, param, String(value));
  for (const axis of spec.grid) await setParam(page, axis.param, axis.values.join(', '));
  if (spec.metric) await page.getByTestId('train-metric').selectOption(spec.metric);
}

/** Trains as set up; returns the time and the best grid row's cells (its params, then its avg and std metric). */
export async function train(page: Page): Promise<{ ms: number; best: number[] }> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-run').click();
  const summary = page.locator('[data-testid="train-summary"][data-elapsed-ms]');
  await summary.waitFor({ timeout: TIMEOUT });
  const best = await page.$$eval('[data-testid="train-grid"] tr[data-best] td', (cells) => cells.map((c) => Number(c.textContent)));
  return { ms: await elapsed(page, 'train-summary'), best };
}

/** The sizes of the trained model's clusters (the Train tab's clusters table), smallest first. */
export async function clusterSizes(page: Page): Promise<number[]> {
  const sizes = await page.$$eval('[data-testid="train-clusters"] tbody tr td:nth-child(2)', (cells) => cells.map((c) => Number(c.textContent)));
  return sizes.sort((a, b) => a - b);
}

/**
 * Time to first interaction of a first visit (a fresh browser context: no cache, no
 * service worker): from navigation to the engine ready and the bundled sample's table on
 * screen, in the page's own clock.
 */
export async function firstInteraction(page: Page, url: string): Promise<number> {
  await page.addInitScript(() => {
    const clock = window as unknown as { __interactive?: number };
    new MutationObserver((_, observer) => {
      const ready = document.querySelector('[data-testid="engine-status"][data-state="ready"]');
      if (ready && document.querySelector('[data-testid="table-title"]')) {
        clock.__interactive = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true, attributes: true });
  });
  await page.goto(url);
  return interactiveAt(page);
}

/**
 * Time to first interaction of a repeat visit, on a page `firstInteraction` opened: once
 * its service worker has cached the app and controls the page, the page is reloaded and
 * timed the same way (the browser may also reuse the engine's compiled code).
 */
export async function repeatVisit(page: Page): Promise<number> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  await page.reload();
  return interactiveAt(page);
}

async function interactiveAt(page: Page): Promise<number> {
  await page.waitForFunction(() => (window as unknown as { __interactive?: number }).__interactive !== undefined, undefined, { timeout: 120_000 });
  return page.evaluate(() => (window as unknown as { __interactive: number }).__interactive);
}
