/**
 * The reference side of `npm run bench`: DuckDB-WASM (npm package, its own bundles served
 * by the bench server, no CDN) loads the chosen file into an in-memory table `t` and runs
 * the queries it is given, timing each. The harness reads `window.duckdbBench`.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';

/**
 * `csv` reads a gzip-compressed file too (DuckDB decompresses by the `.gz` extension).
 * `json-array` is a file holding one JSON array of records, read by DuckDB-WASM's own JSON
 * import (`insertJSONFromPath`), which is built into the bundle; `read_json` is DuckDB's
 * JSON extension, which DuckDB-WASM fetches from extensions.duckdb.org when first used
 * (offline here, it fails).
 */
type Format = 'csv' | 'parquet' | 'json' | 'json-array';

/** DuckDB's reader for each format, with the options a user would write. */
const READERS: Record<Exclude<Format, 'json-array'>, (file: string) => string> = {
  csv: (file) => `read_csv('${file}', header = true)`,
  parquet: (file) => `read_parquet('${file}')`,
  json: (file) => `read_json('${file}', format = 'newline_delimited')`,
};

interface BenchApi {
  ready: Promise<void>;
  /** Loads the file chosen in the input into table `t`; returns milliseconds. */
  load(format: Format): Promise<number>;
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
    if (format === 'json-array') {
      // The file's bytes handed over whole: through a file handle (BROWSER_FILEREADER)
      // the same import of the 1M-row array took 65 s against 14 s in one trial (both
      // with a build running beside). Shape and types detected by DuckDB-WASM.
      await connection.query('DROP TABLE IF EXISTS t');
      await db.registerFileBuffer(file.name, new Uint8Array(await file.arrayBuffer()));
      await connection.insertJSONFromPath(file.name, { name: 't' });
      await db.dropFile(file.name);
      return performance.now() - started;
    }
    await db.registerFileHandle(file.name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
    await connection.query(`CREATE OR REPLACE TABLE t AS SELECT * FROM ${READERS[format](file.name)}`);
    return performance.now() - started;
  },
  async run(sql) {
    const started = performance.now();
    const result = await connection.query(sql);
    return [performance.now() - started, result.numRows];
  },
};

(window as unknown as { duckdbBench: BenchApi }).duckdbBench = api;
