/**
 * PipelineModels saved by PySpark 4 (tests/fixtures/sparkml/make_import_fixtures.py:
 * Imputer, StringIndexer with keep, OneHotEncoder, VectorAssembler, StandardScaler, the
 * label's StringIndexer and IndexToString around LogisticRegression — binary, and
 * multinomial with L1, whose coefficients Spark stores as a sparse matrix —,
 * LinearRegression, DecisionTreeRegressor, KMeans, RandomForestClassifier and
 * GBTClassifier), imported as the page imports a zip, then scored by the engine as
 * Predict scores: the predictions, predicted labels and probabilities are Spark's
 * (≤ 1e-9 relative). A stage Brasa does not import is named in a MODEL_IMPORT error.
 * The engine runs natively (tests/tracking/engine.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { unzipSync } from 'fflate';

import { scoringOf } from '../../www/src/tracking/shared/logged-model';
import { importSparkPipeline } from '../../www/src/tracking/shared/spark-import';
import { predictNative, readStageDataNative } from '../tracking/engine';

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

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trim().split('\n');
  const names = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], v])));
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${what}: row ${i}: ${a} vs Spark's ${e}`);
  });
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
