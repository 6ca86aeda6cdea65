/**
 * Loads an Arrow IPC file or stream (Feather v2): the whole file goes into the engine,
 * which copies its buffers into partitions in one call (there is little to decode).
 */
import type { TableInfo } from '../../engine/shared/api';
import { throwIfCancelled } from './jobs';
import type { LoadContext } from './load-context';

export async function loadArrow(ctx: LoadContext, file: File): Promise<TableInfo> {
  ctx.progress({ phase: 'reading', bytesDone: 0, bytesTotal: file.size, rows: 0 });
  const bytes = new Uint8Array(await file.arrayBuffer());
  throwIfCancelled(ctx.jobId);
  ctx.progress({ phase: 'finishing', bytesDone: file.size, bytesTotal: file.size, rows: 0 });
  return ctx.runtime.engine.addArrow(ctx.name, bytes);
}
