/**
 * Cancellation of long jobs. The worker is single-threaded JavaScript: a `cancel` call can
 * only be handled while a job awaits, so jobs await between chunks (file reads, or
 * `yieldToEvents`) and check `throwIfCancelled` there.
 */
import { CANCELLED, codedError } from '../../engine/shared/errors';

const cancelled = new Set<number>();
const running = new Set<number>();

export function cancelJob(id: number): void {
  if (running.has(id)) cancelled.add(id);
}

export async function runJob<T>(id: number, job: () => Promise<T>): Promise<T> {
  running.add(id);
  try {
    return await job();
  } finally {
    running.delete(id);
    cancelled.delete(id);
  }
}

export function throwIfCancelled(id: number): void {
  if (cancelled.has(id)) throw codedError(CANCELLED, 'The load was cancelled.');
}

/** Lets queued messages (such as `cancel`) run before the job continues. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
