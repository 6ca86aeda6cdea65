/**
 * A cleaning pipeline as the engine speaks it (`crate/src/clean/spec.rs`, generated into
 * `../../contract`): an ordered list of Spark-style steps, serialisable and versioned, so
 * that a training run can record it and replay it exactly, and a PySpark script can be
 * generated from it.
 *
 * A step without `fitted` is an estimator still to fit (Spark's `Imputer`,
 * `StringIndexer`, `OneHotEncoder`) or a plain transformation; applying a pipeline fits
 * what is unfitted and returns the same steps with `fitted` filled in (Spark's
 * `PipelineModel`). Applying a fitted pipeline to another file only transforms.
 */
import { PIPELINE_VERSION, type PipelineSpec, type Step } from '../../contract';

export { PIPELINE_VERSION } from '../../contract';
export type {
  FillValue,
  HowNa,
  ImputerStrategy,
  PipelineResult,
  PipelineSpec,
  Step,
  StepReport,
  StringOrderType,
} from '../../contract';

export type StepOp = Step['op'];

export function emptyPipeline(): PipelineSpec {
  return { version: PIPELINE_VERSION, steps: [] };
}
