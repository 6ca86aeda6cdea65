import type { ProgressCallback } from '../../engine/shared/api';
import type { Runtime } from '../../engine/worker/runtime';

/** What a reader needs to load one file as one job. */
export interface LoadContext {
  runtime: Runtime;
  /** The table name to register (the engine may add `_2`, ... if it is taken). */
  name: string;
  jobId: number;
  progress: ProgressCallback;
}
