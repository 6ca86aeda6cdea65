/**
 * The benchmark of `npm run bench`, in one run: Brasa's page driven in headless Chromium
 * over the generated telecom table (each row count given, CSV and Parquet, and where
 * generated the gzip- and bzip2-compressed CSV, JSON lines, one JSON array and a 10-file Parquet folder) at 1 and 2 threads — load, profile, the four SQL queries of issue 3, the 4-step cleaning pipeline
 * (clean_pipeline.json), the 12 × 5 CrossValidator grid of LinearRegression (cv_spec.json)
 * and of LogisticRegression on `churned` (logistic_spec.json, its 11 features made by SQL),
 * RandomForestClassifier and GBTClassifier on the same table (trees_spec.json), and KMeans
 * on its features from Spark's `random` start (kmeans_page_spec.json) — next
 * to the reference for each task in the same run: DuckDB-WASM in the same browser for load
 * and SQL, pandas for the profile and the pipeline, scikit-learn for the grids and the
 * forest and KMeans (from the same first centres), LightGBM for GBT, and PySpark local[2] for the LogisticRegression grid (skipped
 * with BENCH_PYSPARK=0). Then the
 * download sizes (gzip) and the time to first interaction. Writes one JSON and one
 * Markdown table to target/bench-results/suite.{json,md}. Never fails on timing.
 *
 *   npx tsx tests/bench/suite.bench.ts <data-dir> <rows,rows,...> [runs]
 *
 * BENCH_TASKS=load,sql (any of load, profile, sql, clean, train, cluster, visit) runs only those
 * tasks, for a quick look at one area; the tables are still loaded once for the tasks
 * after. `visit` is the time to first interaction, first and repeat visit.
 *
 * The Python references run with $BRASA_PYTHON (the venv of `scripts/setup.sh --tests`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import type { Browser } from 'playwright-core';

import { ROOT, launchBrowser, openApp, serveApp } from '../e2e/harness';
import { machine, median, writeResults } from './report';
import { clean, clusterSizes, dropTable, firstInteraction, loadFile, loadFolder, profile, repeatVisit, setUpTraining, sql, train, type TrainingSpec } from './suite/brasa-page';
import { DuckdbPage } from './suite/duckdb-page';
import { QUERIES } from './queries';

const [dataDir, rowsArg, runsArg] = process.argv.slice(2);
if (!dataDir || !rowsArg) {
  console.error('usage: suite.bench.ts <data-dir> <rows,rows,...> [runs]');
  process.exit(2);
}
const rowCounts = rowsArg.split(/[ ,]+/).filter(Boolean).map(Number);
const runs = Number(runsArg ?? 5);
const pipeline = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/clean_pipeline.json'), 'utf8'));
const cvSpec: TrainingSpec = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/cv_spec.json'), 'utf8'));
const logisticSpec: TrainingSpec = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/logistic_spec.json'), 'utf8'));
const treeJobs: Record<string, TrainingSpec> = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/trees_spec.json'), 'utf8')).jobs;
const kmeansJob: TrainingSpec = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/kmeans_page_spec.json'), 'utf8')).job;
const KMEANS_TASK = 'KMeans k = 8, random start, TVS';
const PYTHON = process.env.BRASA_PYTHON ?? 'python3';
const PYSPARK = process.env.BENCH_PYSPARK !== '0';
const TASK_GROUPS = ['load', 'profile', 'sql', 'clean', 'train', 'cluster', 'visit'];
const ROW_TASKS = TASK_GROUPS.filter((t) => t !== 'visit');
const wanted = new Set((process.env.BENCH_TASKS ?? TASK_GROUPS.join(',')).split(',').map((t) => t.trim()));
for (const group of wanted) {
  if (!TASK_GROUPS.includes(group)) {
    console.error(`BENCH_TASKS: unknown task group "${group}" (known: ${TASK_GROUPS.join(', ')})`);
    process.exit(2);
  }
}

/**
 * The LogisticRegression job's table: the six numeric columns, plan and contract one-hot
 * (the first plan and contract dropped, as OneHotEncoder's dropLast; a NULL category is
 * all zeros, as in the references) and the label, in the loaded table's row order, so
 * each row keeps its fold.
 */
