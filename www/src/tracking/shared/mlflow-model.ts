/**
 * A logged model as an MLflow model directory with the `spark` flavor, laid out as
 * MLflow 3's `mlflow.spark.save_model` lays it out:
 *
 * ```
 * MLmodel                     flavors spark (pyspark_version, model_data: sparkml,
 *                             model_class) and python_function (loader_module mlflow.spark),
 *                             the signature, the input example's description
 * conda.yaml, python_env.yaml, requirements.txt   the environment: pyspark and mlflow pinned
 * input_example.json, serving_input_example.json  a few training rows, when recorded
 * sparkml/                    the Spark ML PipelineModel (spark-pipeline-files.ts)
 * ```
 *
 * The signature's inputs are the columns the Spark model reads (`exportedInputs`: those
 * scoring reads, and every column of the table for a step reading them all), typed as
 * pandas delivers them to `pyfunc.predict` (integers as `long`, floats as `double`:
 * MLflow refuses to narrow an int64 or float64 column to a narrower type); the output is
 * `prediction`, as the `python_function` flavor of a Spark model returns it. The input
 * example is written when it has those columns.
 */
import type { PipelineSpec } from '../../clean/shared/pipeline';
import type { InputColumn, LoggedModel } from './logged-model';
import { exportedInputs, type SchemaColumn } from './schema-check';
import { hexFrom, pipelineModelFiles, SPARK_VERSION, type StageDataWriter } from './spark-pipeline-files';
import { sparkStages } from './spark-stages';

/** The MLflow and Python the exported environment pins (those the tests load it with). */
export const MLFLOW_VERSION = '3.17.2';
export const PYSPARK_VERSION = SPARK_VERSION;
export const PYTHON_VERSION = '3.11.7';

/** Where the Spark model lives inside the MLflow model (MLflow's own name for it). */
export const SPARK_MODEL_DIR = 'sparkml';

/** A few rows of the training input, as pandas' `split` orientation holds them. */
export interface InputExample {
  columns: string[];
  data: unknown[][];
}

export interface MlflowModelInput {
  model: LoggedModel;
  /** The fitted cleaning pipeline the model was trained after. */
  pipeline?: PipelineSpec | null;
  /** The training table's columns with their Spark SQL types (see `sparkStages`). */
  tableSchema?: SchemaColumn[];
  inputExample?: InputExample | null;
  /** The run the model was logged by, when there is one. */
  runId?: string;
  /** When the model was made (ms), written as its creation time. */
  timestamp: number;
}

/** Spark SQL type → the MLflow column type of the pandas column `pyfunc.predict` receives. */
export function signatureType(type: string): string {
  if (/^(tinyint|smallint|int|bigint)$/.test(type)) return 'long';
  if (type === 'float' || type === 'double' || type.startsWith('decimal')) return 'double';
  if (type === 'boolean') return 'boolean';
  if (type === 'date' || type.startsWith('timestamp')) return 'datetime';
  return 'string';
}

/** The signature's column specs, as JSON in Python's `json.dumps` spacing (as MLflow writes them). */
function signature(model: LoggedModel, columns: readonly SchemaColumn[]): { inputs: string; outputs: string } {
  const inputs = columns.map((c) => `{"type": ${JSON.stringify(signatureType(c.type))}, "name": ${JSON.stringify(c.name)}, "required": true}`);
  const output = model.task === 'clustering' ? 'integer' : 'double';
  return { inputs: `[${inputs.join(', ')}]`, outputs: `[{"type": "${output}", "required": true}]` };
}

/** A YAML single-quoted scalar. */
const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** `2026-12-02 15:37:52.550000`, MLflow's `utc_time_created`. */
function utcTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

function mlmodel(input: MlflowModelInput, columns: readonly SchemaColumn[], hasExample: boolean): string {
  const sig = signature(input.model, columns);
  const lines = [
    ...(input.runId ? ['artifact_path: model'] : []),
    'flavors:',
    '  python_function:',
    `    data: ${SPARK_MODEL_DIR}`,
    '    env:',
    '      conda: conda.yaml',
    '      virtualenv: python_env.yaml',
    '    loader_module: mlflow.spark',
    `    python_version: ${PYTHON_VERSION}`,
    '  spark:',
    '    code: null',
    '    model_class: pyspark.ml.pipeline.PipelineModel',
    `    model_data: ${SPARK_MODEL_DIR}`,
    `    pyspark_version: ${PYSPARK_VERSION}`,
    'is_signature_from_type_hint: false',
    `mlflow_version: ${MLFLOW_VERSION}`,
    'model_id: null',
    `model_uuid: ${hexFrom(`${input.runId ?? ''}/${input.timestamp}/model`, 32)}`,
    ...(input.runId ? [`run_id: ${input.runId}`] : []),
    ...(hasExample
      ? ['saved_input_example_info:', '  artifact_path: input_example.json', '  pandas_orient: split', '  serving_input_path: serving_input_example.json', '  type: dataframe']
      : []),
    'signature:',
    `  inputs: ${quoted(sig.inputs)}`,
    `  outputs: ${quoted(sig.outputs)}`,
    '  params: null',
    'type_hint_from_example: false',
    `utc_time_created: ${quoted(utcTime(input.timestamp))}`,
  ];
  return `${lines.join('\n')}\n`;
}

