/**
 * The page's handle on the engine worker: starts it, forwards calls, and restarts it when
 * it dies (a wasm trap, a panic reported on the panic channel, or the worker crashing).
 * Listeners hear `restarted` and reload what the engine lost.
 */
import * as Comlink from 'comlink';

import type {
  ChartData,
  ChartSpec,
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
import type {
  CatalogInfo,
  CrashKind,
  CsvExportOptions,
  DroppedFolder,
  EngineApi,
  EngineStatus,
  ExportFormat,
  JobSignals,
  LoadOptions,
  LoadedTable,
  ProgressCallback,
  Timed,
} from '../shared/api';
import { CANCELLED, ENGINE_CRASHED, codedError, isEngineFailure } from '../shared/errors';

export interface EngineClientOptions {
  threads?: number;
  singleThread?: boolean;
}

/** A load in flight: its promise, and how to cancel it. */
export interface LoadJob {
  id: number;
  done: Promise<LoadedTable>;
  cancel(): void;
}

/** A long engine call in flight (a query, a training): its result, and a way to stop it. */
export interface Job<T> {
  done: Promise<T>;
  cancel(): void;
}

/** A query in flight. */
export type SqlJob = Job<Timed<SqlResult>>;

/** How often a running query's progress is read from the engine's memory. */
const PROGRESS_POLL_MS = 100;

export interface RestartDetail {
  reason: string;
  status: EngineStatus;
}

export class EngineClient extends EventTarget {
  private worker?: Worker;
  private remote?: Comlink.Remote<EngineApi>;
  private panicChannel?: BroadcastChannel;
  private starting?: Promise<EngineStatus>;
  private generation = 0;
  private nextJobId = 1;
  /** Loads and jobs asked for so far: the warm-up stops when one comes. */
  private requested = 0;
  /** Rejects when the current engine dies, so calls waiting on it fail at once. */
  private died: Promise<never>;
  private killCalls: (error: Error) => void = () => {};
  status?: EngineStatus;

  constructor(private readonly options: EngineClientOptions = {}) {
    super();
    this.died = this.armDeath();
  }

  /** Starts the engine (once; later calls wait for the same start). */
  start(): Promise<EngineStatus> {
    this.starting ??= this.spawn();
    return this.starting;
  }

  loadFile(file: File, options: LoadOptions, onProgress: ProgressCallback): LoadJob {
    this.requested++;
    const id = this.nextJobId++;
    const done = this.call((api) => api.loadFile(id, file, options, Comlink.proxy(onProgress)));
    return { id, done, cancel: () => void this.remote?.cancel(id) };
  }

  loadFolder(folder: DroppedFolder, options: LoadOptions, onProgress: ProgressCallback): LoadJob {
    this.requested++;
    const id = this.nextJobId++;
    const done = this.call((api) => api.loadFolder(id, folder, options, Comlink.proxy(onProgress)));
    return { id, done, cancel: () => void this.remote?.cancel(id) };
  }

  tables(): Promise<TableInfo[]> {
    return this.call((api) => api.tables());
  }

  preview(table: string, offset: number, count: number, columns: number): Promise<Uint8Array> {
    return this.call((api) => api.preview(table, offset, count, columns));
  }

  dropTable(name: string): Promise<void> {
    return this.call((api) => api.dropTable(name));
  }

  catalog(): Promise<CatalogInfo> {
    return this.call((api) => api.catalog());
  }

  /** How many times the engine's catalog has changed (see `EngineApi.catalogChanges`). */
  catalogChanges(): Promise<number> {
    return this.call((api) => api.catalogChanges());
  }

  exportPartitioned(name: string, columns: string[]): Promise<Uint8Array> {
    return this.call((api) => api.exportPartitioned(name, columns));
  }

  /**
   * The table's content digest for tracking: SHA-256 (hex) of its CSV download, formatted
   * and hashed a few partitions at a time in the engine (never the whole text in memory,
   * nothing but the hex copied to the page), remembered while the name holds that table.
   */
  tableDigest(name: string): Promise<string> {
    return this.call((api) => api.tableDigest(name));
  }

  exportTable(name: string, format: ExportFormat, options?: Partial<CsvExportOptions>): Promise<Uint8Array> {
    return this.call((api) => api.exportTable(name, format, options));
  }

  /** A fitted Spark ML stage's `data/` Parquet file (see `tracking/shared/mlflow-model.ts`). */
  sparkStageData(data: SparkStageData): Promise<Uint8Array> {
    return this.call((api) => api.sparkStageData(data));
  }

  /** A Spark ML stage's data from its Parquet part files (see `tracking/shared/spark-import.ts`). */
  readSparkStageData(className: string, part: SparkDataPart, files: Uint8Array[]): Promise<SparkStageData> {
    return this.call<SparkStageData>((api) => api.readSparkStageData(className, part, files) as Promise<SparkStageData>);
  }

  /** Runs SQL as a job (see `runJob`). */
  runSql(text: string, onProgress: (done: number, total: number) => void): SqlJob {
    return this.runJob('query', async (api) => await api.sql(text), onProgress);
  }

  /** Trains with tuning as a job (see `runJob`). */
  train(table: string, spec: TrainSpec, onProgress: (done: number, total: number) => void): Job<Timed<TrainResult>> {
    return this.runJob('training', (api) => api.train(table, spec), onProgress);
  }

  /** Scores a table with a model into a new table `<table>_predictions`. */
  predict(table: string, scoring: Scoring): Promise<TableInfo> {
    return this.call((api) => api.predict(table, scoring));
  }

  /** Runs a cleaning pipeline on a table as a job (see `runJob`). */
  applyPipeline(table: string, spec: PipelineSpec, onProgress: (done: number, total: number) => void): Job<Timed<PipelineResult>> {
    return this.runJob('cleaning pipeline', (api) => api.applyPipeline(table, spec), onProgress);
  }

  /** Profiles a table as a job (see `runJob`). */
  profile(table: string, onProgress: (done: number, total: number) => void): Job<Timed<Profile>> {
    return this.runJob('profile', (api) => api.profile(table), onProgress);
  }

  /** Computes what a chart of a table or result draws, as a job (see `runJob`). */
  chart(table: string, spec: ChartSpec, onProgress: (done: number, total: number) => void): Job<Timed<ChartData>> {
    return this.runJob('chart', (api) => api.chart(table, spec), onProgress);
  }

  /**
   * Rehearses a first load, profile and queries on `rows` generated rows, so the browser
   * has compiled the engine's hot code optimised before the person's first file. It runs
   * step by step and stops as soon as the page asks for a load or a job, so a
   * file dropped meanwhile waits for one step at most. Resolves to the engine time spent.
   */
  async warmUp(rows: number): Promise<number> {
    let spent = 0;
    for (let step = 0; ; step++) {
      const requested = this.requested;
      const { more, elapsedMs } = await this.call((api) => api.warmUp(rows, step));
      spent += elapsedMs;
      if (!more || this.requested !== requested) return spent;
    }
  }

  /** Registers a table or result under a new name. */
  saveAs(source: string, name: string): Promise<TableInfo> {
    return this.call((api) => api.saveAs(source, name));
  }

  /**
   * Runs a long engine call as a job. In the threads build the page reads the job's
   * progress and sets its cancel flag directly in the engine's shared memory (the worker
   * is busy running it); the single-thread build can only be stopped by restarting the
   * engine, which reloads the tables.
   */
  private runJob<T>(
    what: string,
    run: (api: Comlink.Remote<EngineApi>) => Promise<T>,
    onProgress: (done: number, total: number) => void,
  ): Job<T> {
    this.requested++;
    let cancel = () => {};
    let cancelledByRestart = false;
    const done = (async () => {
      const signals: JobSignals = await this.call((api) => api.beginJob());
      const memory = signals.memory;
      let timer: ReturnType<typeof setInterval> | undefined;
      if (memory) {
        cancel = () => Atomics.store(new Uint8Array(memory.buffer), signals.cancelAddress, 1);
        let shown = '';
        timer = setInterval(() => {
          const words = new Uint32Array(memory.buffer);
          const done = Atomics.load(words, signals.doneAddress >> 2);
          const total = Atomics.load(words, signals.totalAddress >> 2);
          // The page redraws only on news: its main thread shares the cores with the pool.
          if (`${done}/${total}` === shown) return;
          shown = `${done}/${total}`;
          onProgress(done, total);
        }, PROGRESS_POLL_MS);
      } else {
        cancel = () => {
          cancelledByRestart = true;
          void this.restart(`a ${what} was cancelled (the single-thread engine stops only by restarting)`);
        };
      }
      try {
        return await this.call(run);
      } catch (error) {
        if (cancelledByRestart) {
          throw codedError(CANCELLED, `The ${what} was cancelled; the engine was restarted and your tables reloaded.`);
        }
        throw error;
      } finally {
        clearInterval(timer);
      }
    })();
    return { done, cancel: () => cancel() };
  }

  async refreshStatus(): Promise<EngineStatus> {
    this.status = await this.call((api) => api.status());
    return this.status;
  }

  /**
   * Runs a call on the engine. If the engine dies during it, the engine is restarted and
   * the call fails with ENGINE_CRASHED (the caller decides whether to retry).
   */
  private async call<T>(fn: (api: Comlink.Remote<EngineApi>) => Promise<T>): Promise<T> {
    await this.start();
    const generation = this.generation;
    const remote = this.remote;
    if (!remote) throw codedError(ENGINE_CRASHED, 'The engine is not running.');
    try {
      return await Promise.race([fn(remote), this.died]);
    } catch (error) {
      if (!isEngineFailure(error)) throw error;
      if (generation === this.generation) {
        await this.restart(`it failed while working: ${String(error)}`);
      }
      throw codedError(
        ENGINE_CRASHED,
        `The engine stopped unexpectedly (${errorText(error)}) and was restarted.`,
      );
    }
  }

  private armDeath(): Promise<never> {
    const died = new Promise<never>((_, reject) => {
      this.killCalls = reject;
    });
    died.catch(() => {}); // observed through Promise.race in `call`
    return died;
  }

  private async spawn(): Promise<EngineStatus> {
    const channelName = `brasa-engine-panic-${crypto.randomUUID()}`;
    this.panicChannel = new BroadcastChannel(channelName);
    this.panicChannel.onmessage = (event) => void this.restart(`it panicked: ${String(event.data)}`);
    this.worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'brasa-engine',
    });
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      void this.restart(`the worker crashed: ${event.message || 'unknown error'}`);
    });
    this.remote = Comlink.wrap<EngineApi>(this.worker);
    const baseUrl = new URL(import.meta.env.BASE_URL, document.baseURI).href;
    this.status = await this.remote.start({
      baseUrl,
      panicChannel: channelName,
      threads: this.options.threads,
      singleThread: this.options.singleThread,
    });
    return this.status;
  }

  private restarting?: Promise<void>;

  /** Terminates the worker and starts a fresh engine; concurrent requests share one restart. */
  private restart(reason: string): Promise<void> {
    this.restarting ??= (async () => {
      this.generation++;
      this.worker?.terminate();
      this.panicChannel?.close();
      this.remote?.[Comlink.releaseProxy]();
      this.killCalls(codedError(ENGINE_CRASHED, 'the engine worker died'));
      this.died = this.armDeath();
      this.starting = this.spawn();
      const status = await this.starting;
      this.dispatchEvent(new CustomEvent<RestartDetail>('restarted', { detail: { reason, status } }));
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  /** Kills the worker as a crash would (used by tests and the "restart engine" action). */
  simulateCrash(): Promise<void> {
    return this.restart('it was stopped on request');
  }

  /** Makes the engine really crash (the page's test hooks); recovery is the usual one. */
  crashForTest(kind: CrashKind): void {
    void this.call((api) => api.crashForTest(kind)).catch(() => {});
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