const churnTable = (table: string) => `CREATE OR REPLACE TABLE churn AS SELECT age, income, tenure_months, data_gb, support_tickets, monthly_spend,
  ${[['plan', 'standard'], ['plan', 'premium'], ['plan', 'unlimited'], ['contract', 'one-year'], ['contract', 'two-year']]
    .map(([column, value]) => `coalesce(CAST(${column} = '${value}' AS DOUBLE), 0) AS ${column}_${value.replace('-', '_')}`)
    .join(', ')},
  churned FROM ${table}`;

/** The loads timed and dropped again, by the file's extension; Parquet's stays loaded. */
const LOADS_DROPPED = [
  ['load CSV', 'csv'],
  ['load CSV.gz', 'csv.gz'],
  ['load CSV.bz2', 'csv.bz2'],
  ['load JSON lines', 'json'],
  // The same records as one JSON array: Spark's multiLine for Brasa.
  ['load JSON array', 'array.json'],
] as const;

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

/** The best grid point Brasa found, per task and row count. */
const bestPoints: Record<string, number[]> = {};
/** The sizes of the clusters of Brasa's KMeans model (smallest first), by row count. */
const brasaClusterSizes: Record<number, number[]> = {};

async function brasaTasks(browser: Browser, url: string, rows: number, threads: number): Promise<void> {
  const table = `telecom_${rows}`;
  const file = (format: string) => path.join(dataDir, `${table}.${format}`);
  const { page } = await openApp(browser, url, `?threads=${threads}&sample=0`);
  const record = (task: string, times: number[]) => {
    measure(task, rows).brasa[threads] = times;
    console.log(`  ${threads}t ${task}: ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`);
  };
  if (wanted.has('load')) {
    // The compressed CSV and JSON lines are generated for the smaller row counts only.
    for (const [task, format] of LOADS_DROPPED) {
      if (!existsSync(file(format))) continue;
      // The page names a table after its file: `telecom_N.array.json` is `telecom_N_array`.
      const loaded = format === 'array.json' ? `${table}_array` : table;
      record(task, await timed(async () => {
        const ms = await loadFile(page, file(format), loaded);
        await dropTable(page, loaded);
        return ms;
      }));
    }
    // The same rows as ten Parquet files of a Hive-partitioned folder (issue 18: as fast as one file).
    const folder = path.join(dataDir, `${table}_folder`);
    if (existsSync(folder)) {
      record('load Parquet folder (10 files)', await timed(async () => {
        const ms = await loadFolder(page, folder, `${table}_folder`);
        await dropTable(page, `${table}_folder`);
        return ms;
      }));
    }
    // The Parquet table stays loaded for the tasks after it.
    let loaded = false;
    record('load Parquet', await timed(async () => {
      if (loaded) await dropTable(page, table);
      loaded = true;
      return loadFile(page, file('parquet'), table);
    }));
  } else {
    await loadFile(page, file('parquet'), table);
  }
  if (wanted.has('profile')) record('profile', await timed(() => profile(page, table)));
  if (wanted.has('sql')) {
    await sql(page, `CREATE OR REPLACE TEMP VIEW t AS SELECT * FROM ${table}`);
    for (const [i, query] of QUERIES.entries()) record(`SQL Q${i + 1}`, await timed(() => sql(page, query)));
  }
  if (wanted.has('clean')) record('cleaning pipeline', await timed((run) => clean(page, table, pipeline, run)));
  if (wanted.has('train')) {
    await setUpTraining(page, table, cvSpec);
    const grid = async (task: string) =>
      record(task, await timed(async () => {
        const { ms, best } = await train(page);
        bestPoints[`${task} ${rows}`] = best;
        return ms;
      }));
    await grid('CV grid 12 × 5');
    await sql(page, churnTable(table));
    await setUpTraining(page, 'churn', logisticSpec);
    await grid('LogisticRegression CV 12 × 5');
    for (const [task, spec] of Object.entries(treeJobs)) {
      await setUpTraining(page, 'churn', spec);
      await grid(task);
    }
  }
  if (wanted.has('cluster')) {
    await sql(page, churnTable(table));
    await setUpTraining(page, 'churn', kmeansJob);
    record(KMEANS_TASK, await timed(async () => (await train(page)).ms));
    brasaClusterSizes[rows] = await clusterSizes(page);
  }
  await page.context().close();
}

