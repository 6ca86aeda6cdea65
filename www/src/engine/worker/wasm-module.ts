/**
 * The engine's wasm exports as the worker uses them (see `crate/src/wasm`). Written out
 * rather than imported from the generated `.d.ts`, so type-checking does not need a wasm
 * build and the two flavours share one description.
 */

export interface WasmEngine {
  addCsv(name: string, loader: WasmCsvLoader): unknown;
  addParquet(name: string, loader: WasmParquetLoader): unknown;
  tables(): unknown;
  rowsIpc(name: string, offset: number, count: number): Uint8Array;
  previewIpc(name: string, offset: number, count: number, columns: number): Uint8Array;
  dropTable(name: string): void;
  views(): string[];
  beginJob(): Uint32Array;
  runSql(sql: string): unknown;
  train(table: string, specJson: string): unknown;
  predict(table: string, modelJson: string): unknown;
  applyPipeline(table: string, specJson: string): unknown;
  profile(table: string): unknown;
  saveAs(source: string, name: string): unknown;
  exportTable(name: string, format: string): Uint8Array;
  free(): void;
}

export interface WasmCsvLoader {
  refineTypes(window: Uint8Array): void;
  push(chunk: Uint8Array): void;
  rows(): number;
  columns(): unknown;
  free(): void;
}

export interface WasmParquetLoader {
  numRowGroups(): number;
  numRows(): number;
  groupsDone(): number;
  decodeNext(maxGroups: number): number;
  columns(): unknown;
  free(): void;
}

export interface WasmModule {
  /** wasm-bindgen's init: fetches and instantiates `brasa_bg.wasm`. */
  default(init?: { module_or_path?: string | URL }): Promise<unknown>;
  /** Threads build only. */
  initThreadPool?(threads: number): Promise<void>;
  threadCount(): number;
  memoryBytes(): number;
  memoryInUse(): number;
  memoryLimit(): number;
  hasThreads(): boolean;
  /** Panics on purpose (test hooks): on this thread, or on a pool thread. */
  crashForTest(onPool: boolean): void;
  engineMemory(): WebAssembly.Memory;
  tableNameFor(fileName: string): string;
  /** Throws OUT_OF_MEMORY if `bytes` more cannot be allocated. */
  reserveMemory(bytes: number): void;
  Engine: new (panicChannel: string) => WasmEngine;
  CsvLoader: new (head: Uint8Array, headIsFile: boolean, options: unknown) => WasmCsvLoader;
  ParquetLoader: new (bytes: Uint8Array) => WasmParquetLoader;
}
