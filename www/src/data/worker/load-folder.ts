/**
 * Loads a folder of Parquet, CSV or JSON files as one table, as
 * `spark.read.parquet(folder)`, `spark.read.csv(folder)` and `spark.read.json(folder)` do:
 * a folder the user dropped or picked, loose files picked together, or a zip of a folder
 * (its files inflated one at a time as their turn comes, `zip-archive.ts`). Files Spark does not read
 * (`_SUCCESS`, `.crc`, anything under `_temporary/`) are left out by the engine's rule;
 * each data file is read a slice at a time (progress, cancel), and the engine turns the
 * `column=value` folders into typed columns when it builds the table. The first data file
 * in path order decides the format, by its name (the engine's rules). CSV files (plain, or
 * compressed as Spark's `compression` option writes them: `part-0.csv.gz`) are read with
 * the options the first one settled (header, separator); when their inferred types
 * disagree, they are read again with the widest types (one schema over all files, as
 * Spark infers it). JSON files (`part-0.json`, `part-0.json.gz`, ...) are only gathered as
 * they are read: the engine infers one schema over all their records, then decodes each
 * file with it, when the table is built.
 */
import type { CsvOptions, DroppedFolder, JsonOptions, LoadOptions, LoadProgress, TableInfo } from '../../engine/shared/api';
import type { HiveDataset } from '../../engine/worker/wasm-api';
import { SIGNATURE_BYTES, detectCompression } from '../shared/formats';
import { throwIfCancelled, yieldToEvents } from './jobs';
import { COMPRESSED_SLICE_BYTES } from './load-compressed';
import type { LoadContext } from './load-context';
import { CSV_CHUNK_BYTES, openLoader, refineTypes } from './load-csv';
import { JSON_PLAIN_SLICE_BYTES } from './load-json';
import { PARQUET_SLICE_BYTES, groupsPerStep } from './load-parquet';
import { readSlice, readSlices, streamFile } from './stream-file';
import { type ZipEntry, openEntry } from './zip-archive';

/**
 * One file of the folder, opened when its turn comes: a zipped folder's entry is inflated
 * then (and dropped once read), so only one of its files is held at a time.
 */
export interface FolderEntry {
  path: string;
  /** Its bytes (a zip entry's size once inflated, as its header declares). */
  size: number;
  open(): Promise<Blob>;
}

export interface FolderRead {
  info: TableInfo;
  format: 'parquet' | 'csv' | 'json';
  files: number;
  partitionColumns: string[];
  /** A CSV folder's reader options (detection's choices filled in; the schema if it was read twice). */
  csvOptions?: CsvOptions;
}

/** The engine's rules for a folder's file names (Spark's): `wasm.HiveDataset` has them. */
interface FileRules {
  isDataFile(path: string): boolean;
  /** How the folder is read, from its data files in path order; throws UNSUPPORTED_FILE for a mix. */
  folderFormat(paths: string[]): FolderRead['format'];
}

export function loadFolder(ctx: LoadContext, folder: DroppedFolder, options: LoadOptions): Promise<FolderRead> {
  const entries = folder.files.map(({ path, file }) => ({ path, size: file.size, open: async () => file }));
  return loadEntries(ctx, entries, options);
}

/**
 * The files of a zipped folder (what `zip -r sales.zip sales` makes), each inflated when
 * it is read; `entries` from `listZip` (sizes checked against the engine's memory first).
 */
export function zippedFolderEntries(file: File, entries: ZipEntry[]): FolderEntry[] {
  return entries
    .filter((e) => !e.path.endsWith('/'))
    .map((entry) => ({ path: entry.path, size: entry.size, open: () => openEntry(file, entry, file.name) }));
}

