/**
 * The reference page of the benchmark: DuckDB-WASM (npm package, bundles built by Vite
 * from tests/bench/duckdb and served locally, no CDN) in the same browser, driven through
 * `window.duckdbBench`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

import { ROOT } from '../../e2e/harness';

interface DuckdbBench {
  ready: Promise<void>;
  version: string;
  load(format: 'csv' | 'parquet' | 'json' | 'json-array'): Promise<number>;
  run(sql: string): Promise<[number, number]>;
}

export class DuckdbPage {
  private constructor(
    private readonly server: PreviewServer,
    readonly page: Page,
    readonly version: string,
  ) {}

  /** Serves the built reference page (`target/bench-duckdb`) and opens it. */
  static async open(browser: Browser): Promise<DuckdbPage> {
    if (!existsSync(path.join(ROOT, 'target/bench-duckdb/index.html'))) {
      throw new Error(
        'the DuckDB-WASM reference page is not built: run `npx vite build --config tests/bench/duckdb/vite.config.ts` (scripts/bench.sh does)',
      );
    }
    const server = await preview({
      configFile: false,
      root: path.join(ROOT, 'tests/bench/duckdb'),
      build: { outDir: path.join(ROOT, 'target/bench-duckdb') },
      logLevel: 'error',
      preview: { port: 0, host: '127.0.0.1' },
    });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the DuckDB-WASM page has no URL');
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'duckdbBench' in window);
    await page.evaluate(() => (window as unknown as { duckdbBench: DuckdbBench }).duckdbBench.ready);
    const version = await page.evaluate(() => (window as unknown as { duckdbBench: DuckdbBench }).duckdbBench.version);
    return new DuckdbPage(server, page, version);
  }

  /** Loads a CSV file (plain or `.csv.gz`) into table `t`; returns milliseconds. */
  loadCsv(file: string): Promise<number> {
    return this.load(file, 'csv');
  }

  /** Loads a JSON-lines file into table `t` with `read_json`; returns milliseconds. */
  loadJson(file: string): Promise<number> {
    return this.load(file, 'json');
  }

  /**
   * Loads a file holding one JSON array of records into table `t` with DuckDB-WASM's own
   * JSON import (`insertJSONFromPath`, built into the bundle); returns milliseconds.
   */
  loadJsonArray(file: string): Promise<number> {
    return this.load(file, 'json-array');
  }

  private async load(file: string, format: 'csv' | 'json' | 'json-array'): Promise<number> {
    await this.page.locator('#file').setInputFiles(file);
    return this.page.evaluate((f) => (window as unknown as { duckdbBench: DuckdbBench }).duckdbBench.load(f), format);
  }

  /** Runs a query on `t`; returns milliseconds. */
  async run(sql: string): Promise<number> {
    const [ms] = await this.page.evaluate((q) => (window as unknown as { duckdbBench: DuckdbBench }).duckdbBench.run(q), sql);
    return ms;
  }

  async close(): Promise<void> {
    await this.page.close();
    await new Promise<void>((resolve) => this.server.httpServer.close(() => resolve()));
  }
}