async function duckdbTasks(browser: Browser, rows: number): Promise<string> {
  const duckdb = await DuckdbPage.open(browser);
  try {
    const reference = (task: string, times: number[]) => {
      measure(task, rows).reference = { name: `DuckDB-WASM ${duckdb.version}`, ms: median(times) };
      console.log(`  DuckDB-WASM ${task}: ${median(times).toFixed(0)} ms`);
    };
    const csv = path.join(dataDir, `telecom_${rows}.csv`);
    if (wanted.has('load')) {
      reference('load CSV', await timed(() => duckdb.loadCsv(csv)));
      const gzip = `${csv}.gz`;
      if (existsSync(gzip)) reference('load CSV.gz', await timed(() => duckdb.loadCsv(gzip)));
      measure('load Parquet', rows).note = "DuckDB-WASM reads Parquet through an extension downloaded from the internet, which this page may not do";
    } else if (wanted.has('sql')) {
      await duckdb.loadCsv(csv);
    }
    if (wanted.has('sql')) {
      for (const [i, query] of QUERIES.entries()) reference(`SQL Q${i + 1}`, await timed(() => duckdb.run(query)));
    }
    // DuckDB-WASM's own JSON import (built into the bundle) reads a JSON array, not JSON lines.
    const jsonArray = path.join(dataDir, `telecom_${rows}.array.json`);
    if (wanted.has('load') && existsSync(jsonArray)) {
      const times = await timed(() => duckdb.loadJsonArray(jsonArray));
      measure('load JSON array', rows).reference = { name: `DuckDB-WASM ${duckdb.version} insertJSONFromPath`, ms: median(times) };
      console.log(`  DuckDB-WASM insertJSONFromPath, load JSON array: ${median(times).toFixed(0)} ms`);
    }
    // Last: DuckDB-WASM 1.32's read_json traps in this page (its JSON reader is an
    // extension it fetches from extensions.duckdb.org; offline, the failed fetch traps),
    // which leaves its worker unusable.
    const json = path.join(dataDir, `telecom_${rows}.json`);
    if (wanted.has('load') && existsSync(json)) {
      try {
        reference('load JSON lines', await timed(() => duckdb.loadJson(json)));
      } catch (error) {
        const why = String((error as Error).message ?? error).split('\n')[0];
        measure('load JSON lines', rows).note = `DuckDB-WASM ${duckdb.version} could not read the file (${why})`;
        console.log(`  DuckDB-WASM load JSON lines failed: ${why}`);
      }
    }
    return duckdb.version;
  } finally {
    await duckdb.close();
  }
}

/** Runs a reference script on the Parquet file of `rows` rows, `times` times (default: the suite's runs). */
function python<T>(script: string, rows: number, times = runs): T {
  const parquet = path.join(dataDir, `telecom_${rows}.parquet`);
  return JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'tests/bench', script), parquet, String(times)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

type Best = Record<string, number>;
interface Timing {
  seconds: number;
  best: Best;
}

/** Says whether Brasa's best point of `task` is the reference's. */
function sameBest(task: string, rows: number, best: Best): string {
  const brasa = bestPoints[`${task} ${rows}`];
  const same = brasa?.[0] === best.regParam && brasa?.[1] === best.elasticNetParam;
  return `best point regParam ${best.regParam}, elasticNetParam ${best.elasticNetParam}: ${same ? 'the same in both' : `Brasa picked ${brasa?.join(', ')}`}`;
}

