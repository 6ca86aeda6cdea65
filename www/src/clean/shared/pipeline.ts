/**
 * A cleaning pipeline as the engine speaks it (`crate/src/clean/spec.rs`): an ordered
 * list of Spark-style steps, serialisable and versioned, so that a training run can record
 * it and replay it exactly, and a PySpark script can be generated from it.
 *
 * A step without `fitted` is an estimator still to fit (Spark's `Imputer`,
 * `StringIndexer`, `OneHotEncoder`) or a plain transformation; applying a pipeline fits
 * what is unfitted and returns the same steps with `fitted` filled in (Spark's
 * `PipelineModel`). Applying a fitted pipeline to another file only transforms.
 */

import type { ColumnInfo, TableInfo } from '../../engine/shared/api';

export const PIPELINE_VERSION = 1;

export type HowNa = 'any' | 'all';
export type ImputerStrategy = 'mean' | 'median' | 'mode';
export type StringOrderType = 'frequencyDesc' | 'frequencyAsc' | 'alphabetDesc' | 'alphabetAsc';
export type IndexerInvalid = 'error' | 'skip' | 'keep';
export type EncoderInvalid = 'error' | 'keep';
export type FillValue = number | string | boolean;

/** What `Imputer.fit` learned: one surrogate per input column. */
export interface ImputerFitted {
  surrogates: number[];
}

/** What `StringIndexer.fit` learned: the labels of each input column, index order. */
export interface StringIndexerFitted {
  labels: string[][];
}

/** What `OneHotEncoder.fit` learned: categories per input column, and their names. */
export interface OneHotEncoderFitted {
  categorySizes: number[];
  /** The name of each category of each input (the indexer's labels when known). */
  categoryNames: string[][];
}

export type Step =
  /** `df.filter("<SQL boolean expression>")`. */
  | { op: 'filter'; condition: string }
  /** `df.drop(*columns)`. */
  | { op: 'drop'; columns: string[] }
  /** `df.select(col(name).alias(alias), ...)`: keeps, orders and renames columns. */
  | { op: 'select'; columns: { name: string; alias?: string }[] }
  /** `df.dropna(how, thresh, subset)`; NULL and NaN are both missing, as in Spark. */
  | { op: 'dropna'; how: HowNa; thresh?: number; subset?: string[] }
  /** `df.fillna({column: value})`; fills NULL (and NaN in floating columns). */
  | { op: 'fillna'; values: Record<string, FillValue> }
  | {
      op: 'imputer';
      inputCols: string[];
      outputCols: string[];
      strategy: ImputerStrategy;
      /** A value that also counts as missing (Spark's `missingValue`, default NaN). */
      missingValue?: number;
      fitted?: ImputerFitted;
    }
  | {
      op: 'stringIndexer';
      inputCols: string[];
      outputCols: string[];
      stringOrderType: StringOrderType;
      handleInvalid: IndexerInvalid;
      fitted?: StringIndexerFitted;
    }
  | {
      op: 'oneHotEncoder';
      inputCols: string[];
      outputCols: string[];
      dropLast: boolean;
      handleInvalid: EncoderInvalid;
      fitted?: OneHotEncoderFitted;
    }
  /** `df.withColumn(column, col(column).cast(dataType))`, with Spark SQL type names. */
  | { op: 'cast'; column: string; dataType: string }
  /** `df.withColumn(column, expr("<SQL expression>"))`: adds or replaces a column. */
  | { op: 'withColumn'; column: string; expr: string }
  /** `df.dropDuplicates(subset)`: keeps the first row of each key. */
  | { op: 'dropDuplicates'; subset?: string[] }
  /** `df.repartition(numPartitions)`. */
  | { op: 'repartition'; numPartitions: number }
  /** `df.cache()`: the engine keeps this step's output, so later runs start from it. */
  | { op: 'cache' };

export type StepOp = Step['op'];

export interface PipelineSpec {
  version: typeof PIPELINE_VERSION;
  steps: Step[];
}

/** What one step did, as the engine reports it after applying it. */
export interface StepReport {
  op: StepOp;
  rowsIn: number;
  rowsOut: number;
  partitions: number;
  /** The step's output columns, in Spark SQL's type names. */
  columns: ColumnInfo[];
  elapsedMs: number;
  /** Whether the output came from the engine's cache instead of being computed. */
  fromCache: boolean;
  /** What the user should know (e.g. a column to drop that did not exist). */
  warnings: string[];
}

/** What applying a pipeline returns: the output (a result to page through), the pipeline
 * with every estimator fitted, and one report per step. */
export interface PipelineResult {
  info: TableInfo;
  fitted: PipelineSpec;
  reports: StepReport[];
  elapsedMs: number;
}

export function emptyPipeline(): PipelineSpec {
  return { version: PIPELINE_VERSION, steps: [] };
}
