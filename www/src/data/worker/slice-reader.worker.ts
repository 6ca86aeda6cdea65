/**
 * Reads slices of a file for the engine worker, in a thread of its own.
 *
 * A `Blob` read in the engine worker only makes progress while that worker's event loop
 * runs, and the engine worker spends a load inside synchronous calls that decode the
 * previous slice on the thread pool: the reads and the decoding took turns (a 10M-row CSV
 * waited about 1 s for its reads, a third of the load; BENCHMARKS.md). Here each request
 * is read synchronously as it arrives and the bytes are transferred back, so the next
 * slices are ready when the engine asks for them.
 */
import type { SliceReply, SliceRequest } from './slice-reader-protocol';

/** Workers have it; the DOM library this project compiles against does not declare it. */
declare const FileReaderSync: { new (): { readAsArrayBuffer(blob: Blob): ArrayBuffer } };

const reader = new FileReaderSync();

self.onmessage = (event: MessageEvent<SliceRequest>) => {
  const { id, blob, start, end } = event.data;
  let reply: SliceReply;
  try {
    const buffer = reader.readAsArrayBuffer(blob.slice(start, end));
    reply = { id, buffer };
    (self as unknown as Worker).postMessage(reply, [buffer]);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    reply = { id, error: { name, message } };
    (self as unknown as Worker).postMessage(reply);
  }
};
