/**
 * The cleaning benchmark of issue 4: the profile of the generated table (Profile tab) and
 * the 4-step pipeline of tests/bench/clean_pipeline.json (filter, Imputer on 4 columns,
 * StringIndexer on 3, drop 1; loaded in the Clean tab) at 1 and 2 threads, timed by the
 * engine worker; in the same run, the same work in pandas (tests/bench/clean_reference.py).
 * Each pipeline run gets a filter that differs only in a no-op term, so the engine's step
 * cache never serves it. Prints medians and writes target/bench-results/clean_<rows>.{json,md}.
 *
 *   npx tsx tests/bench/clean.bench.ts <data-dir> <rows> [runs]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';

import { ROOT, launchBrowser, openApp, serveApp } from '../e2e/harness';
import { machine, median, writeResults } from './report';

const [dataDir, rowsArg, runsArg] = process.argv.slice(2);
if (!dataDir || !rowsArg) {
  console.error('usage: clean.bench.ts <data-dir> <rows> [runs]');
  process.exit(2);
}
const rows = Number(rowsArg);
const runs = Number(runsArg ?? 5);
const parquet = path.join(dataDir, `telecom_${rows}.parquet`);
const table = `telecom_${rows}`;
const pipeline = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/clean_pipeline.json'), 'utf8'));

/** Waits for a summary carrying its time, reads it, and clears it for the next run. */
async function elapsed(page: Page, testId: string): Promise<number> {
  const summary = page.locator(`[data-testid="${testId}"][data-elapsed-ms]`);
  await summary.waitFor({ timeout: 300_000 });
  const ms = Number(await summary.getAttribute('data-elapsed-ms'));
  await page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.removeAttribute('data-elapsed-ms'), testId);
  return ms;
}

async function profile(page: Page): Promise<number> {
  await page.getByTestId('tab-profile').click();
  await page.getByTestId('profile-table').selectOption(table);
  await page.getByTestId('profile-run').click();
  return elapsed(page, 'profile-summary');
}

async function clean(page: Page, run: number): Promise<number> {
  await page.getByTestId('tab-clean').click();
  const spec = structuredClone(pipeline);
  spec.steps[0].condition += ` AND ${run} = ${run}`;
  await page.getByTestId('clean-load-input').setInputFiles({ name: `bench-${run}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(spec)) });
  return elapsed(page, 'clean-summary');
}

const server = await serveApp();
const browser = await launchBrowser();
const brasa: Record<number, { profile: number[]; pipeline: number[] }> = {};
try {
  for (const threads of [1, 2]) {
    const { page } = await openApp(browser, server.url, `?threads=${threads}&sample=0`);
    await page.getByTestId('file-input').setInputFiles(parquet);
    await page.locator(`[data-testid="table-title"]:text-is("${table}")`).waitFor({ timeout: 300_000 });
    await page.getByTestId('tab-clean').click();
    await page.getByTestId('clean-source').selectOption(table);
    const times = { profile: [] as number[], pipeline: [] as number[] };
    for (let run = 0; run <= runs; run++) {
      const p = await profile(page);
      const c = await clean(page, run);
      if (run > 0) {
        times.profile.push(p);
        times.pipeline.push(c);
      }
    }
    brasa[threads] = times;
    console.log(`brasa ${threads}t: profile ${median(times.profile).toFixed(0)} ms, pipeline ${median(times.pipeline).toFixed(0)} ms`);
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.close();
}

console.log('==> the same work in pandas');
const reference = JSON.parse(execFileSync('python3', [path.join(ROOT, 'tests/bench/clean_reference.py'), parquet, String(runs)], { encoding: 'utf8' }));
const pandasVersion = execFileSync('python3', ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' }).trim();
const row = (what: string, key: 'profile' | 'pipeline', pandasMs: number) => {
  const [one, two] = [median(brasa[1][key]), median(brasa[2][key])];
  return `| ${what} | ${one.toFixed(0)} ms | ${two.toFixed(0)} ms | ${(one / two).toFixed(2)}× | ${pandasMs.toFixed(0)} ms |`;
};
const lines = [
  `Profile and 4-step pipeline on ${rows.toLocaleString('en-US')} rows — ${machine()}; pandas ${pandasVersion}; median of ${runs} runs after a warm-up`,
  '',
  '| | Brasa, 1 thread | Brasa, 2 threads | speed-up | pandas (1 thread) |',
  '|---|---|---|---|---|',
  row('profile (every column, one pass)', 'profile', reference.profile.seconds * 1000),
  row('pipeline: filter, Imputer ×4, StringIndexer ×3, drop', 'pipeline', reference.pipeline.seconds * 1000),
];
writeResults(`clean_${rows}`, { machine: machine(), rows, runs, pipeline, brasa, reference }, lines);
