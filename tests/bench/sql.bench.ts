/**
 * The four SQL queries of issue 3 on a 1M-row table, in headless Chromium: Brasa in its
 * page (1 and 2 threads, typed into the SQL editor) and DuckDB-WASM in a reference page
 * (npm package, bundles served locally), in the same run, on the same CSV file (DuckDB-WASM's
 * Parquet reader is an extension it downloads from the internet, which this page may not do).
 * Prints medians and writes target/bench-results/sql_<rows>.{json,md}. Never fails on
 * timing.
 *
 *   npx tsx tests/bench/sql.bench.ts <data-dir> <rows> [runs]
 */
import path from 'node:path';

import type { Page } from 'playwright-core';
import { preview } from 'vite';

import { ROOT, launchBrowser, openApp, serveApp } from '../e2e/harness';
import { machine, median, writeResults } from './report';

const QUERIES = [
  'SELECT region, plan, count(*), avg(monthly_spend), sum(data_gb) FROM t WHERE age >= 0 GROUP BY region, plan ORDER BY region, plan',
  'SELECT customer_id, monthly_spend FROM t WHERE churned AND support_tickets > 2 ORDER BY monthly_spend DESC LIMIT 100',
  'SELECT count(DISTINCT region), min(signup_date), max(signup_date), stddev(income) FROM t',
  'SELECT count(*) FROM t JOIN (SELECT region, avg(monthly_spend) a FROM t GROUP BY region) r USING (region) WHERE t.monthly_spend > r.a',
];

const [dataDir, rowsArg, runsArg] = process.argv.slice(2);
if (!dataDir || !rowsArg) {
  console.error('usage: sql.bench.ts <data-dir> <rows> [runs]');
  process.exit(2);
}
const rows = Number(rowsArg);
const runs = Number(runsArg ?? 5);
const csv = path.join(dataDir, `telecom_${rows}.csv`);
const table = `telecom_${rows}`;


async function brasaSql(page: Page, sql: string): Promise<{ ms: number; rows: string }> {
  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('ControlOrMeta+Enter');
  const status = page.locator('[data-testid="sql-status"][data-elapsed-ms]');
  await status.waitFor({ timeout: 120_000 });
  const ms = Number(await status.getAttribute('data-elapsed-ms'));
  const count = page.getByTestId('sql-row-count');
  const rowsText = (await count.count()) > 0 ? ((await count.textContent()) ?? '') : '';
  return { ms, rows: rowsText };
}

const app = await serveApp();
const duckdbServer = await preview({
  configFile: false,
  root: path.join(ROOT, 'tests/bench/duckdb'),
  build: { outDir: path.join(ROOT, 'target/bench-duckdb') },
  logLevel: 'error',
  preview: { port: 0, host: '127.0.0.1' },
});
const browser = await launchBrowser();
const results: Record<string, { brasa1: number; brasa2: number; duckdb: number; rows: string }> = {};
let duckdbVersion = '';
try {
  for (const threads of [1, 2]) {
    const { page } = await openApp(browser, app.url, `?threads=${threads}&sample=0`);
    await page.getByTestId('file-input').setInputFiles(csv);
    await page.locator(`[data-testid="table-title"]:text-is("${table}")`).waitFor({ timeout: 120_000 });
    await page.getByTestId('tab-sql').click();
    await brasaSql(page, `CREATE OR REPLACE TEMP VIEW t AS SELECT * FROM ${table}`);
    for (const [i, sql] of QUERIES.entries()) {
      const times: number[] = [];
      let rowsText = '';
      for (let run = 0; run <= runs; run++) {
        const { ms, rows: r } = await brasaSql(page, sql);
        rowsText = r;
        if (run > 0) times.push(ms);
      }
      const key = `Q${i + 1}`;
      results[key] ??= { brasa1: 0, brasa2: 0, duckdb: 0, rows: rowsText };
      results[key][threads === 1 ? 'brasa1' : 'brasa2'] = median(times);
      console.log(`brasa ${threads}t ${key}: ${median(times).toFixed(1)} ms (${times.map((t) => t.toFixed(0)).join(', ')}) ${rowsText}`);
    }
    await page.context().close();
  }

  const page = await browser.newPage();
  const url = duckdbServer.resolvedUrls?.local[0];
  if (!url) throw new Error('no DuckDB page URL');
  await page.goto(url);
  await page.waitForFunction(() => 'duckdbBench' in window);
  await page.evaluate(() => (window as unknown as { duckdbBench: { ready: Promise<void> } }).duckdbBench.ready);
  duckdbVersion = await page.evaluate(() => (window as unknown as { duckdbBench: { version: string } }).duckdbBench.version);
  await page.locator('#file').setInputFiles(csv);
  await page.evaluate(() =>
    (window as unknown as { duckdbBench: { load(f: string): Promise<number> } }).duckdbBench.load('csv'),
  );
  for (const [i, sql] of QUERIES.entries()) {
    const times: number[] = [];
    let count = 0;
    for (let run = 0; run <= runs; run++) {
      const [ms, n] = await page.evaluate(
        (q) => (window as unknown as { duckdbBench: { run(s: string): Promise<[number, number]> } }).duckdbBench.run(q),
        sql,
      );
      count = n;
      if (run > 0) times.push(ms);
    }
    const key = `Q${i + 1}`;
    results[key].duckdb = median(times);
    console.log(`duckdb ${key}: ${median(times).toFixed(1)} ms (${times.map((t) => t.toFixed(0)).join(', ')}) ${count} rows`);
  }
  await page.close();
} finally {
  await browser.close();
  await app.close();
  await new Promise<void>((resolve) => duckdbServer.httpServer.close(() => resolve()));
}

const lines = [
  `SQL on ${rows.toLocaleString('en-US')} rows (CSV loaded into memory) — ${machine()}; DuckDB-WASM ${duckdbVersion} (eh bundle); median of ${runs} runs after a warm-up`,
  '',
  '| query | Brasa, 1 thread | Brasa, 2 threads | DuckDB-WASM | Brasa 2t / DuckDB |',
  '|---|---|---|---|---|',
  ...Object.entries(results).map(
    ([key, r]) =>
      `| ${key} | ${r.brasa1.toFixed(0)} ms | ${r.brasa2.toFixed(0)} ms | ${r.duckdb.toFixed(0)} ms | ${(r.brasa2 / r.duckdb).toFixed(2)}× |`,
  ),
];
writeResults(`sql_${rows}`, { machine: machine(), rows, runs, duckdbVersion, queries: QUERIES, results }, lines);
