/**
 * Loads a Parquet `File`: its footer first, then the file from the start in slices, each
 * row group decoded (in parallel, a few at a time) as soon as its bytes are in, while the
 * next slices are read. Progress shows and a cancel is seen between slices.
 */
import type { TableInfo } from '../../engine/shared/api';
import type { ParquetLoader } from '../../engine/worker/wasm-api';
import { throwIfCancelled } from './jobs';
import type { LoadContext } from './load-context';
import { readSlice, readSlices, streamFile } from './stream-file';

/** Slices small enough that decoding starts early, big enough to hold several row groups. */
export const PARQUET_SLICE_BYTES = 16 << 20;
/** The footer's fixed end (metadata length and `PAR1`) is 8 bytes; most footers fit in this. */
const FOOTER_GUESS_BYTES = 64 << 10;

export async function loadParquet(ctx: LoadContext, file: File): Promise<TableInfo> {
  ctx.progress({ phase: 'reading', bytesDone: 0, bytesTotal: file.size, rows: 0 });
  const loader = await openFromFooter(ctx, file);
  let handedOver = false;
  try {
    const step = groupsPerStep(ctx);
    const rowsPerGroup = loader.numRows() / Math.max(1, loader.numRowGroups());
    await streamFile(ctx, readSlices(file, PARQUET_SLICE_BYTES), {
      push(slice) {
        loader.push(slice);
        while (loader.decodeNext(step) > 0) throwIfCancelled(ctx.jobId);
      },
      rows: () => Math.round(loader.groupsDone() * rowsPerGroup),
    });
    handedOver = true;
    return ctx.runtime.engine.addParquet(ctx.name, loader);
  } finally {
    if (!handedOver) loader.free();
  }
}

/** Reads the file's footer and opens a loader on it. */
async function openFromFooter(ctx: LoadContext, file: File): Promise<ParquetLoader> {
  const { ParquetLoader } = ctx.runtime.wasm;
  let tail = await readSlice(file, Math.max(0, file.size - FOOTER_GUESS_BYTES), file.size);
  const footer = ParquetLoader.footerLength(tail, file.size);
  if (footer > tail.byteLength) tail = await readSlice(file, file.size - footer, file.size);
  throwIfCancelled(ctx.jobId);
  return ParquetLoader.fromFooter(tail, file.size);
}

/** Row groups decoded per call: two per thread keep every thread busy between progress reports. */
export function groupsPerStep(ctx: LoadContext): number {
  return Math.max(1, 2 * ctx.runtime.wasm.engineInfo().threads);
}
