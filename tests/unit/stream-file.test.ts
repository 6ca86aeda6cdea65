/**
 * Streaming a file through the slice reader worker: the loader gets the file's bytes in
 * order whatever order the reads finish in, the reads run ahead of the decoding by a
 * bounded number of slices, a read's error reaches the load with its name (the page
 * tells a file moved since it was dropped by `NotReadableError`), and a cancel ends the
 * load even while a read never comes back, or while the last slice is pushed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SliceReply, SliceRequest } from '../../www/src/data/worker/slice-reader-protocol';

/** Requests seen by the fake reader, and switches to fail the next one or leave it unanswered. */
const seen: SliceRequest[] = [];
let failNext = false;
let stallNext = false;

/**
 * Stands in for `slice-reader.worker.ts` (Node has no `Worker` global): answers each
 * request after a random delay, so answers may come back out of order.
 */
class FakeReaderWorker {
  onmessage: ((event: MessageEvent<SliceReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;

  postMessage(request: SliceRequest): void {
    seen.push(request);
    const fail = failNext;
    failNext = false;
    if (stallNext) {
      stallNext = false;
      return;
    }
    setTimeout(async () => {
      const reply: SliceReply = fail
        ? { id: request.id, error: { name: 'NotReadableError', message: 'the file changed' } }
        : { id: request.id, buffer: await request.blob.slice(request.start, request.end).arrayBuffer() };
      this.onmessage?.({ data: reply } as MessageEvent<SliceReply>);
    }, Math.random() * 5);
  }

  terminate(): void {}
}
(globalThis as { Worker?: unknown }).Worker = FakeReaderWorker;

const { readSlices, streamFile } = await import('../../www/src/data/worker/stream-file');
const { cancelJob, runJob } = await import('../../www/src/data/worker/jobs');

const context = { runtime: undefined as never, name: 't', jobId: 1, progress: () => undefined };

function fileOf(bytes: number): Blob {
  return new Blob([Uint8Array.from({ length: bytes }, (_, i) => (i * 31) % 251)]);
}

describe('streaming a file through the slice reader', () => {
  for (const ahead of [2, 1]) {
    it(`hands the loader every byte in order, reading at most ${ahead} slice(s) ahead`, async () => {
      const file = fileOf(1_000_003);
      const pushed: Uint8Array[] = [];
      const firstRequest = seen.length;
      let mostAhead = 0;
      await streamFile(context, readSlices(file, 100_000, ahead === 2 ? {} : { slices: ahead }), {
        push(slice) {
          pushed.push(slice);
          const read = seen.slice(firstRequest).reduce((sum, r) => sum + (r.end - r.start), 0);
          mostAhead = Math.max(mostAhead, read - pushed.reduce((sum, s) => sum + s.byteLength, 0));
        },
        rows: () => 0,
      });
      const whole = new Uint8Array(await file.arrayBuffer());
      assert.deepEqual(Buffer.concat(pushed), Buffer.from(whole));
      assert.equal(pushed.length, 11);
      assert.ok(mostAhead <= ahead * 100_000 && mostAhead > (ahead - 1) * 100_000, `read ${mostAhead} bytes ahead`);
    });
  }

  it('reads a smaller first slice when asked, then full ones, every byte once', async () => {
    const file = fileOf(350_000);
    const sizes: number[] = [];
    await streamFile(context, readSlices(file, 100_000, { first: 30_000 }), { push: (slice) => void sizes.push(slice.byteLength), rows: () => 0 });
    assert.deepEqual(sizes, [30_000, 100_000, 100_000, 100_000, 20_000]);
  });

  it('passes a failed read on by its name and stops', async () => {
    const file = fileOf(500_000);
    let pushes = 0;
    failNext = true;
    await assert.rejects(
      streamFile(context, readSlices(file, 100_000), { push: () => void pushes++, rows: () => 0 }),
      (error: Error) => error.name === 'NotReadableError' && error.message === 'the file changed',
    );
    assert.equal(pushes, 0);
  });

  it('ends at once when cancelled while a read has not come back', async () => {
    stallNext = true;
    const load = runJob(2, () => streamFile({ ...context, jobId: 2 }, readSlices(fileOf(300_000), 100_000), { push() {}, rows: () => 0 }));
    setTimeout(() => cancelJob(2), 20);
    await assert.rejects(load, (error: Error & { code?: string }) => error.code === 'CANCELLED');
  });

  it('honours a cancel sent while the last slice is pushed, before anything is kept', async () => {
    const phases: string[] = [];
    const load = runJob(3, () =>
      streamFile({ ...context, jobId: 3 }, readSlices(fileOf(250_000), 100_000), {
        push: () => phases.length === 2 && cancelJob(3),
        rows: () => 0,
      }, 'decoding', (p) => void phases.push(p.phase)),
    );
    await assert.rejects(load, (error: Error & { code?: string }) => error.code === 'CANCELLED');
    assert.deepEqual(phases, ['decoding', 'decoding', 'decoding']);
  });
});
