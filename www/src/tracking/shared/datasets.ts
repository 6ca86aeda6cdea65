/**
 * The dataset inputs a training logs, as MLflow logs a dataset and where it came from:
 *
 * - the **source**: the table the user picked, as loaded (its digest, rows and schema;
 *   context `source`). "Re-run" compares a table's digest with this one.
 * - the **training rows**: what the estimator was fitted on (context `training`, MLflow's
 *   word in `mlflow.log_input`): the table after the cleaning pipeline, less the rows
 *   `handleInvalid = skip` dropped and the rows held out for test. Its digest is the
 *   cleaned table's when the job has a pipeline (one more CSV export of it); without one
 *   the rows are the table's, so the digest is the table's and `transform` says what was
 *   left out.
 *
 * The two have different names, so MLflow keeps them as two datasets (it keys a dataset
 * by name and digest, and a run's input by the dataset).
 */
import type { ColumnInfo, RowCounts, TableInfo, TrainSpec } from '../../contract';
import { type ReadSource, fileReadingOf } from '../../data/shared/reader-options';
import type { DatasetInput } from './model';

export const CONTEXT_SOURCE = 'source';
export const CONTEXT_TRAINING = 'training';

type Schema = DatasetInput['schema'];

function schemaOf(columns: readonly ColumnInfo[]): Schema {
  return columns.map((c) => ({ name: c.name, type: c.dataType, nullable: c.nullable }));
}

/** Where a table the page loaded came from (the page's `LoadedTable`, in part). */
interface FileSource {
  source?: ReadSource & { fileName: string };
}

/**
 * The table a training reads, before its digest is known (it is computed once the
 * training ends). A table read from a file records the file, its format and the reader
 * options it was read with (CSV and JSON: Spark's; a workbook: its sheet and header).
 */
export function sourceInput(table: TableInfo & FileSource): DatasetInput {
  const file = table.source;
  const reading = file && fileReadingOf(file);
  return {
    name: table.name,
    digest: '',
    context: CONTEXT_SOURCE,
    source: table.name,
    sourceType: 'table',
    rows: table.rows,
    schema: schemaOf(table.columns),
    ...(file && reading
      ? {
          file: file.fileName,
          format: reading.format,
          ...(reading.compression ? { compression: reading.compression } : {}),
          ...(reading.options ? { readerOptions: reading.options } : {}),
        }
      : {}),
  };
}

/** In words, the file a dataset was read from and how (`Read from a.csv.gz as csv (gzip) with sep=";", header=true`). */
export function fileReadingText(input: DatasetInput): string {
  if (input.file === undefined) return '';
  const how = `${input.format ?? 'a file'}${input.compression ? ` (${input.compression})` : ''}`;
  const options = Object.entries(input.readerOptions ?? {}).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `Read from ${input.file} as ${how}${options.length ? ` with ${options.join(', ')}` : ''}`;
}

/** The table the estimator read: the pipeline's output, or the source itself. */
export interface TrainingTable {
  rows: number;
  schema: Schema;
  /** The digest of its content ('' when it could not be computed). */
  digest: string;
  /** Whether it is the cleaning pipeline's output (else the source table). */
  cleaned: boolean;
  /** The columns each step of the pipeline output, with Spark SQL's type names, when it ran. */
  stepColumns?: { name: string; type: string }[][];
}

/** The name of the training rows' dataset: the source's, marked (MLflow needs the two apart). */
export function trainingDatasetName(table: string): string {
  return `${table}_training`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** In words, how the training rows came from the source table. */
export function trainingTransform(spec: TrainSpec, source: string, table: TrainingTable, rows: RowCounts): string {
  const steps = spec.pipeline?.steps ?? [];
  const parts = [
    table.cleaned
      ? `${source} after its cleaning pipeline (${steps.map((s) => s.op).join(', ')}): ${count(table.rows)} rows`
      : `${source} as loaded: ${count(table.rows)} rows (the digest is the table's)`,
  ];
  const skipped = table.rows - rows.train - rows.test;
  if (skipped > 0) parts.push(`${count(skipped)} with a NULL or NaN label, feature or weight skipped (handleInvalid = ${spec.handleInvalid})`);
  if (rows.test > 0) parts.push(`${count(rows.test)} held out for test`);
  parts.push(`${count(rows.train)} trained on`);
  return parts.join('; ');
}

/** The columns the estimator read (features, label, weight), with their types in `table`. */
function readColumns(spec: TrainSpec, schema: Schema): Schema {
  const wanted = [...spec.features, ...(spec.label ? [spec.label] : []), ...(spec.weightCol ? [spec.weightCol] : []), ...(spec.validationIndicatorCol ? [spec.validationIndicatorCol] : [])];
  const byName = new Map(schema.map((c) => [c.name.toLowerCase(), c]));
  return wanted.map((name) => byName.get(name.toLowerCase()) ?? { name, type: 'unknown', nullable: true });
}

/** The training rows' input of a finished training. */
export function trainingInput(spec: TrainSpec, source: string, table: TrainingTable, rows: RowCounts): DatasetInput {
  return {
    name: trainingDatasetName(source),
    digest: table.digest,
    context: CONTEXT_TRAINING,
    source,
    sourceType: 'table',
    transform: trainingTransform(spec, source, table, rows),
    rows: rows.train,
    schema: readColumns(spec, table.schema),
  };
}

/**
 * The input that is the table a run read: its `source` input, or, for runs recorded
 * before there were two, its only one.
 */
export function sourceOf(inputs: readonly DatasetInput[]): DatasetInput | undefined {
  return inputs.find((i) => i.context === CONTEXT_SOURCE) ?? inputs[0];
}