function pythonTasks(rows: number): void {
  const versions = JSON.parse(
    execFileSync(PYTHON, ['-c', 'import json, pandas, sklearn; print(json.dumps([pandas.__version__, sklearn.__version__]))'], { encoding: 'utf8' }),
  );
  if (wanted.has('profile') || wanted.has('clean')) {
    const cleaning = python<Record<string, Timing>>('clean_reference.py', rows);
    measure('profile', rows).reference = { name: `pandas ${versions[0]}`, ms: cleaning.profile.seconds * 1000 };
    measure('cleaning pipeline', rows).reference = { name: `pandas ${versions[0]}`, ms: cleaning.pipeline.seconds * 1000 };
    console.log(`  pandas profile ${cleaning.profile.seconds * 1000} ms, pipeline ${cleaning.pipeline.seconds * 1000} ms`);
  }
  if (wanted.has('train')) {
    gridReferences(rows, `scikit-learn ${versions[1]} GridSearchCV, n_jobs=2`);
    treeReferences(rows);
  }
  if (wanted.has('cluster')) kmeansReference(rows);
}

/** The KMeans job's reference: scikit-learn from the same first centres, on 2 threads. */
function kmeansReference(rows: number): void {
  const sklearn = python<{ seconds: number; iterations: number; cluster_sizes: number[]; sklearn_version: string }>(
    'kmeans_page_reference.py', rows, Math.min(runs, 3));
  const job = measure(KMEANS_TASK, rows);
  job.reference = { name: `scikit-learn ${sklearn.sklearn_version} KMeans(n_init=1, lloyd), 2 threads`, ms: sklearn.seconds * 1000 };
  const same = JSON.stringify(brasaClusterSizes[rows]) === JSON.stringify(sklearn.cluster_sizes);
  job.note = 'the same rows, split and first centres on both sides (fit on 75% of the rows, predict the rest, refit on all rows; Brasa also computes the silhouette of both); ' +
    `final cluster sizes ${same ? 'the same in both' : `differ: Brasa ${brasaClusterSizes[rows]?.join(' ')}, scikit-learn ${sklearn.cluster_sizes.join(' ')}`} ` +
    `(scikit-learn: ${sklearn.iterations} iterations)`;
  console.log(`  scikit-learn KMeans ${sklearn.seconds * 1000} ms`);
}

/** The two CV grids' references: scikit-learn, and PySpark for LogisticRegression. */
function gridReferences(rows: number, sklearn: string): void {
  const cv = python<Record<string, Timing>>('cv_reference.py', rows);
  const grid = measure('CV grid 12 × 5', rows);
  grid.reference = { name: sklearn, ms: cv.sklearn.seconds * 1000 };
  grid.note = `${sameBest('CV grid 12 × 5', rows, cv.sklearn.best)}; NumPy one-pass floor ${(cv.floor.seconds * 1000).toFixed(0)} ms`;
  const logisticTask = 'LogisticRegression CV 12 × 5';
  const logistic = python<Timing>('logistic_reference.py', rows);
  const logisticGrid = measure(logisticTask, rows);
  logisticGrid.reference = { name: sklearn, ms: logistic.seconds * 1000 };
  const notes = [`scikit-learn: ${sameBest(logisticTask, rows, logistic.best)}`];
  if (PYSPARK) {
    // One run: PySpark takes minutes where the others take seconds.
    const spark = python<Timing & { version: string }>('logistic_pyspark.py', rows, 1);
    const twoThreads = median(logisticGrid.brasa[2] ?? []);
    notes.push(`PySpark ${spark.version} local[2] CrossValidator(parallelism=2), one run: ${(spark.seconds * 1000).toFixed(0)} ms, ${(spark.seconds * 1000 / twoThreads).toFixed(0)}× Brasa's 2 threads; ${sameBest(logisticTask, rows, spark.best)}`);
    console.log(`  PySpark LogisticRegression grid ${spark.seconds * 1000} ms`);
  }
  logisticGrid.note = notes.join('; ');
  console.log(`  scikit-learn ${cv.sklearn.seconds * 1000} ms, LogisticRegression ${logistic.seconds * 1000} ms`);
}

