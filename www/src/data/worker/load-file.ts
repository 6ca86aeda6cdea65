/** Loading one file: format detection, a memory check, the reader, and timing. */
import type { LoadOptions, LoadedTable, ProgressCallback } from '../../engine/shared/api';
import { OUT_OF_MEMORY, codedError } from '../../engine/shared/errors';
import type { Runtime } from '../../engine/worker/runtime';
import { formatBytes } from '../../ui/format';
import { detectFormat } from '../shared/formats';
import { loadCsv } from './load-csv';
import { loadParquet } from './load-parquet';

/**
 * How much memory loading takes per byte of file, roughly: decoded CSV is about as big as
 * its text (plus the chunk in flight); Parquet is compressed, so its columns can take
 * several times the file, and the file itself stays in memory while decoding.
 */
const MEMORY_PER_FILE_BYTE = { csv: 1.5, parquet: 6 } as const;

export async function loadFile(
  runtime: Runtime,
  jobId: number,
  file: File,
  options: LoadOptions,
  progress: ProgressCallback,
): Promise<LoadedTable> {
  const started = performance.now();
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  const format = detectFormat(file.name, head);
  checkMemory(runtime, file, format);
  const ctx = { runtime, jobId, progress, name: options.name ?? runtime.wasm.tableNameFor(file.name) };
  const info = format === 'csv' ? await loadCsv(ctx, file, options.csv ?? {}) : await loadParquet(ctx, file);
  return {
    ...info,
    source: { fileName: file.name, format, bytes: file.size },
    loadMs: performance.now() - started,
  };
}

function checkMemory(runtime: Runtime, file: File, format: 'csv' | 'parquet'): void {
  const status = runtime.status();
  const inTables = (runtime.engine.tables() as { memoryBytes: number }[]).reduce(
    (sum, t) => sum + t.memoryBytes,
    0,
  );
  const needed = file.size * MEMORY_PER_FILE_BYTE[format];
  const available = status.memoryLimitBytes - inTables;
  if (needed > available) {
    throw codedError(
      OUT_OF_MEMORY,
      `${file.name} is ${formatBytes(file.size)}; loading it needs about ${formatBytes(needed)}, ` +
        `but the engine can use ${formatBytes(status.memoryLimitBytes)} and loaded tables hold ` +
        `${formatBytes(inTables)}. Drop some tables, or load a smaller file (Parquet takes less).`,
    );
  }
}
