/** Loading one file: format detection, a memory check, the reader, and timing. */
import type { CsvOptions, DroppedFolder, LoadOptions, LoadedTable, ProgressCallback, TableInfo } from '../../engine/shared/api';
import { JSON_OPTIONS_DEFAULTS } from '../../contract';
import { OUT_OF_MEMORY, codedError, isCodedError } from '../../engine/shared/errors';
import type { Runtime } from '../../engine/worker/runtime';
import { formatBytes } from '../../ui/format';
import { SIGNATURE_BYTES, detectFormat } from '../shared/formats';
import { loadArrow } from './load-arrow';
import { loadCompressedCsv } from './load-compressed';
import { loadCsv } from './load-csv';
import { loadExcel } from './load-excel';
import { type FolderEntry, type FolderRead, folderMemoryKind, loadEntries, loadFolder, zippedFolderEntries } from './load-folder';
import { loadJson } from './load-json';
import { loadParquet } from './load-parquet';
import { checkDeclaredSize, listZip } from './zip-archive';

/**
 * Memory a load needs per byte of file, roughly: decoded CSV takes about its text's size,
 * plus the chunks in flight (a single CSV file reserves less: `CSV_FILE_PER_BYTE`); Parquet is compressed, so its columns can take several times
 * the file, and the file itself stays in memory while decoding. A compressed CSV expands
 * 5-10× as a rule; what it really takes is checked as it decompresses. A workbook is a
 * zip of XML, each cell some 40 bytes of XML held as a value while the sheet is read.
 */
const MEMORY_PER_FILE_BYTE = { csv: 1.2, parquet: 5, json: 2.5, arrow: 3, excel: 10, compressed: 6 } as const;
const MEMORY_PER_LOAD = 96 << 20;
/**
 * A single plain CSV file reserves about half its size: a large file's table holds its
 * low-cardinality strings compact and takes about that, and the reader estimates the whole
 * table from its first megabytes (`expectBytes`), refusing a file that will not fit before
 * it has read much; memory grows past the reservation as the rows come.
 */
const CSV_FILE_PER_BYTE = 0.6;

export async function loadFile(
  runtime: Runtime,
  jobId: number,
  file: File,
  options: LoadOptions,
  progress: ProgressCallback,
): Promise<LoadedTable> {
  const started = performance.now();
  const head = new Uint8Array(await file.slice(0, SIGNATURE_BYTES).arrayBuffer());
  const detected = detectFormat(file.name, head);
  const { format, compression } = detected;
  const ctx = { runtime, jobId, progress, name: options.name ?? runtime.wasm.tableNameFor(file.name) };
  if (detected.zippedFolder) {
    progress({ phase: 'reading', bytesDone: 0, bytesTotal: file.size, rows: 0 });
    const entries = await zipEntries(runtime, file);
    const read = await loadEntries(ctx, entries, options, file.name);
    return folderTable(runtime, ctx.name, read, file.name, file.size, options, started);
  }
  const singleCsv = format === 'csv' && !compression;
  const perByte = singleCsv ? CSV_FILE_PER_BYTE : MEMORY_PER_FILE_BYTE[compression ? 'compressed' : format];
  reserveMemory(runtime, file.name, file.size, perByte);
  let workbook: { sheet: string; sheets: string[]; header: boolean } | undefined;
  let csvOptions: CsvOptions | undefined;
  const csvRead = ({ info, used }: { info: TableInfo; used?: CsvOptions }) => {
    csvOptions = used;
    return info;
  };
  let info =
    format === 'excel'
      ? await loadExcel(ctx, file, options).then(({ info, sheet, sheets, header }) => {
          workbook = { sheet, sheets, header };
          return info;
        })
      : format === 'json'
      ? await loadJson(ctx, file, compression, options.json)
      : compression
        ? await loadCompressedCsv(ctx, file, compression, options.csv).then(csvRead)
        : format === 'csv'
          ? await loadCsv(ctx, file, options.csv).then(csvRead)
          : format === 'arrow'
            ? await loadArrow(ctx, file)
            : await loadParquet(ctx, file);
  if (options.replace && format !== 'excel') info = replaceTable(runtime, info, ctx.name);
  return {
    ...info,
    source: {
      fileName: file.name,
      format,
      ...(compression ? { compression } : {}),
      bytes: file.size,
      ...workbook,
      ...(csvOptions ? { csvOptions } : {}),
      ...(format === 'json' ? { jsonOptions: { ...JSON_OPTIONS_DEFAULTS, ...options.json } } : {}),
    },
    loadMs: performance.now() - started,
  };
}

