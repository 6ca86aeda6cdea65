/**
 * What a training logs, for every estimator, in the shape MLflow autologging gives
 * Spark's CrossValidator / TrainValidationSplit: the parent's params (Spark's names,
 * MLflow's string values), `best_` params and metrics, one child per grid point with its
 * full params and fold history, the artifacts' contents, and the dataset inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GBT_REGRESSOR_DEFAULTS, JSON_OPTIONS_DEFAULTS, RANDOM_FOREST_CLASSIFIER_DEFAULTS } from '../../www/src/contract';
import type { TrainResult, TrainSpec } from '../../www/src/ml/shared/training';
import { bestParameters, childRuns, finishedParent, jobParams, runName, searchResultsCsv, startedRun } from '../../www/src/tracking/shared/autolog';
import { fileReadingText, sourceInput, sourceOf, trainingInput } from '../../www/src/tracking/shared/datasets';
import { TAG_PARENT_RUN_ID, latestMetrics } from '../../www/src/tracking/shared/model';
import { kmeansResult, kmeansSpec, logisticResult, logisticSpec, result, spec } from './fixtures';

const table = (name: string) => ({
  name, rows: 200, partitions: 1, memoryBytes: 0, warnings: [],
  columns: [{ name: 'x', dataType: 'double', arrowType: 'Float64', nullable: true }],
});

function autolog(tableName: string, trainSpec: TrainSpec, trainResult: TrainResult) {
  const started = startedRun({ table: tableName, spec: trainSpec }, '0', sourceInput(table(tableName)), {}, 1000);
  const parent = finishedParent(started, trainResult, trainSpec, 2000);
  return { started, parent, children: childRuns(parent, trainResult, trainSpec, 2000) };
}

const keys = (record: object) => Object.keys(record).sort();

describe('autologging', () => {
  it('LinearRegression: the regression family, best_ params, children with every param', () => {
    const { parent, children } = autolog('telecom', spec, result);
    assert.match(parent.runName, /^linreg-telecom-[0-9a-f]{6}$/);
    assert.equal(parent.status, 'FINISHED');
    assert.deepEqual(
      [parent.params.estimator, parent.params.tuning, parent.params.evaluator, parent.params.metricName, parent.params.labelCol, parent.params.numFolds],
      ['LinearRegression', 'CrossValidator', 'RegressionEvaluator', 'rmse', 'monthly_spend', '3'],
    );
    assert.deepEqual([parent.params.regParam, parent.params.fitIntercept, parent.params.best_regParam, parent.params.best_elasticNetParam], ['0', 'True', '0.1', '0']);
    const metrics = latestMetrics(parent);
    for (const key of ['rmse', 'mse', 'r2', 'mae', 'var', 'training_rmse', 'training_r2', 'avg_rmse', 'std_rmse', 'training_rows']) assert.ok(key in metrics, key);
    assert.equal(metrics.rmse, 10.125);
    assert.equal(metrics.avg_rmse, 10.125);
    assert.equal(children.length, 4);
    assert.deepEqual(keys(children[2].params), ['elasticNetParam', 'fitIntercept', 'maxIter', 'regParam', 'standardization', 'tol']);
    assert.equal(children[2].params.regParam, '0.1');
    assert.deepEqual(children[2].metrics.fold_rmse.map((m) => [m.step, m.value]), [[0, 10], [1, 10.125], [2, 10.25]]);
    assert.ok(children.every((c) => c.tags[TAG_PARENT_RUN_ID] === parent.runId));
  });

  it('LogisticRegression: Spark class names, the indexed label and weights, the classification family', () => {
    const { started, parent, children } = autolog('churn', logisticSpec, logisticResult);
    assert.match(parent.runName, /^logreg-churn-[0-9a-f]{6}$/);
    assert.deepEqual(started.params, {
      estimator: 'LogisticRegression',
      tuning: 'CrossValidator',
      evaluator: 'BinaryClassificationEvaluator',
      metricName: 'areaUnderROC',
      featuresCol: '["tenure_months","support_tickets","monthly_spend"]',
      labelCol: 'churned',
      stringOrderType: 'frequencyDesc',
      weightCol: 'weight',
      handleInvalid: 'skip',
      seed: '42',
      testFraction: '0.2',
      numFolds: '3',
      estimatorParamMaps: '[{"regParam":[0,1]}]',
      pipelineSteps: 'filter',
      regParam: '0',
      elasticNetParam: '1',
      fitIntercept: 'True',
      standardization: 'True',
      family: 'auto',
      threshold: '0.5',
      maxIter: '100',
      tol: '0.000001',
    });
    assert.equal(parent.params.best_regParam, '0');
    const metrics = latestMetrics(parent);
    for (const name of ['areaUnderROC', 'areaUnderPR', 'f1', 'accuracy', 'weightedPrecision', 'weightedRecall', 'weightedFMeasure', 'logLoss', 'hammingLoss']) {
      for (const prefix of ['', 'training_', 'test_']) assert.ok(`${prefix}${name}` in metrics, `${prefix}${name}`);
    }
    assert.equal(metrics.areaUnderROC, 0.9);
    assert.equal(metrics.test_areaUnderROC, 0.89);
    assert.equal(metrics.avg_areaUnderROC, 0.9);
    assert.equal(metrics.std_areaUnderROC, 0.02);
    assert.deepEqual(children.map((c) => [c.params.regParam, c.params.elasticNetParam, c.params.family]), [['0', '1', 'auto'], ['1', '1', 'auto']]);
    assert.deepEqual(children[1].metrics.fold_areaUnderROC.map((m) => m.value), [0.5, 0.5, 0.5]);
    assert.match(children[0].runName, /^logreg-churn-[0-9a-f]{6}-1$/);
  });

  it("KMeans: the scaler's Pipeline, no label, the estimator's seed apart from the tuner's", () => {
    const { parent, children } = autolog('points', kmeansSpec, kmeansResult);
    assert.match(parent.runName, /^kmeans-points-[0-9a-f]{6}$/);
    assert.equal(parent.params.estimator, 'Pipeline(StandardScaler, KMeans)');
    assert.equal(parent.params.evaluator, 'ClusteringEvaluator');
    assert.equal(parent.params.metricName, 'silhouette');
    assert.equal(parent.params.tuning, 'TrainValidationSplit');
    assert.equal(parent.params.trainRatio, '0.75');
    assert.equal(parent.params.labelCol, undefined);
    assert.equal(parent.params.seed, '7', "the tuner's seed");
    assert.equal(parent.params['KMeans.seed'], '42', "the estimator's seed, named as MLflow names a nested estimator's params");
    assert.deepEqual([parent.params.k, parent.params.initMode, parent.params.distanceMeasure, parent.params.withStd], ['2', 'k-means||', 'euclidean', 'True']);
    assert.equal(parent.params.best_k, '3');
    assert.deepEqual(keys(latestMetrics(parent)), ['avg_silhouette', 'silhouette', 'std_silhouette', 'test_silhouette', 'training_rows', 'training_silhouette', 'training_time_ms']);
    assert.deepEqual(children.map((c) => [c.params.k, c.params.seed]), [['2', '42'], ['3', '42'], ['5', '42']]);
    assert.deepEqual(children[1].metrics.fold_silhouette.map((m) => [m.step, m.value]), [[0, 0.93]]);
    assert.deepEqual(bestParameters(kmeansResult, kmeansSpec), { k: 3 });
    assert.equal(searchResultsCsv(kmeansResult, kmeansSpec),
      'params.k,avg_silhouette,std_silhouette,fold_0_silhouette,is_best\n2,0.61,0,0.61,false\n3,0.93,0,0.93,true\n5,0.52,0,0.52,false\n');
  });

  it("logs the evaluator and metric the engine chose when the spec left them to Spark's default", () => {
    const unset = { ...logisticSpec, metric: null };
    assert.equal(jobParams({ table: 'churn', spec: unset }).evaluator, undefined);
    assert.equal(jobParams({ table: 'churn', spec: unset }).metricName, undefined);
    const chose = { ...logisticResult, metric: 'f1' as const };
    const { parent } = autolog('churn', unset, chose);
    assert.equal(parent.params.evaluator, 'MulticlassClassificationEvaluator');
    assert.equal(parent.params.metricName, 'f1');
    assert.ok('avg_f1' in parent.metrics);
    // KMeans and the regressors have one evaluator: known from the start.
    assert.equal(jobParams({ table: 'points', spec: { ...kmeansSpec, metric: null } }).evaluator, 'ClusteringEvaluator');
    const gbt: TrainSpec = { ...spec, estimator: 'gbtRegressor', params: GBT_REGRESSOR_DEFAULTS, metric: null };
    assert.equal(jobParams({ table: 'telecom', spec: gbt }).evaluator, 'RegressionEvaluator');
    const forest: TrainSpec = { ...logisticSpec, estimator: 'randomForestClassifier', params: RANDOM_FOREST_CLASSIFIER_DEFAULTS, metric: null };
    assert.equal(jobParams({ table: 'churn', spec: forest }).evaluator, undefined, 'a classifier\'s evaluator depends on its classes');
    assert.equal(runName({ table: 'churn', spec: forest }, 'abcdef0123'), 'rfc-churn-abcdef');
  });

  it('quotes tuned values that CSV would split', () => {
    const thresholds: TrainSpec = { ...logisticSpec, grid: [{ param: 'thresholds', values: [[0.4, 0.6], [0.5, 0.5]] }] };
    const withThresholds: TrainResult = {
      ...logisticResult,
      grid: [
        { params: { thresholds: [0.4, 0.6] }, avgMetric: 0.8, stdMetric: 0, foldMetrics: [0.8] },
        { params: { thresholds: [0.5, 0.5] }, avgMetric: 0.7, stdMetric: 0, foldMetrics: [0.7] },
      ],
      bestParams: { estimator: 'logisticRegression', params: { ...logisticResult.bestParams.params as object, thresholds: [0.4, 0.6] } as never },
    };
    assert.equal(searchResultsCsv(withThresholds, thresholds).split('\n')[1], '"[0.4,0.6]",0.8,0,0.8,true');
    assert.deepEqual(bestParameters(withThresholds, thresholds), { thresholds: [0.4, 0.6] });
  });
});

describe('dataset inputs', () => {
  it('the source table and the rows trained on, told apart by name and context', () => {
    const source = { ...sourceInput(table('churn')), digest: 'ab'.repeat(32) };
    assert.deepEqual([source.name, source.context, source.rows], ['churn', 'source', 200]);
    const cleaned = trainingInput(logisticSpec, 'churn', { rows: 196, schema: [
      { name: 'tenure_months', type: 'int', nullable: true }, { name: 'churned', type: 'string', nullable: true },
    ], digest: 'cd'.repeat(32), cleaned: true }, logisticResult.rows);
    assert.deepEqual([cleaned.name, cleaned.context, cleaned.rows, cleaned.digest, cleaned.source], ['churn_training', 'training', 160, 'cd'.repeat(32), 'churn']);
    assert.equal(cleaned.transform, 'churn after its cleaning pipeline (filter): 196 rows; 40 held out for test; 160 trained on');
    assert.deepEqual(cleaned.schema.map((c) => [c.name, c.type]), [
      ['tenure_months', 'int'], ['support_tickets', 'unknown'], ['monthly_spend', 'unknown'], ['churned', 'string'], ['weight', 'unknown'],
    ]);
    const raw = trainingInput(spec, 'telecom', { rows: 120, schema: source.schema, digest: source.digest, cleaned: false }, result.rows);
    assert.equal(raw.transform, 'telecom as loaded: 120 rows (the digest is the table\'s); 20 with a NULL or NaN label, feature or weight skipped (handleInvalid = skip); 100 trained on');
    assert.equal(raw.digest, source.digest);
    assert.equal(sourceOf([raw, source]), source);
    // A run recorded before: its only input is the table, with context `training`.
    const legacy = { ...source, context: 'training' };
    assert.equal(sourceOf([legacy]), legacy);
  });

  it('the source records its file, format and reader options for every format', () => {
    const json = sourceInput({ ...table('events'), source: {
      fileName: 'events.json.gz', format: 'json', compression: 'gzip',
      jsonOptions: { ...JSON_OPTIONS_DEFAULTS, mode: 'DROPMALFORMED' },
    } });
    assert.deepEqual([json.file, json.format, json.compression], ['events.json.gz', 'json', 'gzip']);
    // multiLine told from the file is not an option the user gave: left out.
    assert.deepEqual(json.readerOptions, { mode: 'DROPMALFORMED', columnNameOfCorruptRecord: '_corrupt_record' });
    assert.equal(fileReadingText(json), 'Read from events.json.gz as json (gzip) with mode="DROPMALFORMED", columnNameOfCorruptRecord="_corrupt_record"');
    const typed = sourceInput({ ...table('events'), source: {
      fileName: 'events.jsonl', format: 'json',
      jsonOptions: {
        ...JSON_OPTIONS_DEFAULTS, multiLine: false, schema: 'id BIGINT, at DATE', dateFormat: 'dd/MM/yyyy', encoding: 'windows-1252',
        allowSingleQuotes: false, allowComments: true, primitivesAsString: true,
      },
    } });
    // A given schema, its date pattern and the flags that are not Spark's defaults are
    // part of how the file was read.
    assert.deepEqual(typed.readerOptions, {
      multiLine: 'false', mode: 'PERMISSIVE', columnNameOfCorruptRecord: '_corrupt_record', schema: 'id BIGINT, at DATE', dateFormat: 'dd/MM/yyyy', encoding: 'windows-1252',
      primitivesAsString: 'true', allowSingleQuotes: 'false', allowComments: 'true',
    });
    const sheet = sourceInput({ ...table('sales'), source: { fileName: 'sales.xlsx', format: 'excel', sheet: 'Q2', header: false } });
    assert.deepEqual([sheet.format, sheet.readerOptions], ['excel', { sheet: 'Q2', header: 'false' }]);
    const parquet = sourceInput({ ...table('trips'), source: { fileName: 'trips', format: 'parquet' } });
    assert.deepEqual([parquet.file, parquet.format, parquet.readerOptions], ['trips', 'parquet', undefined]);
    assert.equal(fileReadingText(parquet), 'Read from trips as parquet');
    assert.equal(fileReadingText(sourceInput(table('made_by_sql'))), '');
  });
});
