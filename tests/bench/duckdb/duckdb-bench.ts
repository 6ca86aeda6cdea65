/**
 * The reference side of `npm run bench`: DuckDB-WASM (npm package, its own bundles served
 * by the bench server, no CDN) loads the chosen file into an in-memory table `t` and runs
 * the queries it is given, timing each. The harness reads `window.duckdbBench`.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';

interface BenchApi {
  ready: Promise<void>;
  /** Loads the file chosen in the input into table `t`; returns milliseconds. */
  load(format: 'csv' | 'parquet'): Promise<number>;
  /** Runs `sql` and returns [milliseconds, rows]. */
  run(sql: string): Promise<[number, number]>;
  version: string;
}

const worker = new Worker(ehWorker);
const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
let connection: duckdb.AsyncDuckDBConnection;

const api: BenchApi = {
  version: duckdb.PACKAGE_VERSION,
  ready: (async () => {
    await db.instantiate(ehWasm);
    connection = await db.connect();
  })(),
  async load(format) {
    const input = document.getElementById('file') as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) throw new Error('choose a file first');
    const started = performance.now();
    await db.registerFileHandle(file.name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
    const reader = format === 'csv' ? `read_csv('${file.name}', header = true)` : `read_parquet('${file.name}')`;
    await connection.query(`CREATE OR REPLACE TABLE t AS SELECT * FROM ${reader}`);
    return performance.now() - started;
  },
  async run(sql) {
    const started = performance.now();
    const result = await connection.query(sql);
    return [performance.now() - started, result.numRows];
  },
};

(window as unknown as { duckdbBench: BenchApi }).duckdbBench = api;
