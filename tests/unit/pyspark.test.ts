/**
 * The exported PySpark job: every cleaning step becomes DataFrame / pyspark.ml code that
 * Python compiles, and the tuning is written with Spark's names. (The e2e tracking test
 * runs an exported job with PySpark on the sample data.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { PIPELINE_VERSION, type Step } from '../../www/src/clean/shared/pipeline';
import { pysparkScript, sparkFeatures, stepCode } from '../../www/src/tracking/shared/pyspark';
import { spec } from './fixtures';
import { PYTHON } from '../tracking/mlflow';

describe('PySpark export', () => {
  const job = {
    table: 'telecom',
    spec: {
      ...spec,
      scaler: { withMean: true, withStd: true },
      testFraction: 0.2,
      pipeline: {
        version: PIPELINE_VERSION,
        steps: [
          { op: 'filter', condition: "region != 'x' AND age > 18" },
          { op: 'drop', columns: ['last_active'] },
          { op: 'dropna', how: 'any', subset: ['income'] },
          { op: 'fillna', values: { data_gb: 0, plan: 'basic' } },
          { op: 'imputer', inputCols: ['age'], outputCols: ['age_imp'], strategy: 'median' },
          { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc', handleInvalid: 'keep' },
          { op: 'oneHotEncoder', inputCols: ['plan_idx'], outputCols: ['plan_vec'], dropLast: true, handleInvalid: 'error' },
          { op: 'cast', column: 'tenure_months', dataType: 'double' },
          { op: 'withColumn', column: 'spend2', expr: 'monthly_spend * 2' },
          { op: 'select', columns: [{ name: 'age_imp', alias: 'age' }, { name: 'tenure_months' }, { name: 'data_gb' }, { name: 'monthly_spend' }] },
          { op: 'dropDuplicates' },
          { op: 'repartition', numPartitions: 4 },
          { op: 'cache' },
        ],
      },
    },
  } as const;

  it('writes each step as Spark would', () => {
    assert.equal(stepCode({ op: 'filter', condition: "a > 1 and b = 'it''s'" }), `df = df.filter("a > 1 and b = 'it''s'")`);
    assert.equal(stepCode({ op: 'imputer', inputCols: ['a'], outputCols: ['a_out'], strategy: 'mean', missingValue: 0 }),
      'df = Imputer(inputCols=["a"], outputCols=["a_out"], strategy="mean", missingValue=0.0).fit(df).transform(df)');
    assert.equal(stepCode({ op: 'dropna', how: 'all', thresh: 2 }), 'df = df.dropna(how="all", thresh=2)');
  });

  it('assembles one-hot slots as the vector Spark makes', () => {
    const steps: Step[] = [
      { op: 'oneHotEncoder', inputCols: ['plan_index'], outputCols: ['plan_vec'], dropLast: true, handleInvalid: 'error' },
    ];
    assert.deepEqual(sparkFeatures(['age', 'plan_vec_basic', 'plan_vec_pro', 'income'], steps), ['age', 'plan_vec', 'income']);
    assert.deepEqual(sparkFeatures(['age'], []), ['age']);
  });

  it('is a Python program with the same grid, folds, seed and metric', () => {
    const script = pysparkScript(job as never, { dataPath: 'telecom.csv', runId: 'f'.repeat(32) });
    assert.match(script, /\.addGrid\(lr\.regParam, \[0\.0, 0\.1\]\)\n\s+\.addGrid\(lr\.elasticNetParam, \[0\.0, 1\.0\]\)/);
    assert.match(script, /CrossValidator\(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, numFolds=3, seed=42/);
    assert.match(script, /metricName="rmse"/);
    assert.match(script, /StandardScaler\(inputCol="features", outputCol="scaledFeatures", withMean=True, withStd=True\)/);
    assert.match(script, /randomSplit\(\[0\.8, 0\.2\], seed=42\)/);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'brasa-pyspark-')), 'job.py');
    writeFileSync(file, script);
    execFileSync(PYTHON, ['-m', 'py_compile', file]);
  });
});
