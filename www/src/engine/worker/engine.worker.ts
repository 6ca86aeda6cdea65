/**
 * The engine worker: owns the wasm instance and its thread pool, and exposes the
 * `EngineApi` to the page with Comlink. The page's main thread never runs wasm.
 */
import * as Comlink from 'comlink';

import { cancelJob, runJob } from '../../data/worker/jobs';
import { loadFile } from '../../data/worker/load-file';
import type { EngineApi, SqlResult, TableInfo } from '../shared/api';
import type { PipelineResult } from '../../clean/shared/pipeline';
import type { Profile } from '../../data/shared/profile';
import type { TrainResult } from '../../ml/shared/training';
import { codedError, keepErrorCodesAcrossComlink } from '../shared/errors';
import { type Runtime, startRuntime } from './runtime';

keepErrorCodesAcrossComlink();

let runtime: Runtime | undefined;

function ready(): Runtime {
  if (!runtime) throw codedError('NOT_STARTED', 'The engine has not been started.');
  return runtime;
}

const api: EngineApi = {
  async start(options) {
    runtime ??= await startRuntime(options);
    return runtime.status();
  },
  status: () => ready().status(),
  loadFile: (jobId, file, options, onProgress) =>
    runJob(jobId, () => loadFile(ready(), jobId, file, options, onProgress)),
  cancel: cancelJob,
  tables: () => ready().engine.tables() as TableInfo[],
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
  sql(text) {
    const started = performance.now();
    const result = ready().engine.runSql(text) as Omit<SqlResult, 'elapsedMs'>;
    return { ...result, elapsedMs: performance.now() - started } as SqlResult;
  },
  train(table, spec) {
    const started = performance.now();
    const result = ready().engine.train(table, JSON.stringify(spec)) as Omit<TrainResult, 'elapsedMs'>;
    return { ...result, elapsedMs: performance.now() - started };
  },
  predict: (table, scoring) => ready().engine.predict(table, JSON.stringify(scoring)) as TableInfo,
  applyPipeline(table, spec) {
    const started = performance.now();
    const result = ready().engine.applyPipeline(table, JSON.stringify(spec)) as Omit<PipelineResult, 'elapsedMs'>;
    return { ...result, elapsedMs: performance.now() - started };
  },
  profile(table) {
    const started = performance.now();
    const result = ready().engine.profile(table) as Omit<Profile, 'elapsedMs'>;
    return { ...result, elapsedMs: performance.now() - started };
  },
  saveAs: (source, name) => ready().engine.saveAs(source, name) as TableInfo,
  catalog() {
    const { engine } = ready();
    const tables = (engine.tables() as TableInfo[]).map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name) }));
    return { tables, views: engine.views() };
  },
  crashForTest(kind) {
    if (kind === 'worker') {
      setTimeout(() => {
        throw new Error('the engine worker failed on request (test hook)');
      });
      return;
    }
    ready().wasm.crashForTest(kind === 'pool');
  },
  exportTable(name, format) {
    const bytes = ready().engine.exportTable(name, format);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
};

Comlink.expose(api);
