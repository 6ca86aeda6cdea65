/**
 * Reading a zipped folder one entry at a time, from slices of the file. A zip's central
 * directory (at its end) declares every entry's size once inflated, so a decompression
 * bomb (a few MB that inflate to many GB) can be refused before anything is inflated; an
 * entry is then inflated only when its turn to be read comes, so the page never holds the
 * whole archive nor all of its inflated files at once, and an entry that inflates past
 * the size its header declares (a header that lies) is stopped there. Stored entries are
 * slices of the file, never copied. Zip64 archives are read too; encrypted entries and
 * compression methods other than stored and deflate are refused with a message.
 */
import { Inflate } from 'fflate';

import { COMPRESSED_CORRUPT, OUT_OF_MEMORY, UNSUPPORTED_FILE, codedError, isCodedError } from '../../engine/shared/errors';
import { formatBytes } from '../../ui/format';
import { readSlice } from './stream-file';

/** One file of the archive, as its central directory describes it. */
export interface ZipEntry {
  path: string;
  /** Bytes once inflated, as declared (the reader checks it). */
  size: number;
  compressedSize: number;
  /** 0 stored, 8 deflate. */
  method: number;
  encrypted: boolean;
  /** Where its local header starts. */
  headerOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** The end record (22 bytes) and the longest comment after it. */
const TAIL_BYTES = 22 + 0xffff;
/** Compressed bytes inflated at a time: deflate expands at most ~1032×, so one push makes at most ~66 MB. */
const INFLATE_SLICE = 64 << 10;

function corrupt(zipName: string, what: string): Error {
  return codedError(
    COMPRESSED_CORRUPT,
    `${zipName} could not be unzipped: ${what}. It may be truncated or not a zip archive; zip the folder again (zip -r folder.zip folder).`,
  );
}

/** The archive's entries (folders included, as the directory lists them). */
export async function listZip(file: Blob, zipName: string): Promise<ZipEntry[]> {
  const tailStart = Math.max(0, file.size - TAIL_BYTES);
  const tail = await readSlice(file, tailStart, file.size);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let end = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) throw corrupt(zipName, 'its directory (at the end of a zip) is missing');
  let count = view.getUint16(end + 10, true);
  let directorySize = view.getUint32(end + 12, true);
  let directoryOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    // Zip64: the real numbers are in a record the locator before the end record points at.
    if (end < 20 || view.getUint32(end - 20, true) !== ZIP64_LOCATOR) throw corrupt(zipName, 'its zip64 directory is missing');
    const recordAt = Number(view.getBigUint64(end - 20 + 8, true));
    const record = await readSlice(file, recordAt, recordAt + 56);
    const r = new DataView(record.buffer, record.byteOffset, record.byteLength);
    if (record.length < 56 || r.getUint32(0, true) !== ZIP64_EOCD) throw corrupt(zipName, 'its zip64 directory is damaged');
    count = Number(r.getBigUint64(32, true));
    directorySize = Number(r.getBigUint64(40, true));
    directoryOffset = Number(r.getBigUint64(48, true));
  }
  if (directoryOffset + directorySize > file.size) throw corrupt(zipName, 'its directory points past the end of the file');
  const directory = await readSlice(file, directoryOffset, directoryOffset + directorySize);
  const d = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const names = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || d.getUint32(at, true) !== CENTRAL_HEADER) throw corrupt(zipName, `its directory is damaged at entry ${i + 1}`);
    const flags = d.getUint16(at + 8, true);
    const nameLength = d.getUint16(at + 28, true);
    const extraLength = d.getUint16(at + 30, true);
    const commentLength = d.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength > directory.length) throw corrupt(zipName, `its directory is damaged at entry ${i + 1}`);
    const entry: ZipEntry = {
      path: names.decode(directory.subarray(at + 46, at + 46 + nameLength)),
      method: d.getUint16(at + 10, true),
      encrypted: (flags & 1) !== 0,
      compressedSize: d.getUint32(at + 20, true),
      size: d.getUint32(at + 24, true),
      headerOffset: d.getUint32(at + 42, true),
    };
    readZip64Extra(d, at + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Sizes and offset too big for 32 bits are in the zip64 extra field (id 1), in this order. */
function readZip64Extra(d: DataView, start: number, length: number, entry: ZipEntry): void {
  for (let at = start; at + 4 <= start + length; ) {
    const id = d.getUint16(at, true);
    const size = d.getUint16(at + 2, true);
    if (id === 1) {
      let field = at + 4;
      const next = (): number | undefined => {
        if (field + 8 > at + 4 + size) return undefined;
        const value = Number(d.getBigUint64(field, true));
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next() ?? entry.size;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize;
      if (entry.headerOffset === 0xffffffff) entry.headerOffset = next() ?? entry.headerOffset;
      return;
    }
    at += 4 + size;
  }
}

/**
 * Refuses an archive whose files would inflate to more than `available` bytes (what the
 * engine can still hold), before anything is inflated: a decompression bomb.
 */
export function checkDeclaredSize(entries: { size: number }[], available: number, zipName: string): void {
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total <= available) return;
  throw codedError(
    OUT_OF_MEMORY,
    `${zipName} declares ${formatBytes(total)} of files once unzipped, more than the engine's memory can hold ` +
      `(${formatBytes(available)} free; a zip that expands this much may be a decompression bomb). ` +
      `Unzip it yourself and load a part of the folder, or drop other tables first.`,
  );
}

/** One entry's bytes: a slice of the file when stored, inflated now when deflated. */
export async function openEntry(file: Blob, entry: ZipEntry, zipName: string): Promise<Blob> {
  if (entry.encrypted) {
    throw codedError(UNSUPPORTED_FILE, `${entry.path} in ${zipName} is encrypted: zip the folder again without a password.`);
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw codedError(
      UNSUPPORTED_FILE,
      `${entry.path} in ${zipName} is compressed with zip method ${entry.method}, which Brasa cannot unzip (only stored and deflated entries): zip the folder again with zip -r.`,
    );
  }
  const header = await readSlice(file, entry.headerOffset, entry.headerOffset + 30);
  const h = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < 30 || h.getUint32(0, true) !== LOCAL_HEADER) throw corrupt(zipName, `the header of ${entry.path} is damaged`);
  const start = entry.headerOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  const end = start + entry.compressedSize;
  if (end > file.size) throw corrupt(zipName, `${entry.path} runs past the end of the file`);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw corrupt(zipName, `the sizes of stored ${entry.path} disagree`);
    return file.slice(start, end);
  }
  return inflateEntry(file, entry, start, zipName);
}

