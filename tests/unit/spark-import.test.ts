/**
 * PipelineModels saved by PySpark 4 (tests/fixtures/sparkml/make_import_fixtures.py:
 * Imputer, StringIndexer with keep, OneHotEncoder, VectorAssembler, StandardScaler, the
 * label's StringIndexer and IndexToString around LogisticRegression — binary, and
 * multinomial with L1, whose coefficients Spark stores as a sparse matrix —,
 * LinearRegression, DecisionTreeRegressor, KMeans, RandomForestClassifier and
 * GBTClassifier), imported as the page imports a zip, then scored by the engine as
 * Predict scores: the predictions, predicted labels and probabilities are Spark's
 * (≤ 1e-9 relative). A model Brasa exported as an MLflow model imports back and predicts
 * the same: its DataFrame steps (filter, withColumn, cast, drop, select, dropna, fillna,
 * dropDuplicates) come back from their SQLTransformers as the steps they were. A stage
 * Brasa does not import is named in a MODEL_IMPORT error.
 * The engine runs natively (tests/tracking/engine.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { unzipSync } from 'fflate';

import { LINEAR_REGRESSION_DEFAULTS, PIPELINE_VERSION, type Step } from '../../www/src/contract';
import type { TrainSpec } from '../../www/src/ml/shared/training';
import { loggedModel, scoringOf } from '../../www/src/tracking/shared/logged-model';
import { mlflowModelFiles } from '../../www/src/tracking/shared/mlflow-model';
import { requiredColumns } from '../../www/src/tracking/shared/schema-check';
import { importSparkPipeline } from '../../www/src/tracking/shared/spark-import';
import { predictNative, readStageDataNative, stageDataNative, trainNative } from '../tracking/engine';
import { assertClose, parseCsv } from '../tracking/scored';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/sparkml/import');
const ROWS = path.join(FIXTURES, 'rows.csv');

interface Expected {
  prediction: number[];
  predictedLabel?: string[];
  probability?: number[][];
}
const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected>;

function zipFiles(name: string): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(readFileSync(path.join(FIXTURES, `${name}.zip`)))));
}



const MODELS: Record<string, { estimator: string; stages: number }> = {
  churn_logreg: { estimator: 'Pipeline(StandardScaler, LogisticRegression)', stages: 3 },
  segment_multinomial: { estimator: 'LogisticRegression', stages: 3 },
  spend_linear: { estimator: 'LinearRegression', stages: 3 },
  spend_tree: { estimator: 'DecisionTreeRegressor', stages: 3 },
  segments_kmeans: { estimator: 'Pipeline(StandardScaler, KMeans)', stages: 1 },
  churn_forest: { estimator: 'RandomForestClassifier', stages: 3 },
  churn_gbt: { estimator: 'GBTClassifier', stages: 3 },
};

describe('a PipelineModel saved by PySpark, imported and scored', () => {
  for (const [name, want] of Object.entries(MODELS)) {
    it(`${name}: Spark's predictions`, async () => {
      const imported = await importSparkPipeline(zipFiles(name), readStageDataNative);
      assert.equal(imported.model.estimator, want.estimator);
      assert.equal(imported.pipeline?.steps.length ?? 0, want.stages, 'fitted cleaning steps');
      assert.equal(imported.sparkVersion.split('.')[0], '4');
      const scored = parseCsv(predictNative(ROWS, scoringOf(imported.model, imported.pipeline ?? undefined)));
      const expected = EXPECTED[name];
      assertClose(scored.map((r) => Number(r.prediction)), expected.prediction, `${name} prediction`);
      if (expected.predictedLabel) {
        assert.deepEqual(scored.map((r) => r.predictedLabel), expected.predictedLabel, `${name} predictedLabel`);
      }
      if (expected.probability) {
        const labels = imported.model.labels.length ? imported.model.labels : expected.probability[0].map((_, c) => String(c));
        labels.forEach((label, c) => {
          assertClose(scored.map((r) => Number(r[`probability_${label}`])), expected.probability!.map((p) => p[c]), `${name} probability of ${label}`);
        });
      }
    });
  }

  it('the label is the indexed column, the classes its labels, the one-hot slots named by the plan labels', async () => {
    const { model } = await importSparkPipeline(zipFiles('churn_logreg'), readStageDataNative);
    assert.equal(model.label, 'churned');
    assert.deepEqual(model.labels, ['no', 'yes']);
    assert.equal(model.task, 'classification');
    assert.equal(model.handleInvalid, 'keep');
    assert.ok(model.features.slice(0, 3).join() === 'age,tenure_i,visits', model.features.join());
    assert.ok(model.features.slice(3).every((f) => f.startsWith('plan_vec_')), model.features.join());
    assert.deepEqual(model.inputSchema.map((c) => c.name).sort(), ['age', 'plan', 'tenure', 'visits']);
    assert.equal(model.bestParams.estimator, 'logisticRegression');
    assert.equal((model.bestParams.params as { regParam: number }).regParam, 0.01);
  });

  /**
   * Brasa's own MLflow models: every DataFrame step comes back from its SQLTransformer as
   * the step it was (repartition and cache, which change no row, have no stage), the
   * fitted ones from their stages, and Predict gives the same rows, columns and
   * predictions with the imported model as with the trained one.
   */
  const roundTrips: Record<string, { steps: Step[]; features: string[] }> = {
    'filter, withColumn, imputer, StringIndexer, OneHotEncoder': {
      steps: [
        { op: 'filter', condition: 'age >= 20' },
        { op: 'withColumn', column: 'visits2', expr: 'visits * 2' },
        { op: 'imputer', inputCols: ['tenure'], outputCols: ['tenure_f'], strategy: 'median' },
        { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc', handleInvalid: 'error' },
        { op: 'oneHotEncoder', inputCols: ['plan_idx'], outputCols: ['plan_vec'], dropLast: true, handleInvalid: 'error' },
      ],
      features: ['age', 'visits2', 'tenure_f', 'plan_vec_basic', 'plan_vec_plus'],
    },
    'withColumn replacing a column, cast, fillna, dropna on a subset, select, drop': {
      steps: [
        { op: 'withColumn', column: 'visits', expr: 'visits + 1' },
        { op: 'cast', column: 'age', dataType: 'double' },
        { op: 'dropna', how: 'any', subset: ['tenure', 'segment'] },
        { op: 'fillna', values: { tenure: 30, plan: 'basic' } },
        { op: 'repartition', numPartitions: 3 },
        { op: 'select', columns: [{ name: 'id' }, { name: 'age' }, { name: 'tenure', alias: 'tenure_f' }, { name: 'plan' }, { name: 'visits' }, { name: 'spend' }, { name: 'segment' }] },
        { op: 'drop', columns: ['segment', 'churned'] },
        { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'alphabetAsc', handleInvalid: 'keep' },
      ],
      features: ['age', 'visits', 'tenure_f', 'plan_idx'],
    },
    'dropna and dropDuplicates without a subset, dropDuplicates on a key': {
      steps: [
        { op: 'dropna', how: 'any', thresh: 7 },
        { op: 'dropDuplicates', subset: ['plan', 'age'] },
        { op: 'cache' },
        { op: 'dropDuplicates' },
        { op: 'imputer', inputCols: ['tenure'], outputCols: ['tenure_f'], strategy: 'mean' },
      ],
      features: ['age', 'visits', 'tenure_f'],
    },
  };

  /** LinearRegression of spend after `steps`. */
  const roundTripSpec = ({ steps, features }: { steps: Step[]; features: string[] }): TrainSpec => ({
    handleInvalid: 'error',
    grid: [],
    tuning: { kind: 'trainValidationSplit', trainRatio: 0.75 },
    testFraction: 0,
    seed: 7,
    estimator: 'linearRegression',
    params: { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.05 },
    features,
    label: 'spend',
    scaler: { withMean: true, withStd: true },
    pipeline: { version: PIPELINE_VERSION, steps },
  });

  /** The model trained on rows.csv, logged as the recorder logs it, and its MLflow model's files. */
  async function exported(spec: TrainSpec) {
    const { result, columns } = trainNative(ROWS, spec);
    const schema = columns.map((c) => ({ name: c.name, type: c.dataType }));
    const model = loggedModel({ ...result, elapsedMs: 0 }, spec, requiredColumns(schema, result.features, spec.pipeline).map(({ name, type }) => ({ name, type })));
    const files = await mlflowModelFiles({ model, pipeline: result.pipeline, tableSchema: schema, inputExample: null, runId: 'r1', timestamp: 1_790_000_000_000 }, stageDataNative);
    return { result, model, files };
  }

  for (const [name, { steps, features }] of Object.entries(roundTrips)) {
    it(`Brasa's own MLflow model imports back and predicts the same: ${name}`, async () => {
      const spec = roundTripSpec({ steps, features });
      const { result, model, files } = await exported(spec);
      const imported = await importSparkPipeline(new Map(Object.entries(files).map(([p, b]) => [`spend-v1/${p}`, b])), readStageDataNative);
      assert.deepEqual(imported.model.features, model.features);
      const kept = (result.pipeline?.steps ?? []).filter((s) => s.op !== 'repartition' && s.op !== 'cache');
      const fitted = new Set(['imputer', 'stringIndexer', 'oneHotEncoder']);
      assert.deepEqual(imported.pipeline?.steps.map((s) => s.op), kept.map((s) => s.op));
      assert.deepEqual(imported.pipeline?.steps.filter((s) => !fitted.has(s.op)), kept.filter((s) => !fitted.has(s.op)), 'the DataFrame steps');
      const before = predictNative(ROWS, scoringOf(model, result.pipeline ?? undefined));
      const after = predictNative(ROWS, scoringOf(imported.model, imported.pipeline ?? undefined));
      const rows = parseCsv(before);
      assert.ok(rows.length > 0 && rows.length < 240, `the steps removed rows: ${rows.length}`);
      assert.equal(after, before, 'the same rows, columns and predictions');
    });
  }

  it('a SQLTransformer statement Brasa does not write is named', async () => {
    const spec = roundTripSpec(roundTrips['filter, withColumn, imputer, StringIndexer, OneHotEncoder']);
    const { files } = await exported(spec);
    const edited = new Map(
      Object.entries(files).map(([p, b]) => {
        if (!/stages\/1_SQLTransformer[^/]*\/metadata\/part-00000$/.test(p)) return [p, b];
        const text = new TextDecoder().decode(b).replace(/"statement":"[^"]*"/, '"statement":"SELECT *, visits * 2 AS visits2 FROM __THIS__"');
        return [p, new TextEncoder().encode(text)];
      }),
    );
    await assert.rejects(importSparkPipeline(edited, readStageDataNative), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'MODEL_IMPORT');
      assert.match(error.message, /^Stage 2 of \d+ \(SQLTransformer\) runs the statement "SELECT \*, visits \* 2 AS visits2 FROM __THIS__", which Brasa cannot import/);
      return true;
    });
  });

  it('a stage Brasa does not import is named', async () => {
    await assert.rejects(importSparkPipeline(zipFiles('bucketized'), readStageDataNative), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'MODEL_IMPORT');
      assert.match(error.message, /^Stage 1 of 3 \(Bucketizer\) is not a stage Brasa can import/);
      return true;
    });
  });

  it('a zip missing a stage, or holding no PipelineModel, says so', async () => {
    const files = zipFiles('spend_linear');
    for (const key of [...files.keys()]) if (key.includes('_LinearRegression_')) files.delete(key);
    await assert.rejects(importSparkPipeline(files, readStageDataNative), /Stage 5 \(LinearRegression_[0-9a-f]+\) of the PipelineModel is missing/);
    const data = zipFiles('spend_linear');
    for (const key of [...data.keys()]) if (key.includes('_LinearRegression_') && key.includes('/data/')) data.delete(key);
    await assert.rejects(importSparkPipeline(data, readStageDataNative), /LinearRegressionModel has no data file/);
    await assert.rejects(importSparkPipeline(new Map([['notes.txt', new Uint8Array([104, 105])]]), readStageDataNative), /holds no Spark ML PipelineModel/);
  });
});
