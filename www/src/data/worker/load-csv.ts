/**
 * Streams a CSV `File` into the engine: the head settles dialect and schema, windows from
 * further in refine the types, then the file goes in chunk by chunk, the next chunks read
 * by the slice reader worker while the current one is decoded (`stream-file.ts`). The
 * chunks' reading starts first, beside the head's, and the first chunk is a small one, so
 * the threads start decoding a few milliseconds into the load rather than after a whole
 * chunk has been read.
 */
import type { CsvOptions, LoadOptions, TableInfo } from '../../engine/shared/api';
import { type ErrorCode, isCodedError } from '../../engine/shared/errors';
import type { CsvLoader } from '../../engine/worker/wasm-module';
import type { LoadContext } from './load-context';
import { readSlice, readSlices, streamFile } from './stream-file';

const HEAD_BYTES = 1 << 20;
/** A first record longer than this is almost certainly not CSV. */
const MAX_HEAD_BYTES = 256 << 20;
export const CSV_CHUNK_BYTES = 32 << 20;
/**
 * How a single file is read: a first chunk of two partitions (decoded side by side while
 * the next chunk is read), one chunk ahead. Measured in the page on the 1M-row CSV
 * (BENCHMARKS.md, "Starting a CSV load sooner"): 1–2 threads 6–7 % faster than whole
 * chunks from the start, two ahead.
 */
const CSV_READ_AHEAD = { first: 8 << 20, slices: 1 };
const SAMPLE_WINDOWS = 8;
const WINDOW_BYTES = 64 << 10;

/** The table, with the options the reader used (what detection chose filled in). */
export async function loadCsv(ctx: LoadContext, file: File, options: LoadOptions['csv']): Promise<{ info: TableInfo; used: CsvOptions }> {
  const slices = readSlices(file, CSV_CHUNK_BYTES, CSV_READ_AHEAD);
  let loader: CsvLoader | undefined;
  try {
    loader = await openLoader(ctx, file, options);
    const used = loader.optionsUsed();
    loader.expectBytes(file.size);
    await refineTypes(loader, file);
    await streamFile(ctx, slices, loader);
    const finished = loader;
    loader = undefined; // the engine takes it over, even when finishing fails
    return { info: ctx.runtime.engine.addCsv(ctx.name, finished), used };
  } finally {
    loader?.free();
    slices.close();
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

/** Widens the types with windows spread through the file, read all at once (each read waits on the browser). */
export async function refineTypes(loader: CsvLoader, file: Blob): Promise<void> {
  if (file.size <= 4 * HEAD_BYTES) return;
  const starts = Array.from({ length: SAMPLE_WINDOWS }, (_, k) => Math.floor((file.size * (k + 1)) / (SAMPLE_WINDOWS + 1)));
  const windows = await Promise.all(starts.map((at) => readSlice(file, at, at + WINDOW_BYTES)));
  for (const window of windows) loader.refineTypes(window);
}

