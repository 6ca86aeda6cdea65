/**
 * Streams a CSV `File` into the engine: the head settles dialect and schema, windows from
 * further in refine the types, then the file goes in chunk by chunk, the next chunks read
 * by the slice reader worker while the current one is decoded (`stream-file.ts`).
 */
import type { CsvOptions, LoadOptions, TableInfo } from '../../engine/shared/api';
import { type ErrorCode, isCodedError } from '../../engine/shared/errors';
import type { CsvLoader } from '../../engine/worker/wasm-module';
import type { LoadContext } from './load-context';
import { readSlice, streamFile } from './stream-file';

const HEAD_BYTES = 1 << 20;
/** A first record longer than this is almost certainly not CSV. */
const MAX_HEAD_BYTES = 256 << 20;
export const CSV_CHUNK_BYTES = 32 << 20;
const SAMPLE_WINDOWS = 8;
const WINDOW_BYTES = 64 << 10;

/** The table, with the options the reader used (what detection chose filled in). */
export async function loadCsv(ctx: LoadContext, file: File, options: LoadOptions['csv']): Promise<{ info: TableInfo; used: CsvOptions }> {
  const loader = await openLoader(ctx, file, options);
  let handedOver = false;
  try {
    const used = loader.optionsUsed();
    loader.expectBytes(file.size);
    await refineTypes(loader, file);
    await streamFile(ctx, file, CSV_CHUNK_BYTES, loader);
    handedOver = true;
    return { info: ctx.runtime.engine.addCsv(ctx.name, loader), used };
  } finally {
    if (!handedOver) loader.free();
  }
}

/** Creates the loader from the file's head, growing the head if the first record is long. */
export async function openLoader(ctx: LoadContext, file: Blob, options: LoadOptions['csv']): Promise<CsvLoader> {
  for (let headSize = Math.min(file.size, HEAD_BYTES); ; headSize = Math.min(file.size, headSize * 4)) {
    const head = await readSlice(file, 0, headSize);
    try {
      return new ctx.runtime.wasm.CsvLoader(head, headSize === file.size, options);
    } catch (error) {
      const tooLong = isCodedError(error) && error.code === ('CSV_RECORD_TOO_LONG' satisfies ErrorCode);
      if (!tooLong || headSize >= file.size || headSize >= MAX_HEAD_BYTES) throw error;
    }
  }
}

export async function refineTypes(loader: CsvLoader, file: Blob): Promise<void> {
  if (file.size <= 4 * HEAD_BYTES) return;
  for (let k = 1; k <= SAMPLE_WINDOWS; k++) {
    const at = Math.floor((file.size * k) / (SAMPLE_WINDOWS + 1));
    loader.refineTypes(await readSlice(file, at, at + WINDOW_BYTES));
  }
}

