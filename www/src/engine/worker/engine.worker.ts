/**
 * The engine worker: owns the wasm instance and its thread pool, and exposes the
 * `EngineApi` to the page with Comlink. The page's main thread never runs wasm.
 */
import * as Comlink from 'comlink';

import { cancelJob, runJob } from '../../data/worker/jobs';
import { loadDroppedFolder, loadFile } from '../../data/worker/load-file';
import { startSliceReader } from '../../data/worker/stream-file';
import type { EngineApi, Timed } from '../shared/api';
import { NOT_STARTED, codedError, keepErrorCodesAcrossComlink } from '../shared/errors';
import { type Runtime, startRuntime } from './runtime';

keepErrorCodesAcrossComlink();

let runtime: Runtime | undefined;

function ready(): Runtime {
  if (!runtime) throw codedError(NOT_STARTED, 'The engine has not been started.');
  return runtime;
}

/** Runs an engine call and says how long it took. */
function timed<T extends object>(call: () => T): Timed<T> {
  const started = performance.now();
  const result = call();
  return { ...result, elapsedMs: performance.now() - started };
}

const api: EngineApi = {
  async start(options) {
    runtime ??= await startRuntime(options);
    startSliceReader();
    return runtime.status();
  },
  status: () => ready().status(),
  loadFile: (jobId, file, options, onProgress) =>
    runJob(jobId, () => loadFile(ready(), jobId, file, options, onProgress)),
  loadFolder: (jobId, folder, options, onProgress) =>
    runJob(jobId, () => loadDroppedFolder(ready(), jobId, folder, options, onProgress)),
  cancel: cancelJob,
  tables: () => ready().engine.tables(),
  preview(table, offset, count, columns) {
    const bytes = ready().engine.previewIpc(table, offset, count, columns);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  dropTable: (name) => ready().engine.dropTable(name),
  beginJob() {
    const { wasm, engine } = ready();
    const [cancelAddress, doneAddress, totalAddress] = engine.beginJob();
    const memory = wasm.engineMemory();
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    return { memory: shared ? memory : undefined, cancelAddress, doneAddress, totalAddress };
  },
  sql: (text) => timed(() => ready().engine.runSql(text)),
  train: (table, spec) => timed(() => ready().engine.train(table, spec)),
  predict: (table, scoring) => ready().engine.predict(table, scoring),
  applyPipeline: (table, spec) => timed(() => ready().engine.applyPipeline(table, spec)),
  profile: (table) => timed(() => ready().engine.profile(table)),
  warmUp: (rows, step) => timed(() => ({ more: ready().engine.warmUp(rows, step) })),
  chart: (table, spec) => timed(() => ready().engine.chartData(table, spec)),
  saveAs: (source, name) => ready().engine.saveAs(source, name),
  catalog: () => ready().engine.catalog(),
  catalogChanges: () => ready().engine.catalogChanges(),
  crashForTest(kind) {
    if (kind === 'worker') {
      setTimeout(() => {
        throw new Error('the engine worker failed on request (test hook)');
      });
      return;
    }
    ready().wasm.crashForTest(kind === 'pool');
  },
  exportPartitioned(name, columns) {
    const bytes = ready().engine.exportPartitioned(name, columns);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  tableDigest(name) {
    return ready().engine.tableDigest(name);
  },
  exportTable(name, format, options) {
    const bytes = ready().engine.exportTable(name, format, options);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  sparkStageData(data) {
    const bytes = ready().wasm.sparkStageData(data);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  readSparkStageData(className, part, files) {
    return ready().wasm.readSparkStageData(className, part, files);
  },
};

Comlink.expose(api);
