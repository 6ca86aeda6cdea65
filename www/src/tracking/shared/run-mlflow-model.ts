/**
 * A run's logged model as an MLflow model (`mlflow-model.ts`), from the run's artifacts:
 * `model/model.json`, the fitted `model/pipeline.json`, the recorded input example, and
 * the training table's columns and types from the run's source dataset. The files go in the run's
 * `model/` directory, next to `model.json`, so `runs:/<run_id>/model` and the registry's
 * versions (whose source that is) are MLflow models.
 */
import type { PipelineSpec } from '../../clean/shared/pipeline';
import { sourceOf } from './datasets';
import { readLoggedModel } from './logged-model';
import { type InputExample, mlflowModelFiles } from './mlflow-model';
import { INPUT_EXAMPLE_ARTIFACT, MODEL_ARTIFACT, PIPELINE_ARTIFACT, type Run } from './model';
import type { StageDataWriter } from './spark-pipeline-files';

/** Reads one of the run's artifacts (undefined when the run has none at that path). */
export type ArtifactReader = (path: string) => Promise<Uint8Array | undefined>;

const decoder = new TextDecoder();

async function json<T>(read: ArtifactReader, path: string): Promise<T | undefined> {
  const bytes = await read(path);
  return bytes ? (JSON.parse(decoder.decode(bytes)) as T) : undefined;
}

/** Whether the run logged a model. */
export function hasLoggedModel(run: Run): boolean {
  return run.artifacts.some((a) => a.path === MODEL_ARTIFACT);
}

/**
 * The MLflow model files of the run's logged model, path relative to `model/` → bytes.
 * Throws a `MODEL_EXPORT` error naming the step Spark cannot express.
 */
export async function runMlflowModelFiles(run: Run, read: ArtifactReader, writeData: StageDataWriter): Promise<Record<string, Uint8Array>> {
  const logged = await json<unknown>(read, MODEL_ARTIFACT);
  if (logged === undefined) throw new Error(`Run ${run.runId} has no ${MODEL_ARTIFACT}.`);
  return mlflowModelFiles(
    {
      model: readLoggedModel(logged),
      pipeline: await json<PipelineSpec>(read, PIPELINE_ARTIFACT),
      tableSchema: sourceOf(run.inputs)?.schema.map(({ name, type }) => ({ name, type })) ?? [],
      inputExample: await json<InputExample>(read, INPUT_EXAMPLE_ARTIFACT),
      runId: run.runId,
      timestamp: run.endTime ?? run.startTime,
    },
    writeData,
  );
}
