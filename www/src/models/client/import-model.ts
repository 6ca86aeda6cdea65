/**
 * Imports a zipped Spark ML `PipelineModel` (or an MLflow model folder with the spark
 * flavor) into the registry: the zip is read here, the stages mapped by
 * `tracking/shared/spark-import.ts` (the engine reads their Parquet data), and the model
 * is logged as a run of its own — FINISHED, with the model's params, tagged with the file
 * it came from — whose model is registered as the next version of `name`. Predict, the
 * registry's downloads and the exports then treat it as any trained model.
 */
import { unzipSync } from 'fflate';

import { codedError } from '../../engine/shared/errors';
import { MODEL_FLAVOR } from '../../tracking/shared/logged-model';
import {
  type ArtifactInfo,
  type ArtifactRecord,
  MODEL_ARTIFACT,
  type ModelVersion,
  newRunId,
  paramString,
  PIPELINE_ARTIFACT,
  type Run,
  TAG_RUN_NAME,
  TAG_SOURCE_NAME,
  TAG_SOURCE_TYPE,
} from '../../tracking/shared/model';
import { importSparkPipeline, MODEL_IMPORT, type StageDataReader } from '../../tracking/shared/spark-import';
import type { TrackingStore } from '../../tracking/client/store';

/** The tag naming the file a model was imported from. */
export const TAG_IMPORTED_FROM = 'brasa.importedFrom';
/** The tag with the Spark version that saved an imported model. */
export const TAG_SPARK_VERSION = 'brasa.sparkVersion';

/** Most bytes a model's zip may unpack to: models are small, a bigger zip is not one (or a bomb). */
const MAX_UNPACKED_BYTES = 512 << 20;

/** The files a PipelineModel is read from: metadata lines and Parquet parts, not `.crc` or `_SUCCESS`. */
const wanted = (name: string) => /(^|\/)part-[^/]*$/.test(name);

/** The zip's PipelineModel files, path → bytes. */
export function unzipModel(bytes: Uint8Array, fileName: string): Map<string, Uint8Array> {
  let unpacked = 0;
  try {
    const files = unzipSync(bytes, {
      filter: (f) => {
        if (!wanted(f.name)) return false;
        unpacked += f.originalSize;
        if (unpacked > MAX_UNPACKED_BYTES) throw new RangeError('too large');
        return true;
      },
    });
    return new Map(Object.entries(files));
  } catch (error) {
    if (error instanceof RangeError) {
      throw codedError(MODEL_IMPORT, `${fileName} unpacks to more than ${MAX_UNPACKED_BYTES >> 20} MB, far more than a Spark ML model; is it the right file?`);
    }
    throw codedError(MODEL_IMPORT, `${fileName} is not a readable zip (${(error as Error).message}). Zip the folder PipelineModel.write().save(path) made.`);
  }
}

const json = (value: unknown) => new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });

/** Imports the zip as a run in `experimentId` and registers its model as `name`. */
export async function importSparkModel(
  store: TrackingStore,
  file: File,
  name: string,
  experimentId: string,
  read: StageDataReader,
): Promise<{ version: ModelVersion; stages: string[] }> {
  const files = unzipModel(new Uint8Array(await file.arrayBuffer()), file.name);
  const imported = await importSparkPipeline(files, read);
  const runId = newRunId();
  const runName = `import-${name}-${runId.slice(0, 6)}`;
  const artifacts: { info: ArtifactInfo; record: ArtifactRecord }[] = [[MODEL_ARTIFACT, imported.model] as const, ...(imported.pipeline ? [[PIPELINE_ARTIFACT, imported.pipeline] as const] : [])].map(
    ([path, value]) => {
      const blob = json(value);
      return { info: { path, size: blob.size, mimeType: blob.type }, record: { runId, path, blob } };
    },
  );
  const params: Record<string, string> = { estimator: imported.model.bestParams.estimator, stages: imported.stages.join(', ') };
  for (const [key, value] of Object.entries(imported.model.bestParams.params)) {
    if (value !== undefined && value !== null) params[key] = paramString(value);
  }
  const now = Date.now();
  const run: Run = {
    runId,
    experimentId,
    runName,
    status: 'FINISHED',
    startTime: now,
    endTime: now,
    lifecycleStage: 'active',
    params,
    metrics: {},
    tags: {
      [TAG_RUN_NAME]: runName,
      [TAG_SOURCE_TYPE]: 'LOCAL',
      [TAG_SOURCE_NAME]: MODEL_FLAVOR,
      [TAG_IMPORTED_FROM]: file.name,
      [TAG_SPARK_VERSION]: imported.sparkVersion,
    },
    inputs: [],
    artifacts: artifacts.map((a) => a.info),
  };
  await store.putRuns({ runs: [run], artifacts: artifacts.map((a) => a.record) });
  try {
    const version = await store.registerModel(name, runId, `runs:/${runId}/model`, `Imported from ${file.name} (Spark ${imported.sparkVersion}).`);
    return { version, stages: imported.stages };
  } catch (error) {
    // A name the registry refuses: the run would hold a model nobody registered.
    await store.setRunsLifecycle([runId], 'deleted').catch(() => {});
    throw error;
  }
}
