/**
 * Streams a compressed CSV `File` (gzip, zstd, bzip2) into the engine, which decompresses
 * each slice and loads the records it completes: the file is read once, front to back,
 * and neither it nor its text is held whole. Progress counts compressed bytes; a cancel
 * is seen between slices.
 */
import type { Compression, CsvOptions, LoadOptions, TableInfo } from '../../engine/shared/api';
import type { LoadContext } from './load-context';
import { readSlices, streamFile } from './stream-file';

/**
 * Compressed bytes per push: small enough that a slice's output (CSV compresses 5-10×)
 * is decoded between two cancel checks in well under a second.
 */
export const COMPRESSED_SLICE_BYTES = 4 << 20;

export async function loadCompressedCsv(
  ctx: LoadContext,
  file: File,
  compression: Compression,
  options: LoadOptions['csv'],
): Promise<{ info: TableInfo; used?: CsvOptions }> {
  const loader = new ctx.runtime.wasm.CompressedCsvLoader(compression, options);
  let handedOver = false;
  try {
    await streamFile(ctx, readSlices(file, COMPRESSED_SLICE_BYTES), loader);
    // (Undefined for a stream too short to have opened the reader before the end.)
    const used = loader.optionsUsed();
    handedOver = true;
    return { info: ctx.runtime.engine.addCompressedCsv(ctx.name, loader), used };
  } finally {
    if (!handedOver) loader.free();
  }
}
