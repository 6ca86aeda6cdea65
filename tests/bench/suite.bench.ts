/**
 * The benchmark of `npm run bench`, in one run: Brasa's page driven in headless Chromium
 * over the generated telecom table (each row count given, CSV and Parquet) at 1 and 2
 * threads — load, profile, the four SQL queries of issue 3, the 4-step cleaning pipeline
 * (clean_pipeline.json) and the 12 × 5 CrossValidator grid (cv_spec.json) — next to the
 * reference for each task in the same run: DuckDB-WASM in the same browser for load and
 * SQL, pandas for the profile and the pipeline, scikit-learn for the grid. Then the
 * download sizes (gzip) and the time to first interaction. Writes one JSON and one
 * Markdown table to target/bench-results/suite.{json,md}. Never fails on timing.
 *
 *   npx tsx tests/bench/suite.bench.ts <data-dir> <rows,rows,...> [runs]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import type { Browser } from 'playwright-core';

import { ROOT, launchBrowser, openApp, serveApp } from '../e2e/harness';
import { machine, median, writeResults } from './report';
import { clean, dropTable, firstInteraction, loadFile, profile, setUpTraining, sql, train, type TrainingSpec } from './suite/brasa-page';
import { DuckdbPage } from './suite/duckdb-page';

/** The four queries of issue 3, on `t` (a view over the loaded table). */
const QUERIES = [
  'SELECT region, plan, count(*), avg(monthly_spend), sum(data_gb) FROM t WHERE age >= 0 GROUP BY region, plan ORDER BY region, plan',
  'SELECT customer_id, monthly_spend FROM t WHERE churned AND support_tickets > 2 ORDER BY monthly_spend DESC LIMIT 100',
  'SELECT count(DISTINCT region), min(signup_date), max(signup_date), stddev(income) FROM t',
  'SELECT count(*) FROM t JOIN (SELECT region, avg(monthly_spend) a FROM t GROUP BY region) r USING (region) WHERE t.monthly_spend > r.a',
];

const [dataDir, rowsArg, runsArg] = process.argv.slice(2);
if (!dataDir || !rowsArg) {
  console.error('usage: suite.bench.ts <data-dir> <rows,rows,...> [runs]');
  process.exit(2);
}
const rowCounts = rowsArg.split(/[ ,]+/).filter(Boolean).map(Number);
const runs = Number(runsArg ?? 5);
const pipeline = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/clean_pipeline.json'), 'utf8'));
const cvSpec: TrainingSpec = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/cv_spec.json'), 'utf8'));

/** One task on one row count: Brasa's runs per thread count, and the reference's median. */
interface Measure {
  task: string;
  rows: number;
  brasa: Record<number, number[]>;
  reference?: { name: string; ms: number };
  note?: string;
}

const measures: Measure[] = [];
const measure = (task: string, rows: number): Measure => {
  let found = measures.find((m) => m.task === task && m.rows === rows);
  if (!found) measures.push((found = { task, rows, brasa: {} }));
  return found;
};

/** Runs `work` once to warm up and `runs` more times; returns the timed runs. */
async function timed(work: (run: number) => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const ms = await work(run);
    if (run > 0) times.push(ms);
  }
  return times;
}

const bestPoints: Record<number, number[]> = {};

