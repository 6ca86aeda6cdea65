import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

/** Builds the DuckDB-WASM reference page into target/bench-duckdb (not part of the app). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../../target/bench-duckdb', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 100_000,
  },
});
