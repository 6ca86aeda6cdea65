/**
 * Models exported as MLflow models with the `spark` flavor, loaded by the real MLflow and
 * PySpark (the venv from scripts/setup.sh) in one Python process: `get_model_info`,
 * `pyfunc.load_model(...).predict` and `PipelineModel.load(...).transform` predict what
 * Brasa's Predict gives for the same rows (≤ 1e-9 relative), for LinearRegression behind
 * a cleaning pipeline (filter, cast, withColumn, Imputer, StringIndexer, OneHotEncoder,
 * drop) and a StandardScaler, LogisticRegression (binary with a string label behind
 * dropna and fillna, and multinomial), KMeans, and the trees (DecisionTree, RandomForest and GBT, with a
 * categorical feature; the classifiers with Spark's `thresholds`). Models Spark's format cannot express are refused with
 * MODEL_EXPORT, naming the step. The engine runs natively (tests/tracking/engine.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  DECISION_TREE_CLASSIFIER_DEFAULTS,
  GBT_CLASSIFIER_DEFAULTS,
  GBT_REGRESSOR_DEFAULTS,
  KMEANS_DEFAULTS,
  LINEAR_REGRESSION_DEFAULTS,
  LOGISTIC_REGRESSION_DEFAULTS,
  PIPELINE_VERSION,
  RANDOM_FOREST_CLASSIFIER_DEFAULTS,
  RANDOM_FOREST_REGRESSOR_DEFAULTS,
} from '../../www/src/contract';
import type { TrainSpec } from '../../www/src/ml/shared/training';
import { type LoggedModel, loggedModel, scoringOf } from '../../www/src/tracking/shared/logged-model';
import { type InputExample, MLFLOW_VERSION, mlflowModelFiles, PYSPARK_VERSION } from '../../www/src/tracking/shared/mlflow-model';
import { mlrunsFiles } from '../../www/src/tracking/shared/mlruns';
import { INPUT_EXAMPLE_ARTIFACT, MODEL_ARTIFACT, PIPELINE_ARTIFACT } from '../../www/src/tracking/shared/model';
import { requiredColumns } from '../../www/src/tracking/shared/schema-check';
import { recordedSnapshot } from './fixtures';
import { predictNative, stageDataNative, trainNative } from '../tracking/engine';
import { assertClose, parseCsv } from '../tracking/scored';
import { PYTHON } from '../tracking/mlflow';

const CHECKER = path.resolve(import.meta.dirname, '../tracking/check_mlflow_models.py');
const QUIET_SPARK = '--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false --conf spark.sql.shuffle.partitions=4 pyspark-shell';

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
  /** Brasa's Predict on the scoring rows: `prediction` and `predictedLabel` per row. */
  brasa: { prediction: number | null; label: string | null }[];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-mlflow-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const trainCsv = path.join(dir, 'train.csv');
const scoreCsv = path.join(dir, 'score.csv');
writeFileSync(trainCsv, customersCsv(400, 1));
writeFileSync(scoreCsv, customersCsv(60, 2));


function inputExample(model: LoggedModel, csv: string): InputExample {
  const rows = parseCsv(readFileSync(csv, 'utf8')).slice(0, 3);
  const columns = model.inputSchema.map((c) => c.name);
  const numeric = new Set(model.inputSchema.filter((c) => c.type !== 'string').map((c) => c.name));
  return { columns, data: rows.map((r) => columns.map((c) => (r[c] === '' ? null : numeric.has(c) ? Number(r[c]) : r[c]))) };
}

