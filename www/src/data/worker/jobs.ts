/**
 * Cancellation of long jobs. The worker is single-threaded JavaScript: a `cancel` call can
 * only be handled while a job awaits, so jobs await between chunks (file reads, or
 * `yieldToEvents`) and check `throwIfCancelled` there; a wait that may be long (a slice
 * of a slow file) is wrapped in `unlessCancelled`, so the cancel ends it at once.
 */
import { CANCELLED, codedError } from '../../engine/shared/errors';

/** The jobs running, each with the controller its cancel aborts. */
const running = new Map<number, AbortController>();

export function cancelJob(id: number): void {
  running.get(id)?.abort();
}

export async function runJob<T>(id: number, job: () => Promise<T>): Promise<T> {
  running.set(id, new AbortController());
  try {
    return await job();
  } finally {
    running.delete(id);
  }
}

export function throwIfCancelled(id: number): void {
  if (running.get(id)?.signal.aborted) throw cancelledLoad();
}

/** `work`'s result, or the cancel's error as soon as job `id` is cancelled. */
export function unlessCancelled<T>(id: number, work: Promise<T>): Promise<T> {
  const signal = running.get(id)?.signal;
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledLoad());
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Lets queued messages (such as `cancel`) run before the job continues. A message to
 * itself rather than `setTimeout(0)`: timers chained from one another (a folder's files,
 * a file's row groups) are held back 4 ms each once nested five deep, as browsers clamp
 * them; a posted message is not.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function cancelledLoad(): Error {
  return codedError(CANCELLED, 'The load was cancelled.');
}
