/** Which reader a file goes to: by its first bytes, then by extension. */
import type { Compression, FileFormat } from '../../engine/shared/api';
import { UNSUPPORTED_FILE, codedError } from '../../engine/shared/errors';

const CSV_EXTENSIONS = ['.csv', '.tsv', '.txt', '.dat'];
const PARQUET_EXTENSIONS = ['.parquet', '.pq', '.parq'];
const COMPRESSED_EXTENSIONS = ['.gz', '.zst', '.zstd', '.bz2'];

/** Bytes of the file's start that detection looks at. */
export const SIGNATURE_BYTES = 16;

/** A file's reader, and how its content is compressed (decompressed as it streams in). */
export interface DetectedFormat {
  format: FileFormat;
  compression?: Compression;
}

/** Formats recognised by their magic bytes, to explain why they cannot be read. */
const UNSUPPORTED_SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive (or an Excel workbook): extract or export it as CSV first' },
  { bytes: [0x4f, 0x62, 0x6a, 0x01], what: 'an Avro file, which Brasa cannot read yet' },
  { bytes: [0x4f, 0x52, 0x43], what: 'an ORC file, which Brasa cannot read yet' },
];

const BZIP2_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_END = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];

/** The compression whose signature starts `head` (as the engine's `Compression::detect`). */
export function detectCompression(head: Uint8Array): Compression | undefined {
  const at = (offset: number, bytes: number[]) => bytes.every((b, i) => head[offset + i] === b);
  if (at(0, [0x1f, 0x8b, 0x08])) return 'gzip';
  if (at(0, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
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
    if (PARQUET_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
      throw codedError(
        UNSUPPORTED_FILE,
        `${fileName} is a ${compression}-compressed Parquet file: decompress it first (Parquet compresses its own pages, so compressing the file again gains little).`,
      );
    }
    return { format: 'csv', compression };
  }
  if (startsWith([0x50, 0x41, 0x52, 0x31])) return { format: 'parquet' };
  if (PARQUET_EXTENSIONS.some((ext) => lower.endsWith(ext))) return { format: 'parquet' };
  const unsupported = UNSUPPORTED_SIGNATURES.find((s) => startsWith(s.bytes));
  if (unsupported) {
    throw codedError(UNSUPPORTED_FILE, `${fileName} is ${unsupported.what}.`);
  }
  if (CSV_EXTENSIONS.some((ext) => lower.endsWith(ext))) return { format: 'csv' };
  // Anything else that is text is worth trying as CSV; the reader reports what it finds.
  return { format: 'csv' };
}

function withoutCompressionExtension(lower: string): string {
  const ext = COMPRESSED_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext ? lower.slice(0, -ext.length) : lower;
}
