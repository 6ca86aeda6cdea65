/**
 * "Download MLflow model": a run's logged model (or a registered version's, which is its
 * source run's) as a zip of an MLflow model directory with the `spark` flavor. A model
 * whose pipeline Spark's format cannot express fails with the `MODEL_EXPORT` message
 * before anything is downloaded.
 */
import { zipSync } from 'fflate';

import { runMlflowModelFiles } from '../shared/run-mlflow-model';
import type { StageDataWriter } from '../shared/spark-pipeline-files';
import { downloadBytes } from '../../ui/download';
import type { TrackingStore } from './store';

/** A file and folder name from a model or run name (`spend v2` → `spend-v2`). */
export function folderName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
}

/** Zips the run's model as `<folder>/MLmodel`, `<folder>/sparkml/…` and downloads `<folder>.zip`. */
export async function downloadMlflowModel(store: TrackingStore, runId: string, writeData: StageDataWriter, folder: string): Promise<string> {
  const run = await store.run(runId);
  if (!run) throw new Error(`Run ${runId} is not in this browser (deleted, or not imported).`);
  const files = await runMlflowModelFiles(run, async (path) => {
    const record = await store.artifact(runId, path);
    return record ? new Uint8Array(await record.blob.arrayBuffer()) : undefined;
  }, writeData);
  const name = folderName(folder);
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([path, bytes]) => [`${name}/${path}`, bytes])), { level: 6 });
  downloadBytes(zip, `${name}.zip`, 'application/zip');
  return `Downloaded ${name}.zip: unzip it, then mlflow.pyfunc.load_model("${name}") or PipelineModel.load("${name}/sparkml").`;
}