async function exportModel(name: string, spec: TrainSpec): Promise<Exported> {
  const { result, columns } = trainNative(trainCsv, spec);
  const schema = columns.map((c) => ({ name: c.name, type: c.dataType, nullable: true }));
  const inputSchema = requiredColumns(schema, result.features, spec.pipeline).map(({ name, type }) => ({ name, type }));
  const model = loggedModel({ ...result, elapsedMs: 0 }, spec, inputSchema);
  const example = inputExample(model, trainCsv);
  const files = await mlflowModelFiles(
    { model, pipeline: result.pipeline, tableColumns: columns.map((c) => c.name), inputExample: example, runId: `run${name}`, timestamp: 1_790_000_000_000 },
    stageDataNative,
  );
  const out = path.join(dir, name);
  for (const [file, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    writeFileSync(path.join(out, file), bytes);
  }
  const scored = parseCsv(predictNative(scoreCsv, scoringOf(model, result.pipeline ?? undefined)));
  return {
    model,
    artifacts: { [MODEL_ARTIFACT]: model, [PIPELINE_ARTIFACT]: result.pipeline, [INPUT_EXAMPLE_ARTIFACT]: example },
    dir: out,
    brasa: scored.map((r) => ({ prediction: r.prediction === '' ? null : Number(r.prediction), label: r.predictedLabel ?? null })),
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

describe('MLflow models with the spark flavor', () => {
  const exported: Record<string, Exported> = {};
  let seen: any;

  before(async () => {
    for (const [name, spec] of Object.entries(SPECS)) exported[name] = await exportModel(name, spec);
    const registry = await exportRegistry(exported.linear);
    const manifest = path.join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({
      models: [
        ...Object.entries(exported).map(([name, e]) => ({ name, path: e.dir, csv: scoreCsv, serve: name === 'linear' })),
        { name: 'registry', path: registry.modelDir, csv: scoreCsv, uri: 'models:/spend@champion', root: registry.root },
      ],
    }));
    const env = { ...process.env, PYSPARK_SUBMIT_ARGS: process.env.PYSPARK_SUBMIT_ARGS ?? QUIET_SPARK };
    const started = Date.now();
    const output = execFileSync(PYTHON, [CHECKER, manifest], { encoding: 'utf8', env, timeout: 900_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`# MLflow + PySpark checks: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const line = output.split('\n').find((l) => l.startsWith('BRASA_MODELS '));
    assert.ok(line, `the checker printed no result:\n${output}`);
    seen = JSON.parse(line.slice('BRASA_MODELS '.length));
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
      assert.deepEqual(got.signatureInputs, e.model.inputSchema.map((c) => c.name));
      const expected = e.brasa.map((r) => r.prediction);
      // Rows were scored (the filter drops the under-18s), and not all alike.
      assert.ok(expected.length >= 40 && new Set(expected).size > 1, `${name}: ${expected.length} rows`);
      assertClose(got.pyfunc, expected, `${name} pyfunc`);
      assertClose(got.spark, expected, `${name} PipelineModel`);
      if (e.model.labels.length > 0) assert.deepEqual(got.predictedLabel, e.brasa.map((r) => r.label));
    });
  }

  it('the mlruns/ export: models:/spend@champion loads with pyfunc and predicts the same', () => {
    const expected = exported.linear.brasa.map((r) => r.prediction);
    assertClose(seen.models.registry.byUri, expected, 'models:/spend@champion');
    assertClose(seen.models.registry.pyfunc, expected, 'the run\'s model directory');
  });

  it('mlflow models serve --env-manager local answers /invocations with the same predictions', () => {
    console.log(`# waited ${seen.models.linear.serveWaitSeconds} s for the server after the other checks`);
    assertClose(seen.models.linear.served, exported.linear.brasa.map((r) => r.prediction), 'served');
  });

  it('writes every stage of the pipeline, in order', () => {
    assert.deepEqual(seen.models.linear.stages, [
      'SQLTransformer', 'SQLTransformer', 'SQLTransformer', 'ImputerModel', 'StringIndexerModel', 'OneHotEncoderModel', 'SQLTransformer',
      'VectorAssembler', 'StandardScalerModel', 'LinearRegressionModel',
    ]);
    assert.deepEqual(seen.models.binary.stages, ['SQLTransformer', 'SQLTransformer', 'ImputerModel', 'VectorAssembler', 'LogisticRegressionModel', 'IndexToString']);
    assert.deepEqual(seen.models.kmeans.stages, ['ImputerModel', 'VectorAssembler', 'StandardScalerModel', 'KMeansModel']);
    assert.deepEqual(seen.models.gbtClassifier.stages, ['ImputerModel', 'StringIndexerModel', 'VectorAssembler', 'GBTClassificationModel', 'IndexToString']);
    assert.deepEqual(seen.models.forestRegressor.stages, ['ImputerModel', 'StringIndexerModel', 'VectorAssembler', 'RandomForestRegressionModel']);
  });
});

describe('models Spark ML cannot express', () => {
  // dropna without a subset reads every column of the table, which a stage cannot list.
  const dropnaSpec: TrainSpec = { ...SPECS.binary, pipeline: { version: PIPELINE_VERSION, steps: [{ op: 'dropna', how: 'any' }, ...imputed.steps] } };
  const dedupeSpec: TrainSpec = { ...SPECS.linear, pipeline: { version: PIPELINE_VERSION, steps: [...cleaning.steps, { op: 'dropDuplicates' }] } };

  it('are refused with MODEL_EXPORT, naming the step', async () => {
    await assert.rejects(exportModel('dropna', dropnaSpec), (error: any) => {
      assert.equal(error.code, 'MODEL_EXPORT');
      assert.match(error.message, /step 1 of the cleaning pipeline \(dropna\)/);
      return true;
    });
    await assert.rejects(exportModel('dedupe', dedupeSpec), (error: any) => {
      assert.equal(error.code, 'MODEL_EXPORT');
      assert.match(error.message, /step 8 of the cleaning pipeline \(dropDuplicates\)/);
      return true;
    });
  });
});
