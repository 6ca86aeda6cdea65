/**
 * Reading a `File` front to back into a loader, slice by slice: the next slices are read
 * while the current one is pushed, progress is reported after each push, and a cancel is
 * seen while a slice is awaited, between slices, and after the last one.
 */
import type { LoadProgress } from '../../engine/shared/api';
import { throwIfCancelled, unlessCancelled, yieldToEvents } from './jobs';
import type { LoadContext } from './load-context';
import type { SliceReply, SliceRequest } from './slice-reader-protocol';

export interface SliceTarget {
  push(slice: Uint8Array): void;
  /** Rows decoded so far, for the progress bar (0 when the reader only decodes at the end). */
  rows(): number;
}

/** A file's consecutive slices, in order, read ahead from the moment it is opened. */
export interface SliceStream {
  readonly size: number;
  next(): Promise<Uint8Array>;
  /** Drops the slices read ahead; a stream may be closed more than once. */
  close(): void;
}

/** How a stream reads: the first slice's size, and how many slices it reads ahead. */
export interface ReadAhead {
  /** The first slice's bytes (at most the others'), so the decoding can start sooner. */
  first?: number;
  /**
   * Slices requested beyond the one being pushed (2 by default: the reader stays busy
   * while a slice is decoded, and at most three slices are held). Reading costs CPU (the
   * browser copies the file), so a load whose decoding keeps every core busy reads one
   * ahead: two at once slowed its pushes.
   */
  slices?: number;
}

/**
 * Starts reading `file` in slices of `sliceBytes`. The reads begin at once, so a load
 * that opens its stream before it looks at the file's head has its first slice on the
 * way meanwhile.
 */
export function readSlices(file: Blob, sliceBytes: number, ahead: ReadAhead = {}): SliceStream {
  const plan: SlicePlan = { first: Math.min(ahead.first ?? sliceBytes, sliceBytes), rest: sliceBytes, ahead: ahead.slices ?? 2 };
  const reader = sliceReader();
  return reader ? new WorkerSlices(reader, file, plan) : new InThreadSlices(file, plan);
}

/** Pushes every slice of `slices` into `target`, then closes the stream. */
export async function streamFile(
  ctx: LoadContext,
  slices: SliceStream,
  target: SliceTarget,
  phase: LoadProgress['phase'] = 'decoding',
  /** Progress of this file within a bigger job (a folder's files); the job's own by default. */
  report: (progress: LoadProgress) => void = ctx.progress,
): Promise<void> {
  const size = slices.size;
  try {
    for (let offset = 0; offset < size; ) {
      const slice = await unlessCancelled(ctx.jobId, slices.next());
      offset += slice.byteLength;
      throwIfCancelled(ctx.jobId);
      target.push(slice);
      report({ phase, bytesDone: offset, bytesTotal: size, rows: target.rows() });
    }
  } finally {
    slices.close();
  }
  // A cancel sent while the last slice was pushed is still honoured: nothing is kept yet.
  await yieldToEvents();
  throwIfCancelled(ctx.jobId);
  report({ phase: 'finishing', bytesDone: size, bytesTotal: size, rows: target.rows() });
}

export async function readSlice(file: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}

/** The reader worker, started with the engine (or by the first load) and kept. */
let reader: SliceReader | null | undefined;

/** Starts the reader worker ahead of the first load, so that load does not wait for it. */
export function startSliceReader(): void {
  sliceReader();
}

function sliceReader(): SliceReader | null {
  if (reader === undefined) {
    try {
      reader = typeof Worker === 'function' ? new SliceReader() : null;
    } catch {
      reader = null;
    }
  }
  return reader;
}

/**
 * The worker of `slice-reader.worker.ts` with the requests it has not answered yet. It
 * answers in order; a request whose stream was closed is answered into the void.
 */
class SliceReader {
  private readonly worker = new Worker(new URL('./slice-reader.worker.ts', import.meta.url), { type: 'module', name: 'brasa-slice-reader' });
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (slice: Uint8Array) => void; reject: (error: unknown) => void }>();

  constructor() {
    this.worker.onmessage = (event: MessageEvent<SliceReply>) => {
      const reply = event.data;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('buffer' in reply) waiting?.resolve(new Uint8Array(reply.buffer));
      else waiting?.reject(new DOMException(reply.error.message, reply.error.name));
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`The file reader stopped: ${event.message || 'unknown error'}`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      this.worker.terminate();
      reader = undefined;
    };
  }

  /** Asks for `blob.slice(start, end)`; the returned id can be given to `forget`. */
  read(blob: Blob, start: number, end: number): { id: number; bytes: Promise<Uint8Array> } {
    const id = this.nextId++;
    const bytes = new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const request: SliceRequest = { id, blob, start, end };
    this.worker.postMessage(request);
    return { id, bytes };
  }

  /** Drops the answer to a request nobody waits for any more. */
  forget(id: number): void {
    this.pending.delete(id);
  }
}

/** The first slice's size, the others', and how many slices are read ahead. */
interface SlicePlan {
  first: number;
  rest: number;
  ahead: number;
}

/** Slices read in this thread, one ahead: the read only progresses while this thread waits. */
class InThreadSlices implements SliceStream {
  private offset = 0;
  private ahead: Promise<Uint8Array> | undefined;

  constructor(private readonly file: Blob, private readonly plan: SlicePlan) {}

  get size(): number {
    return this.file.size;
  }

  next(): Promise<Uint8Array> {
    const current = this.ahead ?? this.read();
    this.ahead = this.offset < this.file.size ? this.read() : undefined;
    return current;
  }

  close(): void {
    this.ahead?.catch(() => undefined);
    this.ahead = undefined;
  }

  private read(): Promise<Uint8Array> {
    const start = this.offset;
    this.offset = Math.min(this.file.size, start + (start === 0 ? this.plan.first : this.plan.rest));
    return readSlice(this.file, start, this.offset);
  }
}

/**
 * Slices read by the reader worker, `plan.ahead` requested beyond the one being waited
 * for, so the reads go on while this thread decodes.
 */
class WorkerSlices implements SliceStream {
  private offset = 0;
  private readonly requested: { id: number; bytes: Promise<Uint8Array> }[] = [];

  constructor(private readonly reader: SliceReader, private readonly file: Blob, private readonly plan: SlicePlan) {
    for (let k = 0; k < plan.ahead; k++) this.request();
  }

  get size(): number {
    return this.file.size;
  }

  next(): Promise<Uint8Array> {
    const reply = this.requested.shift()?.bytes ?? Promise.reject(new Error('read past the end of the file'));
    this.request();
    return reply;
  }

  close(): void {
    for (const { id, bytes } of this.requested) {
      bytes.catch(() => undefined);
      this.reader.forget(id);
    }
    this.requested.length = 0;
  }

  private request(): void {
    if (this.offset >= this.file.size) return;
    const start = this.offset;
    this.offset = Math.min(this.file.size, start + (start === 0 ? this.plan.first : this.plan.rest));
    this.requested.push(this.reader.read(this.file, start, this.offset));
  }
}