async function brasaTasks(browser: Browser, url: string, rows: number, threads: number): Promise<void> {
  const table = `telecom_${rows}`;
  const file = (format: string) => path.join(dataDir, `${table}.${format}`);
  const { page } = await openApp(browser, url, `?threads=${threads}&sample=0`);
  const record = (task: string, times: number[]) => {
    measure(task, rows).brasa[threads] = times;
    console.log(`  ${threads}t ${task}: ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`);
  };
  record('load CSV', await timed(async () => {
    const ms = await loadFile(page, file('csv'), table);
    await dropTable(page, table);
    return ms;
  }));
  // The Parquet table stays loaded for the tasks after it.
  let loaded = false;
  record('load Parquet', await timed(async () => {
    if (loaded) await dropTable(page, table);
    loaded = true;
    return loadFile(page, file('parquet'), table);
  }));
  record('profile', await timed(() => profile(page, table)));
  await sql(page, `CREATE OR REPLACE TEMP VIEW t AS SELECT * FROM ${table}`);
  for (const [i, query] of QUERIES.entries()) record(`SQL Q${i + 1}`, await timed(() => sql(page, query)));
  record('cleaning pipeline', await timed((run) => clean(page, table, pipeline, run)));
  await setUpTraining(page, table, cvSpec);
  record('CV grid 12 × 5', await timed(async () => {
    const { ms, best } = await train(page);
    bestPoints[rows] = best;
    return ms;
  }));
  await page.context().close();
}

async function duckdbTasks(browser: Browser, rows: number): Promise<string> {
  const duckdb = await DuckdbPage.open(browser);
  try {
    const reference = (task: string, times: number[]) => {
      measure(task, rows).reference = { name: `DuckDB-WASM ${duckdb.version}`, ms: median(times) };
      console.log(`  DuckDB-WASM ${task}: ${median(times).toFixed(0)} ms`);
    };
    reference('load CSV', await timed(() => duckdb.loadCsv(path.join(dataDir, `telecom_${rows}.csv`))));
    measure('load Parquet', rows).note = "DuckDB-WASM reads Parquet through an extension downloaded from the internet, which this page may not do";
    for (const [i, query] of QUERIES.entries()) reference(`SQL Q${i + 1}`, await timed(() => duckdb.run(query)));
    return duckdb.version;
  } finally {
    await duckdb.close();
  }
}

