/**
 * How the Train tab reports a training to whoever records it (the tracking feature):
 * `started` before the engine starts, then `finished` or `failed` once.
 */
import type { TableInfo } from '../../engine/shared/api';
import type { TrainResult, TrainSpec } from '../shared/training';

/** A chart drawn for the training (saved by the tracker as `charts/<name>.png`). */
export interface ChartImage {
  name: string;
  canvas: HTMLCanvasElement;
}

/** One training being recorded. */
export interface TrainingRecord {
  runId: string;
  runName: string;
  finished(result: TrainResult, charts: ChartImage[]): Promise<void>;
  failed(reason: string, status: 'FAILED' | 'KILLED'): Promise<void>;
}

export interface TrainingObserver {
  /** Called before the engine starts; a rejection stops the training (nothing recorded). */
  started(table: TableInfo, spec: TrainSpec, tags?: Record<string, string>): Promise<TrainingRecord>;
}
