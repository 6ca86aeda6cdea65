/**
 * Loads a folder of Parquet files as one table, as `spark.read.parquet(folder)` does: a
 * folder the user dropped or picked, or a zip of one. Files Spark does not read
 * (`_SUCCESS`, `.crc`, anything under `_temporary/`) are left out by the engine's rule;
 * each data file is decoded a few row groups at a time (progress, cancel), and the engine
 * turns the `column=value` folders into typed columns when it builds the table.
 */
import { unzipSync } from 'fflate';

import type { DroppedFolder, TableInfo } from '../../engine/shared/api';
import { UNSUPPORTED_FILE, codedError } from '../../engine/shared/errors';
import type { HiveDataset } from '../../engine/worker/wasm-api';
import { throwIfCancelled } from './jobs';
import type { LoadContext } from './load-context';
import { decodeRowGroups } from './load-parquet';

/** One file of the folder, read when its turn comes. */
interface FolderEntry {
  path: string;
  size: number;
  bytes(): Promise<Uint8Array>;
}

export interface FolderRead {
  info: TableInfo;
  files: number;
  partitionColumns: string[];
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31];

export function loadFolder(ctx: LoadContext, folder: DroppedFolder): Promise<FolderRead> {
  const entries = folder.files.map(({ path, file }) => ({
    path,
    size: file.size,
    bytes: async () => new Uint8Array(await file.arrayBuffer()),
  }));
  return loadEntries(ctx, entries);
}

/** A zip of a folder (what `zip -r sales.zip sales` makes): its files, stored or deflated. */
export async function loadZippedFolder(ctx: LoadContext, file: File): Promise<FolderRead> {
  ctx.progress({ phase: 'reading', bytesDone: 0, bytesTotal: file.size, rows: 0 });
  const isDataFile = ctx.runtime.wasm.HiveDataset.isDataFile;
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(new Uint8Array(await file.arrayBuffer()), {
      filter: (entry) => !entry.name.endsWith('/') && isDataFile(entry.name),
    });
  } catch (error) {
    throw codedError(UNSUPPORTED_FILE, `${file.name} could not be unzipped (${String(error)}): it may be truncated, encrypted or not a zip; zip the folder again.`);
  }
  const entries = Object.entries(unzipped).map(([path, bytes]) => ({ path, size: bytes.length, bytes: async () => bytes }));
  return loadEntries(ctx, entries, file.name);
}

/** Why a file of the folder cannot be read; `zipName` when the folder came zipped. */
function notParquet(path: string, zipName?: string): Error {
  if (zipName === undefined) {
    return codedError(
      UNSUPPORTED_FILE,
      `${path} is not a Parquet file: a folder is read as one table when its files are Parquet (as Spark writes them). Load CSV, JSON or other files one at a time.`,
    );
  }
  return codedError(
    UNSUPPORTED_FILE,
    `${zipName} is not an Excel workbook (workbooks are named .xlsx, .xlsm or .ods), and read as a zipped folder it holds ${path}, which is not a Parquet file: a .zip is read as a folder of Parquet files (Spark's output). Unzip it and load CSV, JSON or other files one at a time.`,
  );
}

async function loadEntries(ctx: LoadContext, all: FolderEntry[], zipName?: string): Promise<FolderRead> {
  const { wasm, engine } = ctx.runtime;
  const entries = all.filter((e) => wasm.HiveDataset.isDataFile(e.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  const bytesTotal = entries.reduce((sum, e) => sum + e.size, 0);
  const dataset: HiveDataset = new wasm.HiveDataset();
  let handedOver = false;
  try {
    let bytesBefore = 0;
    let rowsBefore = 0;
    for (const entry of entries) {
      const bytes = await entry.bytes();
      throwIfCancelled(ctx.jobId);
      if (!PARQUET_MAGIC.every((b, i) => bytes[i] === b)) throw notParquet(entry.path, zipName);
      const loader = new wasm.ParquetLoader(bytes);
      const rows = loader.numRows();
      try {
        await decodeRowGroups(ctx, loader, (share) => ({
          bytesDone: Math.round(bytesBefore + entry.size * share),
          bytesTotal,
          rows: Math.round(rowsBefore + rows * share),
        }));
      } catch (error) {
        loader.free();
        throw error;
      }
      dataset.addParquet(entry.path, loader);
      bytesBefore += entry.size;
      rowsBefore += rows;
    }
    const files = dataset.files();
    const partitionColumns = dataset.partitionColumns();
    handedOver = true;
    return { info: engine.addHiveDataset(ctx.name, dataset), files, partitionColumns };
  } finally {
    if (!handedOver) dataset.free();
  }
}
