/**
 * The four SQL queries on the single-thread wasm build, in Node, without a browser: the
 * engine as the page runs it (the same CSV loader calls as `www/src/data/worker/load-csv.ts`,
 * the same `runSql`), where a wasm CPU profile is one flag away.
 *
 *   npx tsx tests/bench/sql-wasm-node.bench.ts <telecom.csv | telecom.parquet> [runs] [wasm-dir]
 *
 * `wasm-dir` defaults to `www/public/wasm/st` (built by `scripts/build-wasm.sh st`). Its
 * name section is dropped; for a profile with function names, run `wasm-bindgen` on the
 * cargo output without `--remove-name-section` into a directory of your own, pass it here
 * and add `BENCH_PROFILE=out.cpuprofile` (open it in Chromium's DevTools). `BENCH_SQL` times
 * other queries (one per line) instead of the four. Figures, never
 * failures: BENCHMARKS.md says what they showed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

import { ROOT } from '../e2e/harness';
import { QUERIES } from './queries';

interface WasmSt {
  initSync(input: { module: Uint8Array }): void;
  Engine: new (panicChannel: string) => { addCsv(name: string, loader: unknown): unknown; addParquet(name: string, loader: unknown): unknown; beginJob(): unknown; runSql(sql: string): unknown };
  ParquetLoader: new (bytes: Uint8Array) => { numRowGroups(): number; groupsDone(): number; decodeNext(groups: number): void };
  CsvLoader: new (head: Uint8Array, headIsFile: boolean, options: undefined) => { expectBytes(total: number): void; refineTypes(window: Uint8Array): void; push(chunk: Uint8Array): void };
}

const [dataPath, runsArg, dirArg] = process.argv.slice(2);
if (!dataPath) {
  console.error('usage: sql-wasm-node.bench.ts <telecom.csv or .parquet> [runs] [wasm-dir]');
  process.exit(2);
}
const runs = Number(runsArg ?? 15);
const dir = path.resolve(dirArg ?? path.join(ROOT, 'www/public/wasm/st'));
const wasm = (await import(path.join(dir, 'brasa.js'))) as WasmSt;
wasm.initSync({ module: readFileSync(path.join(dir, 'brasa_bg.wasm')) });
const engine = new wasm.Engine('bench-panic');

const file = readFileSync(dataPath);
const started = performance.now();
if (dataPath.endsWith('.parquet')) {
  // As www/src/data/worker/load-parquet.ts: the whole file, row groups decoded a few at a time.
  const loader = new wasm.ParquetLoader(file);
  while (loader.groupsDone() < loader.numRowGroups()) loader.decodeNext(2);
  engine.addParquet('t', loader);
} else {
  // As www/src/data/worker/load-csv.ts: head, size, type windows, then 32 MB chunks.
  const loader = new wasm.CsvLoader(file.subarray(0, 1 << 20), file.length <= 1 << 20, undefined);
  loader.expectBytes(file.length);
  for (let k = 1; k <= 8; k++) {
    const at = Math.floor((file.length * k) / 9);
    loader.refineTypes(file.subarray(at, at + (64 << 10)));
  }
  for (let offset = 0; offset < file.length; offset += 32 << 20) loader.push(file.subarray(offset, offset + (32 << 20)));
  engine.addCsv('t', loader);
}
console.log(`load ${path.extname(dataPath).slice(1)}: ${(performance.now() - started).toFixed(0)} ms`);

const session = process.env.BENCH_PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
// BENCH_SQL: other queries to time instead, one per line.
const queries = process.env.BENCH_SQL ? process.env.BENCH_SQL.split('\n').filter((q) => q.trim()) : QUERIES;
for (const [i, sql] of queries.entries()) {
  const times: number[] = [];
  for (let run = 0; run <= runs; run++) {
    engine.beginJob();
    const start = performance.now();
    engine.runSql(sql);
    if (run > 0) times.push(performance.now() - start); // run 0 warms up
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`Q${i + 1}: median ${sorted[sorted.length >> 1].toFixed(1)} ms of ${runs} (${sorted.map((t) => t.toFixed(0)).join(' ')})`);
}
if (session && process.env.BENCH_PROFILE) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
}
