/**
 * The page suite's KMeans job (kmeans_page_spec.json) on the single-thread wasm build, in
 * Node, without a browser: the CSV loaded as `sql-wasm-node.bench.ts` loads it, the churn
 * table made by the suite's SQL, then `train` as the Train tab calls it. Given several
 * builds, each gets its own engine and table, and their runs alternate, so that a
 * before/after comparison shares one sitting.
 *
 *   npx tsx tests/bench/kmeans-wasm-node.bench.ts <telecom.csv> [runs] [wasm-dir ...]
 *
 * `wasm-dir` defaults to `www/public/wasm/st` (built by `scripts/build-wasm.sh st`).
 * `BENCH_PROFILE=out.cpuprofile` writes a CPU profile of the runs after the warm-up (give
 * one build; see `sql-wasm-node.bench.ts` for function names). Figures, never failures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

import { ROOT } from '../e2e/harness';

interface Engine {
  addCsv(name: string, loader: unknown): unknown;
  beginJob(): unknown;
  runSql(sql: string): unknown;
  train(table: string, spec: unknown): unknown;
}

interface WasmSt {
  initSync(input: { module: Uint8Array }): void;
  Engine: new (panicChannel: string) => Engine;
  CsvLoader: new (head: Uint8Array, headIsFile: boolean, options: undefined) => { refineTypes(window: Uint8Array): void; push(chunk: Uint8Array): void };
}

/** The suite's churn table (suite.bench.ts `churnTable`). */
const CHURN = `CREATE OR REPLACE TABLE churn AS SELECT age, income, tenure_months, data_gb, support_tickets, monthly_spend,
  coalesce(CAST(plan = 'standard' AS DOUBLE), 0) AS plan_standard, coalesce(CAST(plan = 'premium' AS DOUBLE), 0) AS plan_premium,
  coalesce(CAST(plan = 'unlimited' AS DOUBLE), 0) AS plan_unlimited, coalesce(CAST(contract = 'one-year' AS DOUBLE), 0) AS contract_one_year,
  coalesce(CAST(contract = 'two-year' AS DOUBLE), 0) AS contract_two_year, churned FROM t`;

const [csvPath, runsArg, ...dirArgs] = process.argv.slice(2);
if (!csvPath) {
  console.error('usage: kmeans-wasm-node.bench.ts <telecom.csv> [runs] [wasm-dir ...]');
  process.exit(2);
}
const runs = Number(runsArg ?? 5);
const dirs = (dirArgs.length > 0 ? dirArgs : [path.join(ROOT, 'www/public/wasm/st')]).map((d) => path.resolve(d));
const spec = JSON.parse(readFileSync(path.join(ROOT, 'tests/bench/kmeans_page_spec.json'), 'utf8')).job;
const csv = readFileSync(csvPath);

async function engineOf(dir: string): Promise<Engine> {
  const wasm = (await import(path.join(dir, 'brasa.js'))) as WasmSt;
  wasm.initSync({ module: readFileSync(path.join(dir, 'brasa_bg.wasm')) });
  const engine = new wasm.Engine(`bench-panic-${dir}`);
  const loader = new wasm.CsvLoader(csv.subarray(0, 1 << 20), csv.length <= 1 << 20, undefined);
  for (let k = 1; k <= 8; k++) {
    const at = Math.floor((csv.length * k) / 9);
    loader.refineTypes(csv.subarray(at, at + (64 << 10)));
  }
  for (let offset = 0; offset < csv.length; offset += 32 << 20) loader.push(csv.subarray(offset, offset + (32 << 20)));
  engine.addCsv('t', loader);
  engine.beginJob();
  engine.runSql(CHURN);
  return engine;
}

/** The model's cluster sizes, smallest first. */
function clusterSizes(result: unknown): number[] {
  const model = (result as { model: { model: { clusterSizes: number[] } } }).model.model;
  return [...model.clusterSizes].sort((a, b) => a - b);
}

const engines: Engine[] = [];
for (const dir of dirs) engines.push(await engineOf(dir));
const times: number[][] = dirs.map(() => []);
const sizes: string[] = dirs.map(() => '');
const session = process.env.BENCH_PROFILE ? new Session() : undefined;
for (let run = 0; run <= runs; run++) {
  if (session && run === 1) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (const [i, engine] of engines.entries()) {
    engine.beginJob();
    const start = performance.now();
    const result = engine.train('churn', spec);
    if (run > 0) times[i].push(performance.now() - start); // run 0 warms up
    sizes[i] = clusterSizes(result).join(' ');
  }
}
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(process.env.BENCH_PROFILE as string, JSON.stringify(profile));
}
for (const [i, dir] of dirs.entries()) {
  const sorted = [...times[i]].sort((a, b) => a - b);
  console.log(`${dir}: median ${sorted[sorted.length >> 1].toFixed(0)} ms of ${runs} (${times[i].map((t) => t.toFixed(0)).join(' ')}); cluster sizes ${sizes[i]}`);
}
