/**
 * Loads a Parquet `File`: the whole file goes into the engine (Parquet needs its footer
 * first), then row groups are decoded in parallel a few at a time so progress shows and
 * a cancel is seen between steps.
 */
import type { TableInfo } from '../../engine/shared/api';
import type { ParquetLoader } from '../../engine/worker/wasm-api';
import { throwIfCancelled, yieldToEvents } from './jobs';
import type { LoadContext } from './load-context';

export async function loadParquet(ctx: LoadContext, file: File): Promise<TableInfo> {
  ctx.progress({ phase: 'reading', bytesDone: 0, bytesTotal: file.size, rows: 0 });
  const bytes = new Uint8Array(await file.arrayBuffer());
  throwIfCancelled(ctx.jobId);
  const loader = new ctx.runtime.wasm.ParquetLoader(bytes);
  let handedOver = false;
  try {
    const rowsTotal = loader.numRows();
    await decodeRowGroups(ctx, loader, (share) => ({ bytesDone: Math.round(file.size * share), bytesTotal: file.size, rows: Math.round(rowsTotal * share) }));
    handedOver = true;
    return ctx.runtime.engine.addParquet(ctx.name, loader);
  } finally {
    if (!handedOver) loader.free();
  }
}

/**
 * Decodes a file's row groups a few at a time (two per thread), reporting progress after
 * each step (`at` turns the share of groups done into bytes and rows) and stopping at a
 * cancel.
 */
export async function decodeRowGroups(
  ctx: LoadContext,
  loader: ParquetLoader,
  at: (share: number) => { bytesDone: number; bytesTotal: number; rows: number },
): Promise<void> {
  const groups = loader.numRowGroups();
  const groupsPerStep = Math.max(1, 2 * ctx.runtime.wasm.engineInfo().threads);
  while (loader.groupsDone() < groups) {
    loader.decodeNext(groupsPerStep);
    ctx.progress({ phase: 'decoding', ...at(loader.groupsDone() / groups) });
    await yieldToEvents();
    throwIfCancelled(ctx.jobId);
  }
}
