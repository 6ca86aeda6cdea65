/**
 * Models exported as MLflow models with the `spark` flavor, loaded by the real MLflow and
 * PySpark (the venv from scripts/setup.sh) in one Python process: `get_model_info`,
 * `pyfunc.load_model(...).predict` and `PipelineModel.load(...).transform` predict what
 * Brasa's Predict gives for the same rows (≤ 1e-9 relative), for LinearRegression behind
 * a cleaning pipeline (filter, cast, withColumn, Imputer, StringIndexer, OneHotEncoder,
 * drop) and a StandardScaler, LogisticRegression (binary with a string label behind
 * dropna and fillna, and multinomial), KMeans, dropna without a subset and dropDuplicates
 * on a key and on whole rows (scoring a file with blanks and repeated rows: the same rows
 * kept, in the same order), fillna of withColumn results (typed by the columns the steps
 * made in training), and the trees (DecisionTree, RandomForest and GBT, with a
 * categorical feature; the classifiers with Spark's `thresholds`). Saved again by PySpark,
 * the models with a cleaning pipeline import back into Brasa with the same steps and
 * predictions. Models Spark's format cannot express are refused with
 * MODEL_EXPORT, naming the step. The engine runs natively (tests/tracking/engine.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  DECISION_TREE_CLASSIFIER_DEFAULTS,
  DECISION_TREE_REGRESSOR_DEFAULTS,
  GBT_CLASSIFIER_DEFAULTS,
  GBT_REGRESSOR_DEFAULTS,
  KMEANS_DEFAULTS,
  LINEAR_REGRESSION_DEFAULTS,
  LOGISTIC_REGRESSION_DEFAULTS,
  PIPELINE_VERSION,
  RANDOM_FOREST_CLASSIFIER_DEFAULTS,
  RANDOM_FOREST_REGRESSOR_DEFAULTS,
} from '../../www/src/contract';
import type { PipelineSpec, Step } from '../../www/src/clean/shared/pipeline';
import type { TrainSpec } from '../../www/src/ml/shared/training';
import { type LoggedModel, loggedModel, scoringOf } from '../../www/src/tracking/shared/logged-model';
import { type InputExample, MLFLOW_VERSION, mlflowModelFiles, PYSPARK_VERSION } from '../../www/src/tracking/shared/mlflow-model';
import { mlrunsFiles } from '../../www/src/tracking/shared/mlruns';
import { INPUT_EXAMPLE_ARTIFACT, MODEL_ARTIFACT, PIPELINE_ARTIFACT } from '../../www/src/tracking/shared/model';
import { exportedInputs, requiredColumns, type SchemaColumn } from '../../www/src/tracking/shared/schema-check';
import { importSparkPipeline } from '../../www/src/tracking/shared/spark-import';
import { recordedSnapshot } from './fixtures';
import { predictNative, readStageDataNative, stageDataNative, trainNative } from '../tracking/engine';
import { assertClose, parseCsv } from '../tracking/scored';
import { checkMlflowModels } from '../tracking/mlflow-models';


/** A small deterministic table: ints, doubles with NULLs, a category, a numeric label, two string labels. */
function customersCsv(rows: number, seed: number): string {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const plans = ['basic', 'basic', 'basic', 'plus', 'plus', 'pro'];
  const lines = ['id,age,tenure,plan,visits,spend,churned,segment'];
  for (let i = 0; i < rows; i++) {
    const age = 15 + Math.floor(next() * 60);
    const tenure = next() < 0.1 ? '' : (next() * 72).toFixed(2);
    const plan = plans[Math.floor(next() * plans.length)];
    const visits = (next() * 20).toFixed(1);
    const t = tenure === '' ? 30 : Number(tenure);
    const spend = (20 + 0.3 * age + 0.5 * t + (plan === 'pro' ? 25 : plan === 'plus' ? 10 : 0) + next() * 8).toFixed(3);
    const churned = next() * 72 > t + (plan === 'pro' ? 10 : 0) ? 'yes' : 'no';
    const v = Number(visits);
    const segment = v < 7 ? 'low' : v < 13 ? (next() < 0.8 ? 'mid' : 'low') : 'high';
    lines.push([i, age, tenure, plan, visits, spend, churned, segment].join(','));
  }
  return `${lines.join('\n')}\n`;
}

