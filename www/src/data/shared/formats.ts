/** Which reader a file goes to: by its first bytes, then by extension. */
import type { Compression, FileFormat } from '../../engine/shared/api';
import { UNSUPPORTED_FILE, codedError } from '../../engine/shared/errors';

const CSV_EXTENSIONS = ['.csv', '.tsv', '.txt', '.dat'];
export const PARQUET_EXTENSIONS = ['.parquet', '.pq', '.parq'];
export const JSON_EXTENSIONS = ['.json', '.jsonl', '.ndjson'];
const ARROW_EXTENSIONS = ['.arrow', '.arrows', '.feather', '.ftr', '.ipc'];
const EXCEL_EXTENSIONS = ['.xlsx', '.xlsm', '.xlsb', '.xls', '.ods'];
/**
 * A zip archive's first bytes: a workbook (xlsx, xlsm, xlsb, ods; the engine tells a
 * workbook from another zip), or, named `.zip`, a zipped folder of Parquet files.
 */
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** An OLE2 compound file's first bytes (xls, and password-protected xlsx). */
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** An Arrow IPC file's first bytes (`ARROW1`); a stream starts with 0xFFFFFFFF. */
const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];
const COMPRESSED_EXTENSIONS = ['.gz', '.zst', '.zstd', '.bz2'];

/** Bytes of the file's start that detection looks at. */
export const SIGNATURE_BYTES = 16;

/** A file's reader, and how its content is compressed (decompressed as it streams in). */
export interface DetectedFormat {
  format: FileFormat;
  compression?: Compression;
  /** A `.zip` of a folder of Parquet files (Spark's output, Hive-partitioned or not). */
  zippedFolder?: boolean;
}

/** Formats recognised by their magic bytes, to explain why they cannot be read. */
const UNSUPPORTED_SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x4f, 0x62, 0x6a, 0x01], what: 'an Avro file, which Brasa cannot read yet' },
  { bytes: [0x4f, 0x52, 0x43], what: 'an ORC file, which Brasa cannot read yet' },
  {
    bytes: [0x46, 0x45, 0x41, 0x31],
    what: 'a Feather version 1 file, which Brasa cannot read: write it again as Feather version 2 (pyarrow’s default) or Arrow IPC',
  },
];

const BZIP2_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_END = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];

/** The compression whose signature starts `head` (as the engine's `Compression::detect`). */
export function detectCompression(head: Uint8Array): Compression | undefined {
  const at = (offset: number, bytes: number[]) => bytes.every((b, i) => head[offset + i] === b);
  if (at(0, [0x1f, 0x8b, 0x08])) return 'gzip';
  if (at(0, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  // A skippable frame first, as pzstd writes before each frame.
  if (((head[0] ?? 0) & 0xf0) === 0x50 && at(1, [0x2a, 0x4d, 0x18])) return 'zstd';
  const level = head[3] ?? 0;
  if (at(0, [0x42, 0x5a, 0x68]) && level >= 0x31 && level <= 0x39 && (at(4, BZIP2_BLOCK) || at(4, BZIP2_END))) {
    return 'bzip2';
  }
  return undefined;
}

export function detectFormat(fileName: string, head: Uint8Array): DetectedFormat {
  const compression = detectCompression(head);
  // `sales.csv.gz` is read by what its inner name says.
  const lower = withoutCompressionExtension(fileName.toLowerCase());
  const startsWith = (bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (compression) {
    if ([...PARQUET_EXTENSIONS, ...ARROW_EXTENSIONS, ...EXCEL_EXTENSIONS].some((ext) => lower.endsWith(ext))) {
      throw codedError(
        UNSUPPORTED_FILE,
        `${fileName} is a ${compression}-compressed Parquet, Arrow or Excel file: decompress it first (these formats compress their own data, so compressing the file again gains little).`,
      );
    }
    return { format: JSON_EXTENSIONS.some((ext) => lower.endsWith(ext)) ? 'json' : 'csv', compression };
  }
  if (startsWith([0x50, 0x41, 0x52, 0x31])) return { format: 'parquet' };
  if (startsWith(ARROW_MAGIC)) return { format: 'arrow' };
  if (startsWith(ZIP_MAGIC) && lower.endsWith('.zip')) return { format: 'parquet', zippedFolder: true };
  if (startsWith(ZIP_MAGIC) || startsWith(OLE2_MAGIC) || EXCEL_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
    return { format: 'excel' };
  }
  if (PARQUET_EXTENSIONS.some((ext) => lower.endsWith(ext))) return { format: 'parquet' };
  const unsupported = UNSUPPORTED_SIGNATURES.find((s) => startsWith(s.bytes));
  if (unsupported) {
    throw codedError(UNSUPPORTED_FILE, `${fileName} is ${unsupported.what}.`);
  }
  // An Arrow IPC stream has no magic of its own (it starts with 0xFFFFFFFF).
  if (ARROW_EXTENSIONS.some((ext) => lower.endsWith(ext))) return { format: 'arrow' };
  if (JSON_EXTENSIONS.some((ext) => lower.endsWith(ext))) return { format: 'json' };
  if (CSV_EXTENSIONS.some((ext) => lower.endsWith(ext))) return { format: 'csv' };
  // Text that opens an object is JSON; anything else that is text is worth trying as CSV
  // (the reader reports what it finds).
  const first = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return { format: first === 0x7b ? 'json' : 'csv' };
}

/** A lower-case file name without its compression extension (`sales.csv.gz` → `sales.csv`). */
export function withoutCompressionExtension(lower: string): string {
  const ext = COMPRESSED_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext ? lower.slice(0, -ext.length) : lower;
}
