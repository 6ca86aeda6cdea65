/**
 * The engine worker: owns the wasm instance and its thread pool, and exposes the
 * `EngineApi` to the page with Comlink. The page's main thread never runs wasm.
 */
import * as Comlink from 'comlink';

import { cancelJob, runJob } from '../../data/worker/jobs';
import { loadFile } from '../../data/worker/load-file';
import type { EngineApi, TableInfo } from '../shared/api';
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
  preview(table, offset, count) {
    const bytes = ready().engine.previewIpc(table, offset, count);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  dropTable: (name) => ready().engine.dropTable(name),
};

Comlink.expose(api);
