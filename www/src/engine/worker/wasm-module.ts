/**
 * The engine's wasm module as the worker loads it: the exports wasm-bindgen declares
 * (`wasm-api.ts`, generated from the engine by `scripts/wasm-api.ts`, typed with the
 * contract's types) plus the loader every flavour has. Only the threads build has
 * `initThreadPool`.
 */
import type * as Api from './wasm-api';

export type { CsvLoader, Engine, ParquetLoader } from './wasm-api';

export type WasmModule = Omit<typeof Api, 'initThreadPool'> & {
  /** wasm-bindgen's init: fetches and instantiates `brasa_bg.wasm`. */
  default(init?: { module_or_path?: string | URL }): Promise<unknown>;
  /** Threads build only: starts the rayon pool on `threads` web workers. */
  initThreadPool?: typeof Api.initThreadPool;
};