function python(script: string, rows: number): Record<string, { seconds: number; best?: Record<string, number> }> {
  const parquet = path.join(dataDir, `telecom_${rows}.parquet`);
  return JSON.parse(execFileSync('python3', [path.join(ROOT, 'tests/bench', script), parquet, String(runs)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

function pythonTasks(rows: number): void {
  const versions = JSON.parse(execFileSync('python3', ['-c', 'import json, pandas, sklearn; print(json.dumps([pandas.__version__, sklearn.__version__]))'], { encoding: 'utf8' }));
  const cleaning = python('clean_reference.py', rows);
  measure('profile', rows).reference = { name: `pandas ${versions[0]}`, ms: cleaning.profile.seconds * 1000 };
  measure('cleaning pipeline', rows).reference = { name: `pandas ${versions[0]}`, ms: cleaning.pipeline.seconds * 1000 };
  const cv = python('cv_reference.py', rows);
  const grid = measure('CV grid 12 × 5', rows);
  grid.reference = { name: `scikit-learn ${versions[1]} GridSearchCV, n_jobs=2`, ms: cv.sklearn.seconds * 1000 };
  const best = cv.sklearn.best!;
  const same = bestPoints[rows]?.[0] === best.regParam && bestPoints[rows]?.[1] === best.elasticNetParam;
  grid.note = `best point regParam ${best.regParam}, elasticNetParam ${best.elasticNetParam}: ${same ? 'the same in both' : `Brasa picked ${bestPoints[rows]?.join(', ')}`}; NumPy one-pass floor ${(cv.floor.seconds * 1000).toFixed(0)} ms`;
  console.log(`  pandas profile ${cleaning.profile.seconds * 1000} ms, pipeline ${cleaning.pipeline.seconds * 1000} ms; scikit-learn ${cv.sklearn.seconds * 1000} ms`);
}

/** Every file under `dir` ending in one of `extensions`, with its raw and gzip size. */
function sizes(dir: string, extensions: string[]): { file: string; raw: number; gzip: number }[] {
  const found: { file: string; raw: number; gzip: number }[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (extensions.some((e) => name.endsWith(e))) {
        const bytes = readFileSync(full);
        found.push({ file: path.relative(ROOT, full), raw: bytes.length, gzip: gzipSync(bytes).length });
      }
    }
  };
  walk(dir);
  return found;
}

const server = await serveApp();
const browser = await launchBrowser();
let duckdbVersion = '';
const firstInteractionMs: Record<string, number[]> = { 'threads build': [], 'single-thread build': [] };
try {
  for (const rows of rowCounts) {
    console.log(`==> ${rows.toLocaleString('en-US')} rows`);
    for (const threads of [1, 2]) await brasaTasks(browser, server.url, rows, threads);
    duckdbVersion = await duckdbTasks(browser, rows);
    pythonTasks(rows);
  }
  console.log('==> time to first interaction (first visit, bundled sample)');
  for (const [build, query] of [['threads build', ''], ['single-thread build', '?single-thread']] as const) {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext();
      firstInteractionMs[build].push(await firstInteraction(await context.newPage(), new URL(query, server.url).href));
      await context.close();
    }
    console.log(`  ${build}: ${median(firstInteractionMs[build]).toFixed(0)} ms`);
  }
} finally {
  await browser.close();
  await server.close();
}

const download = {
  brasa: sizes(path.join(ROOT, 'www/dist'), ['.wasm', '.js', '.css', '.html']),
  duckdb: sizes(path.join(ROOT, 'node_modules/@duckdb/duckdb-wasm/dist'), ['duckdb-eh.wasm', 'duckdb-browser-eh.worker.js']),
};
const total = (files: { file: string; raw: number; gzip: number }[], match: (f: string) => boolean) =>
  files.filter((f) => match(f.file)).reduce((sum, f) => ({ raw: sum.raw + f.raw, gzip: sum.gzip + f.gzip }), { raw: 0, gzip: 0 });
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const ms = (value: number) => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
const wasmFiles = download.brasa.filter((f) => f.file.endsWith('.wasm'));
const pageFiles = total(download.brasa, (f) => !f.endsWith('.wasm'));
const duckdbTotal = total(download.duckdb, () => true);

const lines = [
  `Brasa benchmark — ${machine()}; median of ${runs} runs after a warm-up; ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| task | rows | Brasa, 1 thread | Brasa, 2 threads | speed-up | reference | reference time | Brasa 2t / reference |',
  '|---|---|---|---|---|---|---|---|',
  ...measures.map((m) => {
    const [one, two] = [median(m.brasa[1] ?? []), median(m.brasa[2] ?? [])];
    const ref = m.reference;
    return `| ${m.task} | ${m.rows.toLocaleString('en-US')} | ${ms(one)} | ${ms(two)} | ${(one / two).toFixed(2)}× | ${ref?.name ?? '—'} | ${ref ? ms(ref.ms) : '—'} | ${ref ? `${(two / ref.ms).toFixed(2)}×` : '—'} |`;
  }),
  '',
  ...measures.filter((m) => m.note).map((m) => `- ${m.task}, ${m.rows.toLocaleString('en-US')} rows: ${m.note}.`),
  '',
  '| download | raw | gzip |',
  '|---|---|---|',
  ...wasmFiles.map((f) => `| ${f.file} | ${mb(f.raw)} | ${mb(f.gzip)} |`),
  `| page (JS, CSS, HTML) | ${mb(pageFiles.raw)} | ${mb(pageFiles.gzip)} |`,
  `| DuckDB-WASM ${duckdbVersion} eh bundle (wasm + worker) | ${mb(duckdbTotal.raw)} | ${mb(duckdbTotal.gzip)} |`,
  '',
  '| time to first interaction (first visit: engine ready, sample on screen) | median |',
  '|---|---|',
  ...Object.entries(firstInteractionMs).map(([build, times]) => `| ${build} | ${ms(median(times))} |`),
];
writeResults('suite', { machine: machine(), runs, rowCounts, duckdbVersion, measures, download, firstInteractionMs }, lines);
