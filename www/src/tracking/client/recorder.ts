/**
 * Records every training as MLflow runs (see `shared/autolog.ts` for what is logged).
 * The parent run is stored as RUNNING before the engine starts and holds a Web Lock
 * named after it while the training lasts; a RUNNING run whose lock nobody holds was
 * orphaned by a crash or a reload, and `sweepOrphans` marks it FAILED.
 */
import type { EngineClient } from '../../engine/client/engine-client';
import type { TableInfo } from '../../engine/shared/api';
import type { ChartImage, TrainingObserver, TrainingRecord } from '../../ml/client/training-observer';
import type { TrainResult, TrainSpec } from '../../ml/shared/training';
import { type RecordedJob, bestParameters, childRuns, finishedParent, searchResultsCsv, startedRun } from '../shared/autolog';
import { sourceInput, trainingInput } from '../shared/datasets';
import { loggedModel } from '../shared/logged-model';
import {
  type ArtifactInfo,
  type ArtifactRecord,
  type DatasetInput,
  INPUT_EXAMPLE_ARTIFACT,
  JOB_ARTIFACT,
  MODEL_ARTIFACT,
  PIPELINE_ARTIFACT,
  TAG_FAILURE,
} from '../shared/model';
import { exportedInputs, requiredColumns } from '../shared/schema-check';
import { inputExample } from './input-example';
import type { TrackingStore } from './store';
import { trainingTable } from './training-table';

const LOCK_PREFIX = 'brasa-run:';

function artifact(runId: string, path: string, blob: Blob): { info: ArtifactInfo; record: ArtifactRecord } {
  return { info: { path, size: blob.size, mimeType: blob.type }, record: { runId, path, blob } };
}

const json = (value: unknown) => new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });

function canvasPng(canvas: HTMLCanvasElement): Promise<Blob | null> {
  if (canvas.width === 0 || canvas.height === 0) return Promise.resolve(null);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

export class Recorder implements TrainingObserver {
  constructor(
    private readonly store: TrackingStore,
    private readonly engine: EngineClient,
    private readonly experimentId: () => string,
  ) {}

  async started(table: TableInfo, spec: TrainSpec, tags: Record<string, string> = {}): Promise<TrainingRecord> {
    const job: RecordedJob = { table: table.name, spec };
    const input = sourceInput(table);
    const run = startedRun(job, this.experimentId(), input, tags);
    const release = await holdLock(LOCK_PREFIX + run.runId);
    const jobArtifact = artifact(run.runId, JOB_ARTIFACT, json(job));
    try {
      await this.store.putRuns({ runs: [{ ...run, artifacts: [jobArtifact.info] }], artifacts: [jobArtifact.record] });
    } catch (error) {
      release();
      throw error;
    }
    const runId = run.runId;
    return {
      runId,
      runName: run.runName,
      finished: async (result, charts) => {
        try {
          await this.finish(runId, job, input, result, charts);
        } catch (error) {
          // Nothing of the result was stored (one transaction); say why on the run if we can.
          const reason = `The results could not be saved: ${(error as Error).message}`;
          await this.store.updateRun(runId, (r) => ({ ...r, status: 'FAILED', endTime: Date.now(), tags: { ...r.tags, [TAG_FAILURE]: reason } })).catch(() => {});
          throw error;
        } finally {
          release();
        }
      },
      failed: async (reason, status) => {
        try {
          // No digest: the engine may be gone, and a failed run has no result to compare.
          await this.store.updateRun(runId, (r) => ({ ...r, status, endTime: Date.now(), tags: { ...r.tags, [TAG_FAILURE]: reason } }));
        } finally {
          release();
        }
      },
    };
  }

  /**
   * Stores the result in one transaction: the parent's params and metrics, its inputs
   * (the source with its digest, and the training rows), the artifacts, the child runs.
   */
  private async finish(runId: string, job: RecordedJob, input: DatasetInput, result: TrainResult, charts: ChartImage[]): Promise<void> {
    const digest = await this.engine.tableDigest(job.table);
    const table = await trainingTable(this.engine, input, digest, job.spec, result);
    const trained = trainingInput(job.spec, job.table, table, result.rows);
    const inputSchema = requiredColumns(input.schema, result.features, job.spec.pipeline).map(({ name, type }) => ({ name, type }));
    const files: { info: ArtifactInfo; record: ArtifactRecord }[] = [
      artifact(runId, MODEL_ARTIFACT, json(loggedModel(result, job.spec, inputSchema, table.stepColumns))),
      artifact(runId, 'best_parameters.json', json(bestParameters(result, job.spec))),
      artifact(runId, 'search_results.csv', new Blob([searchResultsCsv(result, job.spec)], { type: 'text/csv' })),
    ];
    if (result.pipeline) files.push(artifact(runId, PIPELINE_ARTIFACT, json(result.pipeline)));
    // The example holds every column the exported Spark model reads (its signature).
    const exampleColumns = exportedInputs(inputSchema, result.features, job.spec.pipeline, input.schema);
    const example = await inputExample(this.engine, job.table, exampleColumns, input.schema.length);
    if (example) files.push(artifact(runId, INPUT_EXAMPLE_ARTIFACT, json(example)));
    if (job.spec.pipeline) files.push(artifact(runId, 'pipeline_spec.json', json(job.spec.pipeline)));
    for (const chart of charts) {
      const png = await canvasPng(chart.canvas);
      if (png) files.push(artifact(runId, `charts/${chart.name}.png`, png));
    }
    const now = Date.now();
    await this.store.updateRun(
      runId,
      (run) => ({
        ...finishedParent(run, result, job.spec, now),
        inputs: [...run.inputs.map((i) => ({ ...i, digest })), trained],
        artifacts: [...run.artifacts, ...files.map((f) => f.info)],
      }),
      { artifacts: files.map((f) => f.record), runs: (parent) => childRuns(parent, result, job.spec, now) },
    );
  }
}

/** Takes a Web Lock and keeps it until the returned function is called. */
async function holdLock(name: string): Promise<() => void> {
  if (!navigator.locks) return () => {};
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await new Promise<void>((granted) => {
    void navigator.locks.request(name, () => {
      granted();
      return held;
    });
  });
  return release;
}

/**
 * Marks FAILED every RUNNING run that no page is training any more (its lock is free):
 * the page was closed or reloaded, or the engine died, during that training.
 */
export async function sweepOrphans(store: TrackingStore, reason: string): Promise<string[]> {
  const running = await store.runningRuns();
  if (running.length === 0) return [];
  const held = new Set(((await navigator.locks?.query())?.held ?? []).map((lock) => lock.name));
  const ended: string[] = [];
  for (const run of running) {
    if (held.has(LOCK_PREFIX + run.runId)) continue;
    if (await store.endRunningRun(run.runId, 'FAILED', reason, TAG_FAILURE)) ended.push(run.runId);
  }
  return ended;
}
