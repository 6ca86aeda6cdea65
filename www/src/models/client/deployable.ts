/**
 * A registered version's model and fitted pipeline, read from its run's artifacts
 * (`model/model.json`, `model/pipeline.json`) through `readLoggedModel`, so versions of
 * runs recorded before estimators came load as well as new ones.
 */
import type { PipelineSpec } from '../../clean/shared/pipeline';
import type { TrackingStore } from '../../tracking/client/store';
import { type LoggedModel, readLoggedModel } from '../../tracking/shared/logged-model';
import { MODEL_ARTIFACT, type ModelVersion, PIPELINE_ARTIFACT } from '../../tracking/shared/model';

export interface Deployable {
  model: LoggedModel;
  pipeline?: PipelineSpec;
}

export async function loadDeployable(store: TrackingStore, version: ModelVersion): Promise<Deployable> {
  const modelFile = await store.artifact(version.runId, MODEL_ARTIFACT);
  if (!modelFile) throw new Error(`${version.name} version ${version.version}: its run ${version.runId} has no ${MODEL_ARTIFACT} (was the run deleted or not imported?).`);
  let model: LoggedModel;
  try {
    model = readLoggedModel(JSON.parse(await modelFile.blob.text()));
  } catch (error) {
    throw new Error(`${version.name} version ${version.version}: ${(error as Error).message}`);
  }
  const pipelineFile = await store.artifact(version.runId, PIPELINE_ARTIFACT);
  const pipeline = pipelineFile ? (JSON.parse(await pipelineFile.blob.text()) as PipelineSpec) : undefined;
  return { model, pipeline };
}
