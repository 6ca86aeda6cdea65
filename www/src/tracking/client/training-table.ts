/**
 * The table a training's estimator read, for the training rows' dataset input: the
 * cleaning pipeline's output when the job has one (run again by the engine, which reuses
 * the steps it kept from the training, then digested like any table), else the source
 * table itself, whose digest the recorder has already computed. The pipeline's run also
 * gives the columns each step made, with their types, which the logged model keeps for
 * the Spark export (`LoggedModel.stepColumns`).
 */
import type { EngineClient } from '../../engine/client/engine-client';
import type { TrainResult, TrainSpec } from '../../ml/shared/training';
import type { TrainingTable } from '../shared/datasets';
import type { DatasetInput } from '../shared/model';

export async function trainingTable(engine: EngineClient, source: DatasetInput, sourceDigest: string, spec: TrainSpec, result: TrainResult): Promise<TrainingTable> {
  const pipeline = spec.pipeline;
  if (!pipeline?.steps.length) return { rows: source.rows, schema: source.schema, digest: sourceDigest, cleaned: false };
  try {
    const run = await engine.applyPipeline(source.name, pipeline, () => {}).done;
    const cleaned = run.info;
    return {
      stepColumns: run.reports.map((r) => r.columns.map((c) => ({ name: c.name, type: c.dataType }))),
      rows: cleaned.rows,
      schema: cleaned.columns.map((c) => ({ name: c.name, type: c.dataType, nullable: c.nullable })),
      digest: await engine.tableDigest(cleaned.name),
      cleaned: true,
    };
  } catch {
    // The digest is a convenience: the run's results matter more. Without the cleaned
    // table, its rows are the ones the training saw and its digest is unknown ('').
    return { rows: result.rows.total, schema: source.schema, digest: '', cleaned: true };
  }
}