/** The files Spark reads as data, in path order (as Spark lists them). */
function dataFiles<T extends { path: string }>(all: T[], isDataFile: (path: string) => boolean): T[] {
  return all.filter((e) => isDataFile(e.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** A compressed file's extensions, as Spark's `compression` option names them. */
const COMPRESSED_NAME = /\.(gz|zst|zstd|bz2)$/i;

/**
 * What memory reading a folder of these files (data files or not, in any order) takes per
 * byte: as its format's (JSON: its text, held until every file is in, then its table), or
 * a compressed file's when a CSV or JSON folder holds compressed files.
 */
export function folderMemoryKind(all: { path: string }[], rules: FileRules): FolderRead['format'] | 'compressed' {
  const files = dataFiles(all, rules.isDataFile);
  const format = rules.folderFormat(files.map((f) => f.path));
  return format !== 'parquet' && files.some((f) => COMPRESSED_NAME.test(f.path)) ? 'compressed' : format;
}

/** The folder's files in path order, read as one table. */
export async function loadEntries(ctx: LoadContext, all: FolderEntry[], options: LoadOptions, zipName?: string): Promise<FolderRead> {
  const { wasm, engine } = ctx.runtime;
  const entries = dataFiles(all, wasm.HiveDataset.isDataFile);
  const format = wasm.HiveDataset.folderFormat(entries.map((e) => e.path));
  const { dataset, used }: { dataset: HiveDataset; used?: CsvOptions } =
    format === 'csv'
      ? await readCsvFiles(ctx, entries, options.csv)
      : format === 'json'
        ? { dataset: await readJsonFiles(ctx, entries, options.json) }
        : { dataset: await readParquetFiles(ctx, entries, zipName) };
  let handedOver = false;
  try {
    const files = dataset.files();
    const partitionColumns = dataset.partitionColumns();
    handedOver = true;
    // A JSON folder's records are read here: one schema over all files, then each decoded.
    const info = engine.addHiveDataset(ctx.name, dataset);
    return { info, format, files, partitionColumns, csvOptions: used };
  } finally {
    if (!handedOver) dataset.free();
  }
}

/** Progress over the folder's bytes: `before` bytes and rows of earlier files, then this one's. */
function folderProgress(ctx: LoadContext, bytesTotal: number, before: { bytes: number; rows: number }): (p: LoadProgress) => void {
  return (p) => ctx.progress({ phase: p.phase, bytesDone: before.bytes + p.bytesDone, bytesTotal, rows: before.rows + p.rows });
}

/**
 * Bytes of a Parquet folder's next files read while the files before them decode, and
 * most bytes handed to the engine and not decoded yet. The worker's thread is busy while a
 * step decodes (the pool does the work, the worker waits for it), so a read started then
 * only moves when the thread is free again; reads started together while the worker waits
 * go side by side instead of one file after another.
 */
const PARQUET_READ_AHEAD_BYTES = 64 << 20;

/**
 * The entries' bytes in order, reads started ahead while the bytes in flight or waiting
 * stay under `budget` (always at least the next file's); a budget of 0 reads each file
 * when it is asked for.
 */
function readAhead(entries: FolderEntry[], budget: number): { next(): Promise<ArrayBuffer>; ready(): boolean } {
  const pending: { size: number; bytes: Promise<ArrayBuffer>; read: boolean }[] = [];
  let started = 0;
  const fill = () => {
    let held = pending.reduce((sum, p) => sum + p.size, 0);
    while (started < entries.length && (pending.length === 0 || held + entries[started].size <= budget)) {
      const entry = entries[started++];
      const bytes = entry.open().then((blob) => blob.arrayBuffer());
      const read = { size: entry.size, bytes, read: false };
      // A read the loop stops before waiting for (an error) is not an unhandled rejection.
      bytes.then(() => (read.read = true), () => undefined);
      pending.push(read);
      held += entry.size;
    }
  };
  return {
    next() {
      fill();
      const read = pending.shift();
      if (!read) return Promise.reject(new Error('read past the folder\'s last file'));
      if (budget > 0) fill();
      return read.bytes;
    },
    /** Whether the next file's read, if started, has finished (`next` would not wait). */
    ready() {
      return pending.length > 0 && pending[0].read;
    },
  };
}

/** A Parquet file handed to the engine: its share of the progress as its row groups decode. */
interface QueuedParquet {
  size: number;
  rows: number;
  groups: number;
  done: number;
}

/** Bytes of the queued files' row groups not decoded yet (each group a share of its file's bytes). */
function bytesLeft(queued: QueuedParquet[]): number {
  return queued.reduce((sum, f) => sum + (f.groups === 0 ? 0 : (f.size * (f.groups - f.done)) / f.groups), 0);
}

/**
 * Row groups of the queued files (in order) for the next step: about a single file's slice
 * of bytes (load-parquet.ts), so a folder of small files runs as few rounds of the pool as
 * one file of the same size, and at least `least` (two per thread).
 */
function stepGroups(queued: QueuedParquet[], least: number): number {
  let groups = 0;
  let bytes = 0;
  for (const file of queued) {
    const perGroup = file.size / Math.max(1, file.groups);
    for (let g = file.done; g < file.groups; g++) {
      if (groups >= least && bytes + perGroup > PARQUET_SLICE_BYTES) return groups;
      bytes += perGroup;
      groups++;
    }
  }
  return groups;
}

/**
 * The files handed to the engine as soon as they are read, and their row groups decoded
 * together, a step (about a single file's slice of bytes) at a time (`decodeParquet`): a
 * Spark partition is often one file of one row group, and decoded file after file the pool
 * ran a short round per file, a thread idle at the end of each (1.35× one file's time on
 * 2 threads, BENCHMARKS.md). A step waits for more files only while the queued ones would
 * not fill it; the bytes handed over and not decoded stay under the read-ahead's budget, so
 * a zipped folder (no read-ahead) still holds one file at a time.
 */
async function readParquetFiles(ctx: LoadContext, entries: FolderEntry[], zipName?: string): Promise<HiveDataset> {
  const { wasm } = ctx.runtime;
  const bytesTotal = entries.reduce((sum, e) => sum + e.size, 0);
  const dataset: HiveDataset = new wasm.HiveDataset();
  try {
    // A zipped folder's entries are inflated on this thread, one at a time (zip-archive.ts).
    const budget = zipName === undefined ? PARQUET_READ_AHEAD_BYTES : 0;
    const reads = readAhead(entries, budget);
    const least = groupsPerStep(ctx);
    const queued: QueuedParquet[] = [];
    const finished = { bytes: 0, rows: 0 };
    let next = 0;
    const takesNext = () => {
      if (next >= entries.length) return false;
      if (queued.length === 0) return true;
      const held = queued.reduce((sum, f) => sum + f.size, 0);
      if (held + entries[next].size > budget) return false;
      return reads.ready() || bytesLeft(queued) < PARQUET_SLICE_BYTES;
    };
    while (next < entries.length || queued.length > 0) {
      while (takesNext()) {
        const entry = entries[next++];
        const bytes = new Uint8Array(await reads.next());
        throwIfCancelled(ctx.jobId);
        // Not Parquet, or a damaged footer: an error naming the file.
        const loader = wasm.HiveDataset.openParquet(entry.path, bytes, zipName);
        queued.push({ size: entry.size, rows: loader.numRows(), groups: loader.numRowGroups(), done: 0 });
        // The dataset owns the loader from here, and frees it on a failure.
        dataset.addParquet(entry.path, loader);
      }
      const decodedNow = dataset.decodeParquet(stepGroups(queued, least));
      let decoded = decodedNow;
      for (const file of queued) {
        const taken = Math.min(decoded, file.groups - file.done);
        file.done += taken;
        decoded -= taken;
      }
      while (queued.length > 0 && queued[0].done === queued[0].groups) {
        const file = queued.shift()!;
        finished.bytes += file.size;
        finished.rows += file.rows;
      }
      // Whole files: each step decodes something until every queued group is done.
      if (decodedNow === 0 && queued.length > 0) throw new Error('no row group of the folder\'s files was decoded');
      const share = (f: QueuedParquet) => (f.groups === 0 ? 0 : f.done / f.groups);
      ctx.progress({
        phase: 'decoding',
        bytesDone: Math.round(queued.reduce((sum, f) => sum + f.size * share(f), finished.bytes)),
        bytesTotal,
        rows: Math.round(queued.reduce((sum, f) => sum + f.rows * share(f), finished.rows)),
      });
      await yieldToEvents();
      throwIfCancelled(ctx.jobId);
    }
    return dataset;
  } catch (error) {
    dataset.free();
    throw error;
  }
}

/**
 * Every file read as CSV with the options the first one settled; when the files' types
 * disagree (`code` a number in one file, text in another), all are read again with the
 * widest type of each column, as Spark infers one schema over the folder.
 */
async function readCsvFiles(ctx: LoadContext, entries: FolderEntry[], options: LoadOptions['csv']): Promise<{ dataset: HiveDataset; used: CsvOptions }> {
  const first = await readCsvPass(ctx, entries, options);
  const widened = first.dataset.widenedSchema();
  if (widened === undefined) return first;
  first.dataset.free();
  return readCsvPass(ctx, entries, { ...first.used, schema: widened });
}

async function readCsvPass(ctx: LoadContext, entries: FolderEntry[], options: LoadOptions['csv']): Promise<{ dataset: HiveDataset; used: CsvOptions }> {
  const bytesTotal = entries.reduce((sum, e) => sum + e.size, 0);
  const dataset: HiveDataset = new ctx.runtime.wasm.HiveDataset();
  let used: CsvOptions | undefined;
  try {
    const before = { bytes: 0, rows: 0 };
    for (const entry of entries) {
      const progress = folderProgress(ctx, bytesTotal, before);
      const blob = await entry.open();
      const compression = detectCompression(await readSlice(blob, 0, SIGNATURE_BYTES));
      if (compression) {
        const loader = new ctx.runtime.wasm.CompressedCsvLoader(compression, used ?? options);
        try {
          await streamFile(ctx, readSlices(blob, COMPRESSED_SLICE_BYTES), loader, 'decoding', progress);
        } catch (error) {
          loader.free();
          throw error;
        }
        before.rows += loader.rows();
        // A small file settles its options only when it ends.
        const settled = dataset.addCompressedCsv(entry.path, loader);
        used ??= settled;
      } else {
        const loader = await openLoader(ctx, blob, used ?? options);
        try {
          used ??= loader.optionsUsed();
          await refineTypes(loader, blob);
          await streamFile(ctx, readSlices(blob, CSV_CHUNK_BYTES), loader, 'decoding', progress);
        } catch (error) {
          loader.free();
          throw error;
        }
        before.rows += loader.rows();
        dataset.addCsv(entry.path, loader);
      }
      before.bytes += entry.size;
    }
    if (!used) throw new Error('a CSV folder with no file was read');
    return { dataset, used };
  } catch (error) {
    dataset.free();
    throw error;
  }
}

/**
 * Every file's text handed to the engine (decompressed as it is read when it is
 * compressed, told by its first bytes); the records are read when the dataset is added,
 * with one schema inferred over all the files, as Spark reads a JSON folder.
 */
async function readJsonFiles(ctx: LoadContext, entries: FolderEntry[], options: Partial<JsonOptions> | undefined): Promise<HiveDataset> {
  const { wasm } = ctx.runtime;
  const bytesTotal = entries.reduce((sum, e) => sum + e.size, 0);
  const dataset: HiveDataset = new wasm.HiveDataset();
  try {
    const before = { bytes: 0, rows: 0 };
    for (const entry of entries) {
      const blob = await entry.open();
      const compression = detectCompression(await readSlice(blob, 0, SIGNATURE_BYTES));
      const loader = new wasm.JsonLoader(options, entry.size, compression);
      try {
        const sliceBytes = compression ? COMPRESSED_SLICE_BYTES : JSON_PLAIN_SLICE_BYTES;
        await streamFile(ctx, readSlices(blob, sliceBytes), { push: (slice) => loader.push(slice), rows: () => loader.rows() }, 'reading', folderProgress(ctx, bytesTotal, before));
      } catch (error) {
        loader.free();
        throw error;
      }
      before.rows += loader.rows();
      dataset.addJson(entry.path, loader);
      before.bytes += entry.size;
    }
    return dataset;
  } catch (error) {
    dataset.free();
    throw error;
  }
}
