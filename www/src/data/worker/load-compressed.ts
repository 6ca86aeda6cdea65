/**
 * Streams a compressed CSV `File` (gzip, zstd, bzip2) into the engine, which decompresses
 * each slice and loads the records it completes: the file is read once, front to back,
 * and neither it nor its text is held whole. Progress counts compressed bytes; a cancel
 * is seen between slices.
 */
import type { Compression, LoadOptions, TableInfo } from '../../engine/shared/api';
import { throwIfCancelled } from './jobs';
import type { LoadContext } from './load-context';

/**
 * Compressed bytes per push: small enough that a slice's output (CSV compresses 5-10×)
 * is decoded between two cancel checks in well under a second.
 */
const SLICE_BYTES = 4 << 20;

export async function loadCompressedCsv(
  ctx: LoadContext,
  file: File,
  compression: Compression,
  options: LoadOptions['csv'],
): Promise<TableInfo> {
  const loader = new ctx.runtime.wasm.CompressedCsvLoader(compression, options);
  let handedOver = false;
  try {
    let next: Promise<Uint8Array> | undefined = readSlice(file, 0, SLICE_BYTES);
    for (let offset = 0; next; ) {
      const slice: Uint8Array = await next;
      offset += slice.byteLength;
      next = offset < file.size ? readSlice(file, offset, offset + SLICE_BYTES) : undefined;
      throwIfCancelled(ctx.jobId);
      loader.push(slice);
      ctx.progress({ phase: 'decoding', bytesDone: offset, bytesTotal: file.size, rows: loader.rows() });
    }
    ctx.progress({ phase: 'finishing', bytesDone: file.size, bytesTotal: file.size, rows: loader.rows() });
    handedOver = true;
    return ctx.runtime.engine.addCompressedCsv(ctx.name, loader);
  } finally {
    if (!handedOver) loader.free();
  }
}

async function readSlice(file: File, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}
