/**
 * The typed surface between the page and the engine worker. Everything here crosses a
 * `postMessage`: plain data, `File`s and transferred byte arrays only.
 *
 * What the engine itself answers is typed by the generated contract (`../../contract`,
 * made from the engine's Rust types); this file adds what the worker and the page add
 * around it: how the engine was started, timings, file sources, job signals.
 */
import type {
  CatalogInfo,
  ChartData,
  ChartSpec,
  Compression,
  CsvExportOptions,
  CsvOptions,
  EngineInfo,
  ExcelOptions,
  JsonOptions,
  LoadProgress,
  PipelineResult,
  PipelineSpec,
  Profile,
  Scoring,
  SparkDataPart,
  SparkStageData,
  SqlResult,
  TableInfo,
  TrainResult,
  TrainSpec,
} from '../../contract';

export type {
  CatalogInfo,
  ChartData,
  ChartSpec,
  ColumnInfo,
  Compression,
  CsvExportOptions,
  CsvOptions,
  ExcelOptions,
  JsonOptions,
  LoadProgress,
  SqlResult,
  TableInfo,
  WorkbookTable,
} from '../../contract';

/** Which wasm build runs and why, with what the engine says about itself. */
export interface EngineStatus extends EngineInfo {
  flavour: 'threads' | 'single-thread';
  crossOriginIsolated: boolean;
  /** Why the single-thread build was chosen, when it was. */
  fallbackReason?: string;
}

/** An engine answer with how long the call took in the worker. */
export type Timed<T> = T & { elapsedMs: number };

export type FileFormat = 'csv' | 'parquet' | 'json' | 'arrow' | 'excel';

/** A table loaded from a file, with where it came from and what loading cost. */
export interface LoadedTable extends TableInfo {
  /** The file it was read from; absent for tables made with SQL (`CREATE TABLE ... AS`). */
  source?: {
    fileName: string;
    format: FileFormat;
    compression?: Compression;
    bytes: number;
    /** A workbook's: the sheet the table was read from, and every worksheet it has. */
    sheet?: string;
    sheets?: string[];
    /** A workbook's: whether the sheet's first row was read as the header (given or detected). */
    header?: boolean;
    /** A CSV file's: the reader options it was read with, what detection chose filled in. */
    csvOptions?: CsvOptions;
    /** A JSON file's: the reader options it was read with. */
    jsonOptions?: JsonOptions;
    /** A folder's (or a zip of one): the data files read, and its partition columns. */
    files?: number;
    partitionColumns?: string[];
  };
  loadMs?: number;
}

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

export type ExportFormat = 'csv' | 'parquet';

export interface LoadOptions {
  /** Table name; by default derived from the file name. */
  name?: string;
  /** CSV options, named as in Spark's `spark.read.csv`; what is left out is detected. */
  csv?: Partial<CsvOptions>;
  /** JSON options, named as in Spark's `spark.read.json`. */
  json?: Partial<JsonOptions>;
  /** Excel options (which sheet; pandas' `read_excel` names). */
  excel?: Partial<ExcelOptions>;
  /**
   * Replace the table called `name` (another sheet of the same workbook, the same file
   * read with other options) instead of adding one.
   */
  replace?: boolean;
}

/**
 * A folder the user dropped or picked (Spark's output folder, often Hive-partitioned:
 * `sales/year=2024/part-0.parquet`): its files with their paths inside it, `/` separated
 * and starting with the folder's own name.
 */
export interface DroppedFolder {
  name: string;
  files: { path: string; file: File }[];
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
  /**
   * Loads a folder of Parquet files (Hive-partitioned or not) into one table, as
   * `spark.read.parquet(folder)` reads it.
   */
  loadFolder(jobId: number, folder: DroppedFolder, options: LoadOptions, onProgress: ProgressCallback): Promise<LoadedTable>;
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
  sql(text: string): Timed<SqlResult>;
  /** Trains with tuning as the job begun last. */
  train(table: string, spec: TrainSpec): Timed<TrainResult>;
  /** Scores a table with a model into a new table `<table>_predictions`. */
  predict(table: string, scoring: Scoring): TableInfo;
  /** Runs a cleaning pipeline on a table as the job begun last; the output is kept as a result. */
  applyPipeline(table: string, spec: PipelineSpec): Timed<PipelineResult>;
  /** Profiles every column of a table or result as the job begun last. */
  profile(table: string): Timed<Profile>;
  /** Runs a step of the engine's rehearsal on generated rows; says whether more follow. */
  warmUp(rows: number, step: number): Timed<{ more: boolean }>;
  /** What a chart of a table or result draws, aggregated in the engine as the job begun last. */
  chart(table: string, spec: ChartSpec): Timed<ChartData>;
  /** Registers a table or result under a new name (usable from SQL). */
  saveAs(source: string, name: string): TableInfo;
  /** Crashes the engine on purpose (end-to-end tests of recovery); never returns. */
  crashForTest(kind: CrashKind): void;
  catalog(): CatalogInfo;
  /** How many times the catalog has changed: equal before and after a SQL run that changed nothing. */
  catalogChanges(): number;
  /** The table's content digest: SHA-256 (hex) of its CSV download's bytes, never held whole. */
  tableDigest(name: string): string;
  /** A table or query result as a file; `options` are the CSV download's choices. */
  exportTable(name: string, format: ExportFormat, options?: Partial<CsvExportOptions>): Uint8Array;
  /** A table or result as a zip of a Parquet folder partitioned by `columns` (Spark's layout). */
  exportPartitioned(name: string, columns: string[]): Uint8Array;
  /** A fitted Spark ML stage's `data/` Parquet file (the page writes the rest of the model). */
  sparkStageData(data: SparkStageData): Uint8Array;
  /** A Spark ML stage's data read back from its Parquet part files (importing a PipelineModel). */
  readSparkStageData(className: string, part: SparkDataPart, files: Uint8Array[]): SparkStageData;
}
