/** Which reader a file goes to: by extension, then by its first bytes. */
import type { FileFormat } from '../../engine/shared/api';
import { UNSUPPORTED_FILE, codedError } from '../../engine/shared/errors';

const CSV_EXTENSIONS = ['.csv', '.tsv', '.txt', '.dat'];
const PARQUET_EXTENSIONS = ['.parquet', '.pq', '.parq'];

/** Formats recognised by their magic bytes, to explain why they cannot be read. */
const UNSUPPORTED_SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file: decompress it first' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive (or an Excel workbook): extract or export it as CSV first' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file: decompress it first' },
  { bytes: [0x4f, 0x62, 0x6a, 0x01], what: 'an Avro file, which Brasa cannot read yet' },
  { bytes: [0x4f, 0x52, 0x43], what: 'an ORC file, which Brasa cannot read yet' },
];

export function detectFormat(fileName: string, head: Uint8Array): FileFormat {
  const lower = fileName.toLowerCase();
  const startsWith = (bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (startsWith([0x50, 0x41, 0x52, 0x31])) return 'parquet';
  if (PARQUET_EXTENSIONS.some((ext) => lower.endsWith(ext))) return 'parquet';
  const unsupported = UNSUPPORTED_SIGNATURES.find((s) => startsWith(s.bytes));
  if (unsupported) {
    throw codedError(UNSUPPORTED_FILE, `${fileName} is ${unsupported.what}.`);
  }
  if (CSV_EXTENSIONS.some((ext) => lower.endsWith(ext))) return 'csv';
  // Anything else that is text is worth trying as CSV; the reader reports what it finds.
  return 'csv';
}
