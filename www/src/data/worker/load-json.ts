/**
 * Streams a JSON `File` (JSON lines or one document, plain or compressed) into the
 * engine, then has it make the table: Spark infers a JSON schema from every record, so
 * the table is made once the whole text is in (the "finishing" phase). JSON lines are
 * surveyed and decoded in the engine as the slices arrive, while the next are read.
 */
import type { Compression, LoadOptions, TableInfo } from '../../engine/shared/api';
import { COMPRESSED_SLICE_BYTES } from './load-compressed';
import type { LoadContext } from './load-context';
import { readSlices, streamFile } from './stream-file';

/** Plain text is copied in big slices; compressed data in slices a cancel can follow. */
export const JSON_PLAIN_SLICE_BYTES = 32 << 20;

export async function loadJson(
  ctx: LoadContext,
  file: File,
  compression: Compression | undefined,
  options: LoadOptions['json'],
): Promise<TableInfo> {
  const loader = new ctx.runtime.wasm.JsonLoader(options, file.size, compression);
  let handedOver = false;
  try {
    const sliceBytes = compression ? COMPRESSED_SLICE_BYTES : JSON_PLAIN_SLICE_BYTES;
    await streamFile(ctx, readSlices(file, sliceBytes), { push: (slice) => loader.push(slice), rows: () => loader.rows() }, 'reading');
    handedOver = true;
    return ctx.runtime.engine.addJson(ctx.name, loader);
  } finally {
    if (!handedOver) loader.free();
  }
}
