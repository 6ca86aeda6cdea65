/**
 * The job a training ran, as a run keeps it in `job.json`: the table it read and the
 * whole `TrainSpec`. "Re-run" replays it and the PySpark export writes it out, so it is
 * read back through `readRecordedJob`, which also reads the jobs recorded before Brasa
 * had more than one estimator (a LinearRegression spec without `estimator`).
 */
import { type EstimatorName, type TrainSpec, estimatorInfo, readSpec } from '../../ml/shared/training';

export interface RecordedJob {
  table: string;
  spec: TrainSpec;
}

/** A `job.json` as this page reads it, whichever Brasa recorded it. */
export function readRecordedJob(recorded: unknown): RecordedJob {
  const job = recorded as Partial<RecordedJob> | null;
  if (!job || typeof job !== 'object' || typeof job.table !== 'string' || !job.spec || typeof job.spec !== 'object') {
    throw new Error('This run\'s job.json is not a recorded training job (no "table" and "spec").');
  }
  return { table: job.table, spec: readSpec(job.spec) };
}

/** Spark ML's class name of the job's estimator (`LinearRegression`, `KMeans`, ...). */
export function sparkName(estimator: EstimatorName): string {
  return estimatorInfo(estimator).sparkName;
}

/**
 * What the tuner tunes, as Spark names it: the estimator alone, or the `Pipeline` of a
 * StandardScaler and the estimator when the job scales its features.
 */
export function tunedEstimatorName(spec: TrainSpec): string {
  const name = sparkName(spec.estimator);
  return spec.scaler ? `Pipeline(StandardScaler, ${name})` : name;
}

export function tuningName(spec: TrainSpec): 'CrossValidator' | 'TrainValidationSplit' {
  return spec.tuning.kind === 'crossValidator' ? 'CrossValidator' : 'TrainValidationSplit';
}
