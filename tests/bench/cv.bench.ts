/**
 * The training benchmark of issue 5: LinearRegression over a 12-point grid with 5-fold
 * CrossValidator (tests/bench/cv_spec.json) on the generated table, set up and run in
 * the Train tab at 1 and 2 threads; in the same run, scikit-learn's GridSearchCV
 * (n_jobs=2) and the one-pass NumPy floor on the same rows and folds
 * (tests/bench/cv_reference.py). Prints medians, checks that all three pick the same
 * best point, and writes target/bench-results/cv_<rows>.{json,md}. Never fails on timing.
 *
 *   npx tsx tests/bench/cv.bench.ts <data-dir> <rows> [runs]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';

import { ROOT, launchBrowser, openApp, serveApp } from '../e2e/harness';
import { machine, median, writeResults } from './report';

const [dataDir, rowsArg, runsArg] = process.argv.slice(2);
if (!dataDir || !rowsArg) {
  console.error('usage: cv.bench.ts <data-dir> <rows> [runs]');
  process.exit(2);
}
const rows = Number(rowsArg);
const runs = Number(runsArg ?? 5);
const parquet = path.join(dataDir, `telecom_${rows}.parquet`);
const table = `telecom_${rows}`;
const spec = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/cv_spec.json'), 'utf8'));

/** Sets the Train tab up as cv_spec.json says (its grid is the tab's default grid). */
async function setUp(page: Page): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-table').selectOption(table);
  await page.getByTestId('train-label').selectOption(spec.label);
  for (const box of await page.locator('[data-testid="train-features"] input[type=checkbox]').all()) {
    await box.setChecked(spec.features.includes(await box.inputValue()));
  }
  await page.getByTestId('train-handle-invalid').selectOption(spec.handleInvalid);
  await page.getByTestId('train-num-folds').fill(String(spec.tuning.numFolds));
  await page.getByTestId('train-seed').fill(String(spec.seed));
  await page.getByTestId('train-reg-params').fill(spec.grid[0].values.join(', '));
  await page.getByTestId('train-elastic-net-params').fill(spec.grid[1].values.join(', '));
}

async function train(page: Page): Promise<{ ms: number; best: number[] }> {
  await page.getByTestId('train-run').click();
  const summary = page.locator('[data-testid="train-summary"][data-elapsed-ms]');
  await summary.waitFor({ timeout: 300_000 });
  const ms = Number(await summary.getAttribute('data-elapsed-ms'));
  const best = await page.$$eval('[data-testid="train-grid"] tr[data-best] td', (cells) => cells.slice(0, 2).map((c) => Number(c.textContent)));
  // Clear the summary so the next run waits for its own.
  await page.evaluate(() => document.querySelector('[data-testid="train-summary"]')?.removeAttribute('data-elapsed-ms'));
  return { ms, best };
}

const server = await serveApp();
const browser = await launchBrowser();
const brasa: Record<number, { ms: number[]; best: number[] }> = {};
try {
  for (const threads of [1, 2]) {
    const { page } = await openApp(browser, server.url, `?threads=${threads}&sample=0`);
    await page.getByTestId('file-input').setInputFiles(parquet);
    await page.locator(`[data-testid="table-title"]:text-is("${table}")`).waitFor({ timeout: 300_000 });
    await setUp(page);
    const times: number[] = [];
    let best: number[] = [];
    for (let run = 0; run <= runs; run++) {
      const result = await train(page);
      best = result.best;
      if (run > 0) times.push(result.ms);
    }
    brasa[threads] = { ms: times, best };
    console.log(`brasa ${threads}t: ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')}), best regParam ${best[0]}, elasticNetParam ${best[1]}`);
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.close();
}

console.log('==> scikit-learn GridSearchCV (n_jobs=2) and the NumPy floor');
const reference = JSON.parse(execFileSync('python3', [path.join(ROOT, 'tests/bench/cv_reference.py'), parquet, String(runs)], { encoding: 'utf8' }));
const sklearnMs = reference.sklearn.seconds * 1000;
const floorMs = reference.floor.seconds * 1000;
const sameBest = [reference.sklearn.best, reference.floor.best].every(
  (b: { regParam: number; elasticNetParam: number }) => b.regParam === brasa[2].best[0] && b.elasticNetParam === brasa[2].best[1],
);
const versions = execFileSync('python3', ['-c', 'import sklearn, numpy; print(f"scikit-learn {sklearn.__version__}, NumPy {numpy.__version__}")'], { encoding: 'utf8' }).trim();
const lines = [
  `12-point × 5-fold CrossValidator on ${rows.toLocaleString('en-US')} rows (${reference.rows.toLocaleString('en-US')} without NULLs) — ${machine()}; ${versions}; median of ${runs} runs (scikit-learn: ${reference.sklearn.runs.length})`,
  '',
  '| | time | vs scikit-learn | vs the floor |',
  '|---|---|---|---|',
  ...[1, 2].map((t) => {
    const ms = median(brasa[t].ms);
    return `| Brasa in the page, ${t} thread${t > 1 ? 's' : ''} | ${ms.toFixed(0)} ms | 1/${(sklearnMs / ms).toFixed(0)} | ${(ms / floorMs).toFixed(2)}× |`;
  }),
  `| scikit-learn GridSearchCV, n_jobs=2 | ${sklearnMs.toFixed(0)} ms | 1 | ${(sklearnMs / floorMs).toFixed(0)}× |`,
  `| NumPy one-pass floor | ${floorMs.toFixed(0)} ms | | 1 |`,
  '',
  `All three pick the same best point: ${sameBest ? 'yes' : 'NO'} (regParam ${brasa[2].best[0]}, elasticNetParam ${brasa[2].best[1]}).`,
];
writeResults(`cv_${rows}`, { machine: machine(), rows, runs, spec, brasa, reference }, lines);
