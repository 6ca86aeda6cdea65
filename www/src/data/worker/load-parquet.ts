/**
 * Loads a Parquet `File`: the whole file goes into the engine (Parquet needs its footer
 * first), then row groups are decoded in parallel a few at a time so progress shows and
 * a cancel is seen between steps.
 */
import type { TableInfo } from '../../engine/shared/api';
import { throwIfCancelled, yieldToEvents } from './jobs';
import type { LoadContext } from './load-context';

export async function loadParquet(ctx: LoadContext, file: File): Promise<TableInfo> {
  ctx.progress({ phase: 'reading', bytesDone: 0, bytesTotal: file.size, rows: 0 });
  const bytes = new Uint8Array(await file.arrayBuffer());
  throwIfCancelled(ctx.jobId);
  const loader = new ctx.runtime.wasm.ParquetLoader(bytes);
  let handedOver = false;
  try {
    const groups = loader.numRowGroups();
    const groupsPerStep = Math.max(1, 2 * ctx.runtime.wasm.engineInfo().threads);
    const rowsTotal = loader.numRows();
    while (loader.groupsDone() < groups) {
      loader.decodeNext(groupsPerStep);
      const share = loader.groupsDone() / groups;
      ctx.progress({
        phase: 'decoding',
        bytesDone: Math.round(file.size * share),
        bytesTotal: file.size,
        rows: Math.round(rowsTotal * share),
      });
      await yieldToEvents();
      throwIfCancelled(ctx.jobId);
    }
    handedOver = true;
    return ctx.runtime.engine.addParquet(ctx.name, loader);
  } finally {
    if (!handedOver) loader.free();
  }
}