const CONDA_YAML = `channels:
- conda-forge
dependencies:
- python=${PYTHON_VERSION}
- pip<=23.2.1
- pip:
  - mlflow==${MLFLOW_VERSION}
  - pyspark==${PYSPARK_VERSION}
name: mlflow-env
`;

const PYTHON_ENV_YAML = `python: ${PYTHON_VERSION}
build_dependencies:
- pip==23.2.1
- setuptools==65.5.0
- wheel
dependencies:
- -r requirements.txt
`;

const REQUIREMENTS = `mlflow==${MLFLOW_VERSION}\npyspark==${PYSPARK_VERSION}\n`;

/** JSON with NaN and infinities written as Python's `json` writes them (MLflow reads them back). */
function exampleJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? `__brasa_number__${v}` : v), indent).replace(
    /"__brasa_number__(NaN|Infinity|-Infinity)"/g,
    '$1',
  );
}

/**
 * Every file of the MLflow model directory, path (relative to it) → bytes. Throws a
 * `MODEL_EXPORT` error naming the step when the model cannot be written (see
 * `sparkStages`).
 */
export async function mlflowModelFiles(input: MlflowModelInput, writeData: StageDataWriter): Promise<Record<string, Uint8Array>> {
  const table = input.tableSchema ?? [];
  const stages = sparkStages(input.model, input.pipeline, table);
  const spark = await pipelineModelFiles(stages, writeData, { seed: `${input.runId ?? ''}/${input.timestamp}`, timestamp: input.timestamp });
  const encoder = new TextEncoder();
  const columns = exportedInputs(input.model.inputSchema, input.model.features, input.pipeline, table);
  const example = input.inputExample ? exampleOf(input.inputExample, columns) : null;
  const files: Record<string, Uint8Array> = {
    MLmodel: encoder.encode(mlmodel(input, columns, example !== null)),
    'conda.yaml': encoder.encode(CONDA_YAML),
    'python_env.yaml': encoder.encode(PYTHON_ENV_YAML),
    'requirements.txt': encoder.encode(REQUIREMENTS),
  };
  if (example) {
    files['input_example.json'] = encoder.encode(exampleJson({ columns: example.columns, data: example.data }));
    files['serving_input_example.json'] = encoder.encode(exampleJson({ dataframe_split: { columns: example.columns, data: example.data } }, 2));
  }
  for (const [path, bytes] of Object.entries(spark)) files[`${SPARK_MODEL_DIR}/${path}`] = bytes;
  return files;
}

/**
 * The recorded example's `columns`, in that order; none when it has no rows or lacks one
 * of them (a model logged before its example held every column the export reads).
 */
function exampleOf(example: InputExample, columns: readonly SchemaColumn[]): InputExample | null {
  const at = columns.map((c) => example.columns.findIndex((e) => e.toLowerCase() === c.name.toLowerCase()));
  if (example.data.length === 0 || at.some((i) => i < 0)) return null;
  return { columns: columns.map((c) => c.name), data: example.data.map((row) => at.map((i) => row[i])) };
}

/** How many training rows the input example holds. */
export const INPUT_EXAMPLE_ROWS = 5;

/**
 * The input example from rows of the training table as the engine displays them (text):
 * the columns the model reads, numbers and booleans parsed back, NULL as `null`.
 */
export function inputExampleOf(columns: InputColumn[], header: string[], rows: (string | null)[][]): InputExample {
  const at = columns.map((c) => header.findIndex((h) => h.toLowerCase() === c.name.toLowerCase()));
  const value = (text: string | null, type: string): unknown => {
    if (text === null) return null;
    const kind = signatureType(type);
    if (kind === 'long' || kind === 'double') {
      const n = Number(text);
      return Number.isNaN(n) && text !== 'NaN' ? null : n;
    }
    if (kind === 'boolean') return text === 'true';
    return text;
  };
  return {
    columns: columns.map((c) => c.name),
    data: rows.map((row) => columns.map((c, i) => (at[i] < 0 ? null : value(row[at[i]], c.type)))),
  };
}
