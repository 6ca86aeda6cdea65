/**
 * The four SQL queries on the single-thread wasm build, in Node, without a browser: the
 * engine as the page runs it (the same CSV loader calls as `www/src/data/worker/load-csv.ts`,
 * the same `runSql`), where a wasm CPU profile is one flag away.
 *
 *   npx tsx tests/bench/sql-wasm-node.bench.ts <telecom.csv> [runs] [wasm-dir]
 *
 * `wasm-dir` defaults to `www/public/wasm/st` (built by `scripts/build-wasm.sh st`). Its
 * name section is dropped; for a profile with function names, run `wasm-bindgen` on the
 * cargo output without `--remove-name-section` into a directory of your own, pass it here
 * and add `BENCH_PROFILE=out.cpuprofile` (open it in Chromium's DevTools). Figures, never
 * failures: BENCHMARKS.md says what they showed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

import { ROOT } from '../e2e/harness';
import { QUERIES } from './queries';

interface WasmSt {
  initSync(input: { module: Uint8Array }): void;
  Engine: new (panicChannel: string) => { addCsv(name: string, loader: unknown): unknown; beginJob(): unknown; runSql(sql: string): unknown };
  CsvLoader: new (head: Uint8Array, headIsFile: boolean, options: undefined) => { refineTypes(window: Uint8Array): void; push(chunk: Uint8Array): void };
}

const [csvPath, runsArg, dirArg] = process.argv.slice(2);
if (!csvPath) {
  console.error('usage: sql-wasm-node.bench.ts <telecom.csv> [runs] [wasm-dir]');
  process.exit(2);
}
const runs = Number(runsArg ?? 15);
const dir = path.resolve(dirArg ?? path.join(ROOT, 'www/public/wasm/st'));
const wasm = (await import(path.join(dir, 'brasa.js'))) as WasmSt;
wasm.initSync({ module: readFileSync(path.join(dir, 'brasa_bg.wasm')) });
const engine = new wasm.Engine('bench-panic');

const csv = readFileSync(csvPath);
const started = performance.now();
const loader = new wasm.CsvLoader(csv.subarray(0, 1 << 20), csv.length <= 1 << 20, undefined);
for (let k = 1; k <= 8; k++) {
  const at = Math.floor((csv.length * k) / 9);
  loader.refineTypes(csv.subarray(at, at + (64 << 10)));
}
for (let offset = 0; offset < csv.length; offset += 32 << 20) loader.push(csv.subarray(offset, offset + (32 << 20)));
engine.addCsv('t', loader);
console.log(`load CSV: ${(performance.now() - started).toFixed(0)} ms`);

const session = process.env.BENCH_PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
for (const [i, sql] of QUERIES.entries()) {
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
