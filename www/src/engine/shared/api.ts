/**
 * The typed surface between the page and the engine worker. Everything here crosses a
 * `postMessage`: plain data, `File`s and transferred byte arrays only.
 */
import type { PipelineResult, PipelineSpec } from '../../clean/shared/pipeline';
import type { Profile } from '../../data/shared/profile';
import type { Scoring, TrainResult, TrainSpec } from '../../ml/shared/training';

/** Which wasm build runs and why. */
export interface EngineStatus {
  flavour: 'threads' | 'single-thread';
  /** Threads rayon runs on (1 for the single-thread build). */
  threads: number;
  crossOriginIsolated: boolean;
  /** Why the single-thread build was chosen, when it was. */
  fallbackReason?: string;
  /** Bytes the engine's allocator has handed out now (tables, results, jobs). */
  memoryInUseBytes: number;
  /** Bytes of wasm linear memory reserved so far (it grows, never shrinks). */
  memoryBytes: number;
  /** Most memory the engine may use: bigger jobs are refused with OUT_OF_MEMORY. */
  memoryLimitBytes: number;
}

/** A column as Spark's `printSchema` would describe it. */
export interface ColumnInfo {
  name: string;
  /** Spark SQL type name: `int`, `bigint`, `double`, `string`, `date`, `timestamp`, ... */
  dataType: string;
  /** Arrow's name for the type. */
  arrowType: string;
  nullable: boolean;
}

export interface TableInfo {
  name: string;
  rows: number;
  partitions: number;
  memoryBytes: number;
  columns: ColumnInfo[];
  /** What the reader had to do that the user should know about. */
  warnings: string[];
}

export type FileFormat = 'csv' | 'parquet';

/** A table loaded from a file, with where it came from and what loading cost. */
export interface LoadedTable extends TableInfo {
  /** The file it was read from; absent for tables made with SQL (`CREATE TABLE ... AS`). */
  source?: { fileName: string; format: FileFormat; bytes: number };
  loadMs?: number;
}

/** What a SQL statement produced. */
export type SqlResult =
  | { kind: 'rows'; info: TableInfo; elapsedMs: number }
  | { kind: 'done'; message: string; elapsedMs: number };

/**
 * Where a job's signals live in the engine's memory. `memory` is only there when it is
 * shared (threads build): the page then reads progress and sets the cancel flag itself.
 */
export interface JobSignals {
  memory?: WebAssembly.Memory;
  cancelAddress: number;
  doneAddress: number;
  totalAddress: number;
}

/** Names for SQL completion. */
export interface CatalogInfo {
  tables: { name: string; columns: string[] }[];
  views: string[];
}

export type ExportFormat = 'csv' | 'parquet';

/** CSV options, named as in Spark's `spark.read.csv` where Spark has them. */
export interface CsvOptions {
  /** `undefined`: detect from the data. */
  header?: boolean;
  /** `undefined`: detect `,` `;` tab `|`. */
  delimiter?: string;
  quote?: string;
  quoting?: boolean;
  nullValues?: string[];
  inferSchema?: boolean;
  mode?: 'PERMISSIVE' | 'DROPMALFORMED' | 'FAILFAST';
  /** Most columns a file may have (Spark's default: 20,480). */
  maxColumns?: number;
}

export interface LoadOptions {
  /** Table name; by default derived from the file name. */
  name?: string;
  csv?: CsvOptions;
}

export interface LoadProgress {
  phase: 'reading' | 'decoding' | 'finishing';
  bytesDone: number;
  bytesTotal: number;
  rows: number;
}

export type ProgressCallback = (progress: LoadProgress) => void;

/** How the page starts the engine. */
export interface StartOptions {
  /** URL of the app's root, where `wasm/` is served. */
  baseUrl: string;
  /** BroadcastChannel name the engine posts a panic on (unique per engine instance). */
  panicChannel: string;
  /** Pool size; defaults to `navigator.hardwareConcurrency`. */
  threads?: number;
  /** Use the single-thread build even where threads would work. */
  singleThread?: boolean;
}

/**
 * Ways to crash the engine on purpose (test hooks): a panic in the engine's own thread, a
 * panic on a thread-pool worker while the engine waits for it, an uncaught error in the
 * worker's JavaScript.
 */
export type CrashKind = 'engine' | 'pool' | 'worker';

/** The engine worker's API, exposed with Comlink. */
export interface EngineApi {
  /** Loads the wasm build the page can run and starts its thread pool. */
  start(options: StartOptions): Promise<EngineStatus>;
  status(): EngineStatus;
  /** Loads a CSV or Parquet file into a new table. `jobId` lets `cancel` stop it. */
  loadFile(
    jobId: number,
    file: File,
    options: LoadOptions,
    onProgress: ProgressCallback,
  ): Promise<LoadedTable>;
  /** Stops a running job at its next chunk boundary; it rejects with code CANCELLED. */
  cancel(jobId: number): void;
  tables(): TableInfo[];
  /**
   * Rows `[offset, offset + count)` of a table's first `columns` columns as Arrow IPC
   * stream bytes, every column formatted as text by the engine (nulls stay null): what
   * the grid shows.
   */
  preview(table: string, offset: number, count: number, columns: number): Uint8Array;
  dropTable(name: string): void;
  /** Starts a job (a query); returns where its cancel flag and progress live. */
  beginJob(): JobSignals;
  /** Runs SQL as the job begun last. */
  sql(text: string): SqlResult;
  /** Trains LinearRegression with tuning as the job begun last. */
  train(table: string, spec: TrainSpec): TrainResult;
  /** Scores a table with a model into a new table `<table>_predictions`. */
  predict(table: string, scoring: Scoring): TableInfo;
  /** Runs a cleaning pipeline on a table as the job begun last; the output is kept as a result. */
  applyPipeline(table: string, spec: PipelineSpec): PipelineResult;
  /** Profiles every column of a table or result as the job begun last. */
  profile(table: string): Profile;
  /** Registers a table or result under a new name (usable from SQL). */
  saveAs(source: string, name: string): TableInfo;
  /** Crashes the engine on purpose (end-to-end tests of recovery); never returns. */
  crashForTest(kind: CrashKind): void;
  catalog(): CatalogInfo;
  /** A table or query result as a file. */
  exportTable(name: string, format: ExportFormat): Uint8Array;
}
