/**
 * The exported PySpark job, for every estimator: every cleaning step becomes DataFrame /
 * pyspark.ml code that Python compiles, the job is written with Spark's names (label
 * indexer, estimator, grid, evaluator, tuner), and the LogisticRegression, KMeans and
 * DecisionTreeClassifier jobs run in local mode (one JVM for all) and pick the best point
 * Brasa picked. (The e2e
 * tracking tests run exported jobs on the sample data.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { PIPELINE_VERSION, type Step } from '../../www/src/clean/shared/pipeline';
import { DECISION_TREE_CLASSIFIER_DEFAULTS, GBT_CLASSIFIER_DEFAULTS } from '../../www/src/contract';
import type { TrainSpec } from '../../www/src/ml/shared/training';
import { pysparkScript } from '../../www/src/tracking/shared/pyspark';
import { sparkFeatures, stepCode } from '../../www/src/tracking/shared/pyspark-steps';
import { readRecordedJob } from '../../www/src/tracking/shared/recorded-job';
import { PYTHON } from '../tracking/mlflow';
import { runPysparkJobs } from '../tracking/pyspark';
import { churnCsv, kmeansResult, kmeansSpec, legacyJob, logisticResult, logisticSpec, pointsCsv, spec } from './fixtures';

function compiles(script: string): void {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'brasa-pyspark-')), 'job.py');
  writeFileSync(file, script);
  execFileSync(PYTHON, ['-m', 'py_compile', file]);
}

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

  it('LinearRegression: a Python program with the same grid, folds, seed and metric', () => {
    const script = pysparkScript(job as never, { dataPath: 'telecom.csv', runId: 'f'.repeat(32) });
    assert.match(script, /\.addGrid\(lr\.regParam, \[0\.0, 0\.1\]\)\n\s+\.addGrid\(lr\.elasticNetParam, \[0\.0, 1\.0\]\)/);
    assert.match(script, /CrossValidator\(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, numFolds=3, seed=42/);
    assert.match(script, /RegressionEvaluator\(labelCol=label, predictionCol="prediction", metricName="rmse"\)/);
    assert.match(script, /StandardScaler\(inputCol="features", outputCol="scaledFeatures", withMean=True, withStd=True\)/);
    assert.match(script, /lr = LinearRegression\(featuresCol="scaledFeatures", labelCol=label, regParam=0\.0, elasticNetParam=0\.0, fitIntercept=True/);
    assert.match(script, /randomSplit\(\[0\.8, 0\.2\], seed=42\)/);
    assert.doesNotMatch(script, /StringIndexer\(inputCol=label/);
    compiles(script);
  });

  it('LogisticRegression: the label indexed, weights, the binary evaluator on rawPrediction', () => {
    const script = pysparkScript({ table: 'churn', spec: logisticSpec }, { dataPath: 'churn.csv' });
    assert.match(script, /df = df\.withColumn\(label, F\.col\(label\)\.cast\("string"\)\)/);
    assert.match(script, /label_indexer = StringIndexer\(inputCol=label, outputCol="label", stringOrderType="frequencyDesc", handleInvalid="skip"\)\.fit\(df\)/);
    assert.match(script, /IndexToString\(inputCol="prediction", outputCol="predictedLabel", labels=label_indexer\.labels\)/);
    assert.match(script, /logreg = LogisticRegression\(featuresCol="features", labelCol="label", weightCol=weight, regParam=0\.0, elasticNetParam=1\.0, fitIntercept=True, standardization=True, family="auto", threshold=0\.5, maxIter=100, tol=0\.000001\)/);
    assert.match(script, /\.addGrid\(logreg\.regParam, \[0\.0, 1\.0\]\)/);
    assert.match(script, /BinaryClassificationEvaluator\(labelCol="label", rawPredictionCol="rawPrediction", metricName="areaUnderROC", weightCol=weight\)/);
    assert.match(script, /df = df\.dropna\(subset=\["label", weight\] \+ features\)/);
    compiles(script);
    // Without a recorded metric, Spark's default for the classes is chosen when it runs.
    const byDefault = pysparkScript({ table: 'churn', spec: { ...logisticSpec, metric: null, labelIndexer: null } }, { dataPath: 'churn.csv' });
    assert.match(byDefault, /if num_classes == 2:\n\s+evaluator = BinaryClassificationEvaluator\(labelCol=label/);
    assert.match(byDefault, /num_classes = int\(df\.agg\(F\.max\(label\)\)\.first\(\)\[0\]\) \+ 1/);
    compiles(byDefault);
    // A run that logged the metric the engine chose gives it to the script.
    assert.match(pysparkScript({ table: 'churn', spec: { ...logisticSpec, metric: null } }, { dataPath: 'churn.csv', metric: 'f1' }),
      /evaluator = MulticlassClassificationEvaluator\(labelCol="label", predictionCol="prediction", metricName="f1", weightCol=weight\)/);
  });

  it('KMeans: its params, the silhouette of the scaled features with the matching distance', () => {
    const script = pysparkScript({ table: 'points', spec: kmeansSpec }, { dataPath: 'points.csv' });
    assert.match(script, /kmeans = KMeans\(featuresCol="scaledFeatures", k=2, initMode="k-means\|\|", initSteps=2, distanceMeasure="euclidean", maxIter=20, tol=0\.0001, seed=42\)/);
    assert.match(script, /\.addGrid\(kmeans\.k, \[2, 3, 5\]\)/);
    assert.match(script, /ClusteringEvaluator\(featuresCol="scaledFeatures", predictionCol="prediction", metricName="silhouette", distanceMeasure="squaredEuclidean"\)/);
    assert.match(script, /TrainValidationSplit\(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, trainRatio=0\.75, seed=7, parallelism=2\)/);
    assert.doesNotMatch(script, /labelCol|label_indexer/);
    compiles(script);
    const cosine = pysparkScript({ table: 'points', spec: { ...kmeansSpec, scaler: null, params: { ...kmeansSpec.params, distanceMeasure: 'cosine' } as never } }, { dataPath: 'p.csv' });
    assert.match(cosine, /ClusteringEvaluator\(featuresCol="features", predictionCol="prediction", metricName="silhouette", distanceMeasure="cosine"\)/);
  });

  it('reads a job recorded before estimators as LinearRegression', () => {
    const script = pysparkScript(readRecordedJob(legacyJob), { dataPath: 'telecom.csv' });
    assert.match(script, /lr = LinearRegression\(featuresCol="scaledFeatures", labelCol=label, regParam=0\.1/);
    compiles(script);
  });

  it('refits the estimators of the pipeline on each fold, as Brasa does: they are stages of the tuned Pipeline', () => {
    const script = pysparkScript(job as never, { dataPath: 'telecom.csv' });
    // The steps before the first estimator run once, as DataFrame calls.
    assert.match(script, /# Cleaning steps before the first estimator \(run once, on every row\)\ndf = df\.filter\("region != 'x' AND age > 18"\)\ndf = df\.drop\("last_active"\)/);
    assert.match(script, /cleaning = \[\n {4}Imputer\(inputCols=\["age"\], outputCols=\["age_imp"\], strategy="median"\),\n {4}StringIndexer\(inputCols=\["plan"\]/);
    assert.match(script, / {4}DataFrameStep\(lambda df: df\.withColumn\("spend2", F\.expr\("monthly_spend \* 2"\)\)\),/);
    assert.match(script, /class DataFrameStep\(Transformer\):/);
    assert.match(script, /pipeline = Pipeline\(stages=\[\*cleaning, assembler, scaler, lr\]\)/);
    assert.doesNotMatch(script, /\.fit\(df\)\.transform\(df\)/);
    compiles(script);
  });

  it('LogisticRegression (its pipeline refitted per fold), KMeans, DecisionTreeClassifier and early-stopped GBTClassifier jobs run in local mode and pick the best point Brasa picked', () => {
    // An Imputer and a DataFrame call after it: both stages of the Pipeline Spark tunes.
    const refitted: typeof logisticSpec = {
      ...logisticSpec,
      features: ['tenure_months', 'support_tickets', 'spend2'],
      pipeline: {
        version: PIPELINE_VERSION,
        steps: [
          { op: 'filter', condition: 'tenure_months >= 0' },
          { op: 'imputer', inputCols: ['monthly_spend'], outputCols: ['spend_filled'], strategy: 'median' },
          { op: 'withColumn', column: 'spend2', expr: 'spend_filled * 2' },
        ],
      },
    };
    // A decision tree on a column a StringIndexer stage made: Spark reads it as categorical
    // (from the column's metadata) as Brasa does (from the pipeline); maxDepth 0 is one
    // leaf (areaUnderROC 0.5), so depth 3 wins in both.
    const tree: TrainSpec = {
      ...logisticSpec,
      estimator: 'decisionTreeClassifier',
      params: DECISION_TREE_CLASSIFIER_DEFAULTS,
      features: ['tenure_months', 'monthly_spend', 'band_idx'],
      weightCol: null,
      grid: [{ param: 'maxDepth', values: [0, 3] }],
      pipeline: {
        version: PIPELINE_VERSION,
        steps: [
          { op: 'withColumn', column: 'band', expr: "CASE WHEN support_tickets > 4 THEN 'many' ELSE 'few' END" },
          { op: 'stringIndexer', inputCols: ['band'], outputCols: ['band_idx'], stringOrderType: 'alphabetAsc', handleInvalid: 'error' },
        ],
      },
    };
    const treeScript = pysparkScript({ table: 'churn', spec: tree }, { dataPath: 'churn.csv' });
    assert.match(treeScript, /dtc = DecisionTreeClassifier\(featuresCol="features", labelCol="label", maxDepth=5, maxBins=32, minInstancesPerNode=1, minInfoGain=0\.0, minWeightFractionPerNode=0\.0, impurity="gini"\)/);
    assert.match(treeScript, /\.addGrid\(dtc\.maxDepth, \[0, 3\]\)/);
    // GBT with Spark's early stopping: a boolean column made by a cleaning step marks the
    // validation rows of each training split.
    const gbt: TrainSpec = {
      ...tree,
      estimator: 'gbtClassifier',
      params: { ...GBT_CLASSIFIER_DEFAULTS, maxIter: 40, stepSize: 0.5, maxDepth: 2, thresholds: [0.6, 0.4] },
      features: ['tenure_months', 'monthly_spend', 'support_tickets'],
      validationIndicatorCol: 'is_val',
      handleInvalid: 'skip',
      grid: [],
      tuning: { kind: 'trainValidationSplit', trainRatio: 0.75 },
      pipeline: { version: PIPELINE_VERSION, steps: [{ op: 'withColumn', column: 'is_val', expr: 'tenure_months % 4 = 0' }] },
    };
    const gbtScript = pysparkScript({ table: 'churn', spec: gbt }, { dataPath: 'churn.csv' });
    assert.match(gbtScript, /validation = "is_val"/);
    assert.match(gbtScript, /gbtc = GBTClassifier\(featuresCol="features", labelCol="label", validationIndicatorCol=validation, maxIter=40, stepSize=0\.5, maxDepth=2,/);
    assert.match(gbtScript, /validationTol=0\.01/);
    // PySpark's tree classifiers take `thresholds` by setter (the job runs it below).
    assert.match(gbtScript, /gbtc = GBTClassifier\([^\n]*\)\.setThresholds\(\[0\.6, 0\.4\]\)\n/);
    const [logistic, kmeans, decisionTree, boosted] = runPysparkJobs([
      { script: pysparkScript({ table: 'churn', spec: refitted }, { dataPath: 'churn.csv' }), data: { csv: churnCsv() } },
      { script: pysparkScript({ table: 'points', spec: kmeansSpec }, { dataPath: 'points.csv' }), data: { csv: pointsCsv() } },
      { script: treeScript, data: { csv: churnCsv() } },
      { script: gbtScript, data: { csv: churnCsv() } },
    ]);
    // Early stopping keeps fewer trees than maxIter on these few rows.
    const kept = Number(/numTrees=(\d+)/.exec(boosted.toDebugString)?.[1]);
    assert.ok(kept >= 1 && kept < 40, `GBT kept ${kept} trees: ${boosted.toDebugString.slice(0, 120)}`);
    assert.deepEqual(decisionTree.grid, [{ maxDepth: 0 }, { maxDepth: 3 }]);
    assert.equal(decisionTree.bestIndex, 1);
    assert.equal(decisionTree.avgMetrics[0], 0.5);
    assert.equal(decisionTree.featureImportances.length, 3);
    assert.match(decisionTree.toDebugString, /^DecisionTreeClassificationModel: uid=\w+, depth=3, numNodes=\d+, numClasses=2, numFeatures=3\n  If \(feature 2 in \{/);
    assert.equal(logistic.metric, 'areaUnderROC');
    assert.deepEqual(logistic.grid, logisticResult.grid.map((p) => p.params));
    assert.equal(logistic.bestIndex, logisticResult.bestIndex);
    assert.equal(logistic.avgMetrics[1], 0.5, 'the lasso at λ = 1 scores every row the same');
    assert.ok(logistic.avgMetrics[0] > 0.8, `areaUnderROC at λ = 0: ${logistic.avgMetrics[0]}`);
    assert.deepEqual(logistic.labels, logisticResult.labels);
    assert.equal(logistic.coefficientMatrix.length, 1);
    assert.ok(logistic.coefficientMatrix[0][1] > 0, 'support tickets raise churn');
    assert.ok(Number.isFinite(logistic.test));

    assert.equal(kmeans.metric, 'silhouette');
    assert.deepEqual(kmeans.grid, kmeansResult.grid.map((p) => p.params));
    assert.equal(kmeans.bestIndex, kmeansResult.bestIndex);
    assert.equal(kmeans.clusterCenters.length, 3);
    assert.ok(kmeans.avgMetrics[1] > 0.9, `silhouette at k = 3: ${kmeans.avgMetrics[1]}`);
    assert.ok(Number.isFinite(kmeans.test));
  });
});
