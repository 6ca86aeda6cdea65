/** Messages between the engine worker and its slice reader (`slice-reader.worker.ts`). */

/** Read `blob.slice(start, end)`; replies come in the order of the requests. */
export interface SliceRequest {
  id: number;
  blob: Blob;
  start: number;
  end: number;
}

/** The bytes read, or the read's error by name (`NotReadableError`, ...) and message. */
export type SliceReply = { id: number; buffer: ArrayBuffer } | { id: number; error: { name: string; message: string } };