/** The tree jobs' references on 2 threads: scikit-learn's forest and LightGBM. */
function treeReferences(rows: number): void {
  type Reference = { seconds: number; validation_auc: number };
  // Each run fits twice (the validation split, then all rows): 3 runs are plenty.
  const trees = python<Record<'forest' | 'gbt', Reference> & Record<'lightgbm_version' | 'sklearn_version', string>>(
    'trees_page_reference.py', rows, Math.min(runs, 3));
  const [forestTask, gbtTask] = Object.keys(treeJobs);
  const references: [string, string, Reference][] = [
    [forestTask, `scikit-learn ${trees.sklearn_version} RandomForestClassifier, n_jobs=2`, trees.forest],
    [gbtTask, `LightGBM ${trees.lightgbm_version}, num_threads=2`, trees.gbt],
  ];
  for (const [task, name, reference] of references) {
    const job = measure(task, rows);
    job.reference = { name, ms: reference.seconds * 1000 };
    const brasaAuc = bestPoints[`${task} ${rows}`]?.[treeJobs[task].grid.length];
    job.note = `the same split and work on both sides (fit on 75% of the rows, areaUnderROC on the rest, refit on all rows); validation areaUnderROC ${brasaAuc?.toFixed(4)} in Brasa, ${reference.validation_auc.toFixed(4)} in the reference`;
    console.log(`  ${name} ${reference.seconds * 1000} ms`);
  }
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
const repeatVisitMs: Record<string, number[]> = { 'threads build': [], 'single-thread build': [] };
try {
  for (const rows of ROW_TASKS.some((t) => wanted.has(t)) ? rowCounts : []) {
    console.log(`==> ${rows.toLocaleString('en-US')} rows`);
    for (const threads of [1, 2]) await brasaTasks(browser, server.url, rows, threads);
    if (wanted.has('load') || wanted.has('sql')) duckdbVersion = await duckdbTasks(browser, rows);
    if (['profile', 'clean', 'train', 'cluster'].some((t) => wanted.has(t))) pythonTasks(rows);
  }
  if (wanted.has('visit')) console.log('==> time to first interaction (first and repeat visit, bundled sample)');
  const builds = [['threads build', ''], ['single-thread build', '?single-thread']] as const;
  for (const [build, query] of wanted.has('visit') ? builds : []) {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      firstInteractionMs[build].push(await firstInteraction(page, new URL(query, server.url).href));
      repeatVisitMs[build].push(await repeatVisit(page));
      await context.close();
    }
    console.log(`  ${build}: first visit ${median(firstInteractionMs[build]).toFixed(0)} ms, repeat visit ${median(repeatVisitMs[build]).toFixed(0)} ms`);
  }
} finally {
  await browser.close();
  await server.close();
}

// The issue's measure of a compressed load: its time against the plain file's.
for (const rows of rowCounts) {
  const plain = measures.find((m) => m.task === 'load CSV' && m.rows === rows);
  for (const ext of ['gz', 'bz2']) {
    const compressed = measures.find((m) => m.task === `load CSV.${ext}` && m.rows === rows);
    if (!plain || !compressed) continue;
    const ratio = (threads: number) =>
      (median(compressed.brasa[threads] ?? []) / median(plain.brasa[threads] ?? [])).toFixed(2);
    compressed.note = `Brasa's .csv.${ext} load is ${ratio(1)}× its plain CSV load on 1 thread, ${ratio(2)}× on 2`;
  }
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
  ...measures.filter((m) => Object.keys(m.brasa).length).map((m) => {
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
  '| time to first interaction (engine ready, sample on screen), median | first visit | repeat visit |',
  '|---|---|---|',
  ...Object.entries(firstInteractionMs).map(([build, times]) => `| ${build} | ${ms(median(times))} | ${ms(median(repeatVisitMs[build]))} |`),
];
writeResults('suite', { machine: machine(), runs, rowCounts, duckdbVersion, measures, download, firstInteractionMs, repeatVisitMs }, lines);