const base = { handleInvalid: 'error' as const, grid: [], tuning: { kind: 'trainValidationSplit' as const, trainRatio: 0.75 }, testFraction: 0, seed: 7 };

const cleaning = {
  version: PIPELINE_VERSION,
  steps: [
    { op: 'filter' as const, condition: 'age >= 18' },
    { op: 'cast' as const, column: 'age', dataType: 'double' },
    { op: 'withColumn' as const, column: 'tenure_years', expr: 'tenure / 12' },
    { op: 'imputer' as const, inputCols: ['tenure_years'], outputCols: ['tenure_years_f'], strategy: 'median' as const },
    { op: 'stringIndexer' as const, inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc' as const, handleInvalid: 'error' as const },
    { op: 'oneHotEncoder' as const, inputCols: ['plan_idx'], outputCols: ['plan_vec'], dropLast: true, handleInvalid: 'error' as const },
    { op: 'drop' as const, columns: ['tenure'] },
  ],
};

const imputed = {
  version: PIPELINE_VERSION,
  steps: [{ op: 'imputer' as const, inputCols: ['tenure'], outputCols: ['tenure_f'], strategy: 'mean' as const }],
};

/** A select that keeps, renames and drops columns (the rest of the row is dropped), then the indexed plan. */
const selected = {
  version: PIPELINE_VERSION,
  steps: [
    { op: 'select' as const, columns: [{ name: 'age' }, { name: 'tenure', alias: 'months' }, { name: 'plan' }, { name: 'spend' }] },
    { op: 'imputer' as const, inputCols: ['months'], outputCols: ['months_f'], strategy: 'median' as const },
    { op: 'stringIndexer' as const, inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'alphabetAsc' as const, handleInvalid: 'keep' as const },
  ],
};

/** dropna on a subset and fillna, as Spark's `df.na` does them (NaN is missing too). */
const filled = {
  version: PIPELINE_VERSION,
  steps: [
    { op: 'dropna' as const, how: 'any' as const, subset: ['age', 'visits'] },
    { op: 'fillna' as const, values: { tenure: 36 } },
    ...imputed.steps,
  ],
};

const indexed = {
  version: PIPELINE_VERSION,
  steps: [
    ...imputed.steps,
    { op: 'stringIndexer' as const, inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc' as const, handleInvalid: 'keep' as const },
  ],
};

/**
 * The steps that remove rows by looking at many columns: dropna without a subset (after a
 * fill of a column nothing else reads, a string), and dropDuplicates on a key and on the
 * whole row (after OneHotEncoder: its vector stands for two of Brasa's columns in the
 * count of a dropna's thresh).
 */
const dropnaAll = {
  version: PIPELINE_VERSION,
  steps: [{ op: 'fillna' as const, values: { segment: 'unknown' } }, { op: 'dropna' as const, how: 'any' as const }, ...imputed.steps],
};
/**
 * Fills of withColumn results, whose types the recorded step columns give: a double, and
 * an int (the fill 2.7 is cast to 2, in Brasa and in Spark).
 */
const fillMade = {
  version: PIPELINE_VERSION,
  steps: [
    { op: 'withColumn' as const, column: 'visits2', expr: 'visits * 2' },
    { op: 'withColumn' as const, column: 'band', expr: 'CASE WHEN visits > 15 THEN NULL ELSE age + 1 END' },
    { op: 'fillna' as const, values: { visits2: 0, band: 2.7 } },
    ...imputed.steps,
  ],
};
const dedupeKey = { version: PIPELINE_VERSION, steps: [{ op: 'dropDuplicates' as const, subset: ['plan', 'AGE'] }, ...imputed.steps] };
/** After `cleaning`, Brasa's table has 12 columns; a row may miss one of them. */
const dedupeRows = { version: PIPELINE_VERSION, steps: [...cleaning.steps, { op: 'dropna' as const, how: 'any' as const, thresh: 11 }, { op: 'dropDuplicates' as const }] };

const SPECS: Record<string, TrainSpec> = {
  linear: {
    ...base,
    estimator: 'linearRegression',
    params: { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.05, elasticNetParam: 0.5 },
    features: ['age', 'tenure_years_f', 'plan_vec_basic', 'plan_vec_plus'],
    label: 'spend',
    scaler: { withMean: true, withStd: true },
    pipeline: cleaning,
  },
  binary: {
    ...base,
    estimator: 'logisticRegression',
    params: { ...LOGISTIC_REGRESSION_DEFAULTS, regParam: 0.01, threshold: 0.4 },
    features: ['age', 'tenure_f', 'visits'],
    label: 'churned',
    labelIndexer: { stringOrderType: 'frequencyDesc' },
    scaler: null,
    pipeline: filled,
  },
  multinomial: {
    ...base,
    estimator: 'logisticRegression',
    params: { ...LOGISTIC_REGRESSION_DEFAULTS, regParam: 0.001, family: 'multinomial' },
    features: ['visits', 'age'],
    label: 'segment',
    labelIndexer: { stringOrderType: 'alphabetAsc' },
    scaler: { withMean: false, withStd: true },
  },
  kmeans: {
    ...base,
    estimator: 'kMeans',
    params: { ...KMEANS_DEFAULTS, k: 3 },
    features: ['age', 'visits', 'tenure_f'],
    label: null,
    scaler: { withMean: true, withStd: true },
    pipeline: imputed,
  },
  decisionTree: {
    ...base,
    estimator: 'decisionTreeClassifier',
    params: { ...DECISION_TREE_CLASSIFIER_DEFAULTS, maxDepth: 4, thresholds: [0.7, 0.3] },
    // plan_idx is categorical (StringIndexer's metadata): the tree splits on category sets.
    features: ['age', 'tenure_f', 'plan_idx'],
    label: 'churned',
    labelIndexer: { stringOrderType: 'frequencyDesc' },
    scaler: null,
    pipeline: indexed,
  },
  treeRegressor: {
    ...base,
    estimator: 'decisionTreeRegressor',
    params: { ...DECISION_TREE_REGRESSOR_DEFAULTS, maxDepth: 4 },
    features: ['age', 'months_f', 'plan_idx'],
    label: 'spend',
    scaler: null,
    pipeline: selected,
  },
  forestRegressor: {
    ...base,
    estimator: 'randomForestRegressor',
    params: { ...RANDOM_FOREST_REGRESSOR_DEFAULTS, numTrees: 5, maxDepth: 4 },
    features: ['age', 'tenure_f', 'plan_idx', 'visits'],
    label: 'spend',
    scaler: null,
    pipeline: indexed,
  },
  forestClassifier: {
    ...base,
    estimator: 'randomForestClassifier',
    params: { ...RANDOM_FOREST_CLASSIFIER_DEFAULTS, numTrees: 5, maxDepth: 4, thresholds: [0.5, 0.3, 0.2] },
    features: ['visits', 'age'],
    label: 'segment',
    labelIndexer: { stringOrderType: 'frequencyDesc' },
    scaler: null,
  },
  gbtClassifier: {
    ...base,
    estimator: 'gbtClassifier',
    params: { ...GBT_CLASSIFIER_DEFAULTS, maxIter: 5, maxDepth: 3, thresholds: [0.6, 0.4] },
    features: ['age', 'tenure_f', 'plan_idx'],
    label: 'churned',
    labelIndexer: { stringOrderType: 'frequencyDesc' },
    scaler: null,
    pipeline: indexed,
  },
  dropnaAll: {
    ...base,
    estimator: 'logisticRegression',
    params: { ...LOGISTIC_REGRESSION_DEFAULTS, regParam: 0.01 },
    features: ['age', 'tenure_f', 'visits'],
    label: 'churned',
    labelIndexer: { stringOrderType: 'frequencyDesc' },
    scaler: null,
    pipeline: dropnaAll,
  },
  dedupeKey: {
    ...base,
    estimator: 'linearRegression',
    params: { ...LINEAR_REGRESSION_DEFAULTS },
    features: ['age', 'tenure_f'],
    label: 'spend',
    scaler: null,
    pipeline: dedupeKey,
  },
  dedupeRows: {
    ...base,
    estimator: 'linearRegression',
    params: { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.05 },
    features: ['age', 'tenure_years_f', 'plan_vec_basic', 'plan_vec_plus'],
    label: 'spend',
    scaler: null,
    pipeline: dedupeRows,
  },
  fillMade: {
    ...base,
    estimator: 'linearRegression',
    params: { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.01 },
    features: ['visits2', 'band', 'tenure_f'],
    label: 'spend',
    scaler: null,
    pipeline: fillMade,
  },
  gbtRegressor: {
    ...base,
    estimator: 'gbtRegressor',
    params: { ...GBT_REGRESSOR_DEFAULTS, maxIter: 5, maxDepth: 3 },
    features: ['age', 'tenure_f', 'plan_idx'],
    label: 'spend',
    scaler: null,
    pipeline: indexed,
  },
};

interface Exported {
  model: LoggedModel;
  /** What the run logged: model.json, pipeline.json, input_example.json. */
  artifacts: Record<string, unknown>;
  dir: string;
  /** The columns the exported model reads (its signature). */
  inputs: SchemaColumn[];
  /** The file scored. */
  csv: string;
  /** Brasa's Predict on the scoring rows: `prediction`, `predictedLabel` and the row's key (`SCORED`) per row. */
  brasa: { prediction: number | null; label: string | null; key: string }[];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-mlflow-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const trainCsv = path.join(dir, 'train.csv');
const scoreCsv = path.join(dir, 'score.csv');
writeFileSync(trainCsv, customersCsv(400, 1));
writeFileSync(scoreCsv, customersCsv(60, 2));
const messyCsv = path.join(dir, 'messy.csv');
writeFileSync(messyCsv, withDuplicatesAndBlanks(customersCsv(80, 3)));

/**
 * Rows to score with dropna and dropDuplicates: some visits and segments blank, and
 * every sixth row again (the whole row) further down. Rows sharing a plan and an age
 * but not the rest are there already (80 rows, 60 ages, 3 plans).
 */
function withDuplicatesAndBlanks(csv: string): string {
  const [header, ...rows] = csv.trim().split('\n');
  const names = header.split(',');
  const blank = (row: string, column: string) => row.split(',').map((v, i) => (names[i] === column ? '' : v)).join(',');
  const blanked = rows.map((r, i) => (i % 9 === 4 ? blank(r, 'visits') : i % 5 === 2 ? blank(r, 'segment') : r));
  const again = blanked.filter((_, i) => i % 6 === 1);
  return `${[header, ...blanked.slice(0, 40), ...again, ...blanked.slice(40)].join('\n')}\n`;
}

/** The models that score messy.csv, and the columns that name their rows (to compare the rows kept with Spark's), if any. */
const SCORED: Record<string, { csv: string; keys: string[] }> = {
  dropnaAll: { csv: messyCsv, keys: ['id'] },
  dedupeKey: { csv: messyCsv, keys: ['plan', 'age'] },
  dedupeRows: { csv: messyCsv, keys: ['id'] },
  // Rows with blank visits: the fills matter (no row is removed, so no key to compare).
  fillMade: { csv: messyCsv, keys: [] },
};

/** The example the recorder logs: the first training rows, the columns the exported model reads. */
function inputExample(columns: SchemaColumn[], csv: string): InputExample {
  const rows = parseCsv(readFileSync(csv, 'utf8')).slice(0, 3);
  const numeric = new Set(columns.filter((c) => c.type !== 'string').map((c) => c.name));
  return { columns: columns.map((c) => c.name), data: rows.map((r) => columns.map(({ name: c }) => (r[c] === '' ? null : numeric.has(c) ? Number(r[c]) : r[c]))) };
}

/**
 * A model trained on train.csv, logged and exported as the page does, and Predict's rows
 * for its scoring file. `recorded` false logs it as Brasa did before it recorded the
 * columns each step makes.
 */
async function exportModel(name: string, spec: TrainSpec, recorded = true): Promise<Exported> {
  const { csv, keys } = SCORED[name] ?? { csv: scoreCsv, keys: [] };
  const { result, columns, steps } = trainNative(trainCsv, spec);
  const schema = columns.map((c) => ({ name: c.name, type: c.dataType }));
  const inputSchema = requiredColumns(schema, result.features, spec.pipeline).map(({ name, type }) => ({ name, type }));
  const stepColumns = steps.map((s) => s.map((c) => ({ name: c.name, type: c.dataType })));
  const model = loggedModel({ ...result, elapsedMs: 0 }, spec, inputSchema, recorded ? stepColumns : undefined);
  const inputs = exportedInputs(inputSchema, result.features, spec.pipeline, schema);
  const example = inputExample(inputs, trainCsv);
  const files = await mlflowModelFiles(
    { model, pipeline: result.pipeline, tableSchema: schema, inputExample: example, runId: `run${name}`, timestamp: 1_790_000_000_000 },
    stageDataNative,
  );
  const out = path.join(dir, name);
  for (const [file, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    writeFileSync(path.join(out, file), bytes);
  }
  const scored = parseCsv(predictNative(csv, scoringOf(model, result.pipeline ?? undefined)));
  return {
    model,
    artifacts: { [MODEL_ARTIFACT]: model, [PIPELINE_ARTIFACT]: result.pipeline, [INPUT_EXAMPLE_ARTIFACT]: example },
    dir: out,
    inputs,
    csv,
    brasa: scored.map((r) => ({ prediction: r.prediction === '' ? null : Number(r.prediction), label: r.predictedLabel ?? null, key: keys.map((k) => r[k]).join('|') })),
  };
}


/**
 * The mlruns/ export of a run that logged `linear`'s model, registered as spend@champion
 * (the fixtures' registry): the run's `artifacts/model/` is an MLflow model.
 */
async function exportRegistry(linear: Exported): Promise<{ root: string; modelDir: string }> {
  const snapshot = recordedSnapshot();
  const parent = snapshot.runs[0];
  for (const [file, value] of Object.entries(linear.artifacts)) {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    snapshot.artifacts.push({ runId: parent.runId, path: file, mimeType: 'application/json', bytes });
    parent.artifacts.push({ path: file, size: bytes.length, mimeType: 'application/json' });
  }
  const errors: string[] = [];
  const files = await mlrunsFiles(snapshot, { writeData: stageDataNative, onModelError: (run, e) => errors.push(`${run.runName}: ${e.message}`) });
  assert.deepEqual(errors, []);
  const root = path.join(dir, 'registry');
  for (const [file, bytes] of Object.entries(files)) {
    if (file.endsWith('/')) {
      mkdirSync(path.join(root, file), { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), bytes);
  }
  const modelDir = path.join(root, 'mlruns', parent.experimentId, parent.runId, 'artifacts', 'model');
  assert.ok(files[`mlruns/${parent.experimentId}/${parent.runId}/artifacts/model/MLmodel`], 'the run\'s model has an MLmodel');
  return { root, modelDir };
}

/** Where Spark saves a model with a cleaning pipeline again, for the import to read back. */
const resaved = (name: string) => (SPECS[name].pipeline?.steps.length ? path.join(dir, `${name}-resaved`) : undefined);

/** A PipelineModel folder's metadata lines and Parquet parts, as the page reads a zip of it (`unzipModel`). */
function folderFiles(root: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /^part-/.test(entry.name)) files.set(path.relative(root, path.join(entry.parentPath, entry.name)), readFileSync(path.join(entry.parentPath, entry.name)));
  }
  return files;
}

describe('MLflow models with the spark flavor', () => {
  const exported: Record<string, Exported> = {};
  let seen: any;

  before(async () => {
    for (const [name, spec] of Object.entries(SPECS)) exported[name] = await exportModel(name, spec);
    const registry = await exportRegistry(exported.linear);
    seen = checkMlflowModels(path.join(dir, 'manifest.json'), [
      ...Object.entries(exported).map(([name, e]) => ({ name, path: e.dir, csv: e.csv, keys: SCORED[name]?.keys, resave: resaved(name) })),
      // Served as a user serves a registered model: `-m models:/spend@champion` from the export.
      { name: 'registry', path: registry.modelDir, csv: scoreCsv, uri: 'models:/spend@champion', root: registry.root, serve: true },
    ]);
  });

  it('pins the MLflow and PySpark the tests load them with', () => {
    const pins = readFileSync(path.resolve(import.meta.dirname, '../tracking/requirements.txt'), 'utf8');
    assert.match(pins, new RegExp(`^mlflow==${MLFLOW_VERSION.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(pins, new RegExp(`^pyspark==${PYSPARK_VERSION.replaceAll('.', '\\.')}$`, 'm'));
    assert.equal(seen.mlflow, MLFLOW_VERSION);
  });

  for (const name of Object.keys(SPECS)) {
    it(`${name}: pyfunc and PipelineModel.load predict what Predict gives`, () => {
      const e = exported[name];
      const got = seen.models[name];
      assert.deepEqual(got.flavors, ['python_function', 'spark']);
      assert.equal(got.sparkClass, 'pyspark.ml.pipeline.PipelineModel');
      assert.deepEqual(got.signatureInputs, e.inputs.map((c) => c.name));
      const expected = e.brasa.map((r) => r.prediction);
      // Rows were scored (the filter drops the under-18s), and not all alike.
      assert.ok(expected.length >= 40 && new Set(expected).size > 1, `${name}: ${expected.length} rows`);
      assertClose(got.pyfunc, expected, `${name} pyfunc`);
      assertClose(got.spark, expected, `${name} PipelineModel`);
      if (e.model.labels.length > 0) assert.deepEqual(got.predictedLabel, e.brasa.map((r) => r.label));
      if (SCORED[name]?.keys.length) assert.deepEqual(got.keys, e.brasa.map((r) => r.key), `${name}: the rows kept, in order`);
    });
  }

  it('dropna without a subset and dropDuplicates removed rows, as Predict did', () => {
    const rows = parseCsv(readFileSync(messyCsv, 'utf8')).length;
    for (const name of ['dropnaAll', 'dedupeKey', 'dedupeRows']) assert.ok(exported[name].brasa.length < rows, `${name}: ${exported[name].brasa.length} of ${rows} rows`);
    // The whole-row duplicates (same id) are gone; rows sharing a plan and an age with another kept only the first.
    const ids = exported.dedupeRows.brasa.map((r) => r.key);
    assert.equal(new Set(ids).size, ids.length);
    const keys = exported.dedupeKey.brasa.map((r) => r.key);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(keys.length < new Set(parseCsv(readFileSync(messyCsv, 'utf8')).map((r) => r.id)).size, 'some plan and age pairs repeat with other rows');
  });

  it('saved again by PySpark, they import back: the same cleaning steps, and Predict gives the same rows and predictions', async () => {
    const dataFrameOps = new Set(['filter', 'withColumn', 'cast', 'drop', 'select', 'dropna', 'fillna', 'dropDuplicates']);
    const names = Object.keys(SPECS).filter((name) => resaved(name));
    assert.ok(names.length >= 6, names.join());
    for (const name of names) {
      const e = exported[name];
      const imported = await importSparkPipeline(folderFiles(resaved(name) as string), readStageDataNative);
      const steps = (e.artifacts[PIPELINE_ARTIFACT] as PipelineSpec).steps;
      // Column names come back as the table spells them (dedupeKey's subset names `AGE`).
      const spelled = (list: Step[] = []) => list.filter((s) => dataFrameOps.has(s.op)).map((s) => JSON.parse(JSON.stringify(s).toLowerCase()) as unknown);
      assert.deepEqual(spelled(imported.pipeline?.steps), spelled(steps), `${name}: the DataFrame steps`);
      const scored = parseCsv(predictNative(e.csv, scoringOf(imported.model, imported.pipeline ?? undefined)));
      assertClose(scored.map((r) => Number(r.prediction)), e.brasa.map((r) => r.prediction), `${name} imported`);
      const keys = SCORED[name]?.keys ?? [];
      assert.deepEqual(scored.map((r) => keys.map((k) => r[k]).join('|')), e.brasa.map((r) => r.key), `${name}: the rows kept`);
    }
  });

  it('the mlruns/ export: models:/spend@champion loads with pyfunc and with PipelineModel.load and predicts the same', () => {
    const expected = exported.linear.brasa.map((r) => r.prediction);
    assertClose(seen.models.registry.byUri, expected, 'models:/spend@champion');
    assertClose(seen.models.registry.sparkByUri, expected, 'PipelineModel.load of models:/spend@champion');
    assertClose(seen.models.registry.pyfunc, expected, 'the run\'s model directory');
  });

  it('mlflow models serve -m models:/spend@champion --env-manager local answers /invocations with the same predictions', () => {
    console.log(`# waited ${seen.models.registry.serveWaitSeconds} s for the server after the other checks`);
    assertClose(seen.models.registry.served, exported.linear.brasa.map((r) => r.prediction), 'served');
  });

  it('writes every stage of the pipeline, in order', () => {
    assert.deepEqual(seen.models.linear.stages, [
      'SQLTransformer', 'SQLTransformer', 'SQLTransformer', 'ImputerModel', 'StringIndexerModel', 'OneHotEncoderModel', 'SQLTransformer',
      'VectorAssembler', 'StandardScalerModel', 'LinearRegressionModel',
    ]);
    assert.deepEqual(seen.models.binary.stages, ['SQLTransformer', 'SQLTransformer', 'ImputerModel', 'VectorAssembler', 'LogisticRegressionModel', 'IndexToString']);
    assert.deepEqual(seen.models.kmeans.stages, ['ImputerModel', 'VectorAssembler', 'StandardScalerModel', 'KMeansModel']);
    assert.deepEqual(seen.models.gbtClassifier.stages, ['ImputerModel', 'StringIndexerModel', 'VectorAssembler', 'GBTClassificationModel', 'IndexToString']);
    assert.deepEqual(seen.models.treeRegressor.stages, ['SQLTransformer', 'ImputerModel', 'StringIndexerModel', 'VectorAssembler', 'DecisionTreeRegressionModel']);
    assert.deepEqual(seen.models.forestRegressor.stages, ['ImputerModel', 'StringIndexerModel', 'VectorAssembler', 'RandomForestRegressionModel']);
    assert.deepEqual(seen.models.dedupeKey.stages, ['SQLTransformer', 'ImputerModel', 'VectorAssembler', 'LinearRegressionModel']);
  });
});

describe('models Spark ML cannot express', () => {
  it('a fill of a withColumn result in a model logged without the steps\' columns is refused with MODEL_EXPORT, naming the step', async () => {
    await assert.rejects(exportModel('fillMade', SPECS.fillMade, false), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'MODEL_EXPORT');
      assert.match(error.message, /step 3 of the cleaning pipeline \(fillna\) fills (band|visits2), made by withColumn, whose type the run did not record/);
      return true;
    });
  });
});
