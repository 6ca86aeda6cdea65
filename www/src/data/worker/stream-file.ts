/**
 * Reading a `File` front to back into a loader, slice by slice: the next slice's read is
 * started before the current one is pushed, progress is reported after each push, and a
 * cancel is seen between slices.
 */
import type { LoadProgress } from '../../engine/shared/api';
import { throwIfCancelled } from './jobs';
import type { LoadContext } from './load-context';

export interface SliceTarget {
  push(slice: Uint8Array): void;
  /** Rows decoded so far, for the progress bar (0 when the reader only decodes at the end). */
  rows(): number;
}

export async function streamFile(
  ctx: LoadContext,
  file: Blob,
  sliceBytes: number,
  target: SliceTarget,
  phase: LoadProgress['phase'] = 'decoding',
  /** Progress of this file within a bigger job (a folder's files); the job's own by default. */
  report: (progress: LoadProgress) => void = ctx.progress,
): Promise<void> {
  let next: Promise<Uint8Array> | undefined = readSlice(file, 0, sliceBytes);
  for (let offset = 0; next; ) {
    const slice: Uint8Array = await next;
    offset += slice.byteLength;
    next = offset < file.size ? readSlice(file, offset, offset + sliceBytes) : undefined;
    throwIfCancelled(ctx.jobId);
    target.push(slice);
    report({ phase, bytesDone: offset, bytesTotal: file.size, rows: target.rows() });
  }
  report({ phase: 'finishing', bytesDone: file.size, bytesTotal: file.size, rows: target.rows() });
}

export async function readSlice(file: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}
