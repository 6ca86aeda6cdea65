/**
 * PipelineModels saved by PySpark 4 (tests/fixtures/sparkml/make_import_fixtures.py:
 * Imputer, StringIndexer with keep, OneHotEncoder, VectorAssembler, StandardScaler, the
 * label's StringIndexer and IndexToString around LogisticRegression — binary, and
 * multinomial with L1, whose coefficients Spark stores as a sparse matrix —,
 * LinearRegression, DecisionTreeRegressor, KMeans, RandomForestClassifier and
 * GBTClassifier), imported as the page imports a zip, then scored by the engine as
 * Predict scores: the predictions, predicted labels and probabilities are Spark's
 * (≤ 1e-9 relative). A model Brasa exported as an MLflow model imports back and predicts
 * the same (its filter and new column come back from their SQLTransformers). A stage
 * Brasa does not import is named in a MODEL_IMPORT error.
 * The engine runs natively (tests/tracking/engine.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { unzipSync } from 'fflate';

import { LINEAR_REGRESSION_DEFAULTS, PIPELINE_VERSION } from '../../www/src/contract';
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

  it("Brasa's own MLflow model imports back and predicts the same", async () => {
    const spec: TrainSpec = {
      handleInvalid: 'error',
      grid: [],
      tuning: { kind: 'trainValidationSplit', trainRatio: 0.75 },
      testFraction: 0,
      seed: 7,
      estimator: 'linearRegression',
      params: { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.05 },
      features: ['age', 'visits2', 'tenure_f', 'plan_vec_basic', 'plan_vec_plus'],
      label: 'spend',
      scaler: { withMean: true, withStd: true },
      pipeline: {
        version: PIPELINE_VERSION,
        steps: [
          { op: 'filter', condition: 'age >= 20' },
          { op: 'withColumn', column: 'visits2', expr: 'visits * 2' },
          { op: 'imputer', inputCols: ['tenure'], outputCols: ['tenure_f'], strategy: 'median' },
          { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc', handleInvalid: 'error' },
          { op: 'oneHotEncoder', inputCols: ['plan_idx'], outputCols: ['plan_vec'], dropLast: true, handleInvalid: 'error' },
        ],
      },
    };
    const { result, columns } = trainNative(ROWS, spec);
    const schema = columns.map((c) => ({ name: c.name, type: c.dataType }));
    const model = loggedModel({ ...result, elapsedMs: 0 }, spec, requiredColumns(schema, result.features, spec.pipeline).map(({ name, type }) => ({ name, type })));
    const files = await mlflowModelFiles({ model, pipeline: result.pipeline, tableSchema: schema, inputExample: null, runId: 'r1', timestamp: 1_790_000_000_000 }, stageDataNative);
    const imported = await importSparkPipeline(new Map(Object.entries(files).map(([p, b]) => [`spend-v1/${p}`, b])), readStageDataNative);
    assert.deepEqual(imported.model.features, model.features);
    assert.deepEqual(imported.pipeline?.steps.map((s) => s.op), ['filter', 'withColumn', 'imputer', 'stringIndexer', 'oneHotEncoder']);
    const before = parseCsv(predictNative(ROWS, scoringOf(model, result.pipeline ?? undefined)));
    const after = parseCsv(predictNative(ROWS, scoringOf(imported.model, imported.pipeline ?? undefined)));
    assert.ok(before.length > 0 && before.length < 240, 'the filter removed rows');
    assert.deepEqual(after.map((r) => r.id), before.map((r) => r.id));
    assertClose(after.map((r) => Number(r.prediction)), before.map((r) => Number(r.prediction)), 'round trip');
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