/** Inflates a deflated entry a slice at a time, stopping as soon as it passes its declared size. */
async function inflateEntry(file: Blob, entry: ZipEntry, start: number, zipName: string): Promise<Blob> {
  const parts: Uint8Array[] = [];
  let written = 0;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    written += chunk.length;
    if (written > entry.size) {
      throw codedError(
        OUT_OF_MEMORY,
        `${entry.path} in ${zipName} inflates to more than the ${formatBytes(entry.size)} its zip header declares: ` +
          `the archive is damaged or a decompression bomb, and was stopped. Zip the folder again (zip -r folder.zip folder).`,
      );
    }
    if (chunk.length > 0) parts.push(chunk);
    ended ||= final;
  });
  const end = start + entry.compressedSize;
  try {
    for (let at = start; at < end; at += INFLATE_SLICE) {
      const slice = await readSlice(file, at, Math.min(end, at + INFLATE_SLICE));
      inflate.push(slice, at + INFLATE_SLICE >= end);
    }
    if (entry.compressedSize === 0) inflate.push(new Uint8Array(0), true);
  } catch (error) {
    if (isCodedError(error)) throw error;
    throw corrupt(zipName, `${entry.path} does not inflate (${String(error)})`);
  }
  if (!ended || written !== entry.size) {
    throw corrupt(zipName, `${entry.path} inflates to ${formatBytes(written)}, not the ${formatBytes(entry.size)} its header declares`);
  }
  return new Blob(parts as Uint8Array<ArrayBuffer>[]);
}