/** Loads a folder of Parquet, CSV or JSON files (Hive-partitioned or not) into one table. */
export async function loadDroppedFolder(
  runtime: Runtime,
  jobId: number,
  folder: DroppedFolder,
  options: LoadOptions,
  progress: ProgressCallback,
): Promise<LoadedTable> {
  const started = performance.now();
  const bytes = folder.files.reduce((sum, f) => sum + f.file.size, 0);
  // A CSV folder read twice (types that disagree) frees the first reading before the second.
  reserveMemory(runtime, folder.name, bytes, MEMORY_PER_FILE_BYTE[folderMemoryKind(folder.files, runtime.wasm.HiveDataset)]);
  const ctx = { runtime, jobId, progress, name: options.name ?? runtime.wasm.tableNameFor(folder.name) };
  return folderTable(runtime, ctx.name, await loadFolder(ctx, folder, options), folder.name, bytes, options, started);
}

/**
 * A zipped folder's files, each inflated when it is read. Before anything is inflated,
 * the sizes its directory declares are checked against what the engine can still hold
 * (a decompression bomb is refused there), and memory is reserved for them as for a
 * folder of those files; an entry that inflates past its declared size is stopped as it
 * inflates (`zip-archive.ts`).
 */
async function zipEntries(runtime: Runtime, file: File): Promise<FolderEntry[]> {
  const entries = zippedFolderEntries(file, await listZip(file, file.name));
  const data = entries.filter((e) => runtime.wasm.HiveDataset.isDataFile(e.path));
  // What one job may plan to use, as the engine counts it (the compressed CSV reader's cap).
  checkDeclaredSize(data, runtime.status().memoryAvailableBytes, file.name);
  const bytes = data.reduce((sum, e) => sum + e.size, 0);
  reserveMemory(runtime, file.name, bytes, MEMORY_PER_FILE_BYTE[folderMemoryKind(data, runtime.wasm.HiveDataset)]);
  return entries;
}

function folderTable(
  runtime: Runtime,
  name: string,
  read: FolderRead,
  fileName: string,
  bytes: number,
  options: LoadOptions,
  started: number,
): LoadedTable {
  const info = options.replace ? replaceTable(runtime, read.info, name) : read.info;
  return {
    ...info,
    source: {
      fileName,
      format: read.format,
      bytes,
      files: read.files,
      partitionColumns: read.partitionColumns,
      csvOptions: read.csvOptions,
      // A JSON folder is read with one set of options, shown (and changed) as a JSON file's.
      ...(read.format === 'json' ? { jsonOptions: { ...JSON_OPTIONS_DEFAULTS, ...options.json } } : {}),
    },
    loadMs: performance.now() - started,
  };
}

/**
 * Puts a table just loaded (under a new name, `name_2`, as the name was taken) in the
 * place of the table called `name`: reading a file again with other options replaces it.
 */
function replaceTable(runtime: Runtime, info: TableInfo, name: string): TableInfo {
  if (info.name === name) return info;
  const engine = runtime.engine;
  if (engine.tables().some((t) => t.name === name)) engine.dropTable(name);
  engine.saveAs(info.name, name);
  engine.dropTable(info.name);
  return { ...info, name };
}

/**
 * Gets the memory the load will need before it starts: a file too big for the engine is
 * refused with a clear message instead of aborting the engine halfway, and memory grows
 * in one step rather than many.
 */
function reserveMemory(runtime: Runtime, what: string, size: number, perByte: number): void {
  const needed = size * perByte + MEMORY_PER_LOAD;
  try {
    runtime.wasm.reserveMemory(needed);
  } catch (error) {
    if (!isCodedError(error) || error.code !== OUT_OF_MEMORY) throw error;
    const status = runtime.status();
    const inTables = runtime.engine.tables().reduce((sum, t) => sum + t.memoryBytes, 0);
    throw codedError(
      OUT_OF_MEMORY,
      `${what} is ${formatBytes(size)}; loading it needs about ${formatBytes(needed)} of memory, ` +
        `more than the engine can get (its memory is capped at ${formatBytes(status.memoryLimitBytes)}, ` +
        `loaded tables hold ${formatBytes(inTables)}). Drop some tables, or load a smaller file ` +
        `(Parquet takes less memory to load than CSV).`,
    );
  }
}
