/**
 * `model/model.json`: one format for every estimator, read back through one function,
 * which also reads the models (and jobs) recorded before Brasa had more than one
 * estimator, so the registry, Predict, Re-run and the exports keep working on them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MODEL_FORMAT_VERSION, describeModel, loggedModel, readLoggedModel, scoringOf } from '../../www/src/tracking/shared/logged-model';
import { readRecordedJob } from '../../www/src/tracking/shared/recorded-job';
import { LINEAR_REGRESSION_DEFAULTS } from '../../www/src/contract';
import { kmeansResult, kmeansSpec, legacyJob, legacyModel, logisticResult, logisticSpec, result, spec } from './fixtures';

const schema = [{ name: 'x', type: 'double' }];
/** As stored and read back: through JSON. */
const roundTrip = (value: unknown) => readLoggedModel(JSON.parse(JSON.stringify(value)));

describe('logged model', () => {
  it('one shape for every estimator, read back as written', () => {
    for (const [trainSpec, trainResult, estimator, description] of [
      [spec, result, 'LinearRegression', 'LinearRegression · 3 features · label monthly_spend'],
      [logisticSpec, logisticResult, 'LogisticRegression', 'LogisticRegression · 2 classes (no, yes) · 3 features · label churned'],
      [kmeansSpec, kmeansResult, 'Pipeline(StandardScaler, KMeans)', 'Pipeline(StandardScaler, KMeans) · 3 clusters · 2 features'],
    ] as const) {
      const logged = loggedModel(trainResult, trainSpec, schema);
      assert.equal(logged.flavor, 'brasa');
      assert.equal(logged.formatVersion, MODEL_FORMAT_VERSION);
      assert.equal(logged.estimator, estimator);
      assert.equal(logged.task, trainResult.task);
      assert.deepEqual(logged.model, trainResult.model);
      assert.deepEqual(logged.bestParams, trainResult.bestParams);
      assert.deepEqual(roundTrip(logged), logged);
      assert.equal(describeModel(logged), description);
    }
    const classifier = loggedModel(logisticResult, logisticSpec, schema);
    assert.deepEqual([classifier.label, classifier.labels, classifier.handleInvalid], ['churned', ['no', 'yes'], 'skip']);
    assert.equal(loggedModel(kmeansResult, kmeansSpec, schema).label, null);
  });

  it('scores with the model, its labels and pipeline, and the handleInvalid asked for', () => {
    const logged = loggedModel(logisticResult, logisticSpec, schema);
    const pipeline = logisticResult.pipeline ?? undefined;
    assert.deepEqual(scoringOf(logged, pipeline), { features: logisticSpec.features, model: logisticResult.model, labels: ['no', 'yes'], handleInvalid: 'skip', pipeline });
    assert.equal(scoringOf(logged, undefined, 'keep').handleInvalid, 'keep');
  });

  it('reads a model recorded before estimators (flavor brasa.linear_regression)', () => {
    const model = roundTrip(legacyModel);
    assert.equal(model.flavor, 'brasa');
    assert.equal(model.estimator, 'Pipeline(StandardScaler, LinearRegression)');
    assert.equal(model.task, 'regression');
    assert.deepEqual(model.model, {
      kind: 'linearRegression',
      scaler: legacyModel.model.scaler,
      model: { coefficients: [0.25, 0.001], intercept: 7.5 },
    });
    assert.deepEqual(model.bestParams, { estimator: 'linearRegression', params: { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.1 } });
    assert.deepEqual([model.features, model.label, model.labels, model.inputSchema, model.handleInvalid],
      [['age', 'income'], 'monthly_spend', [], legacyModel.inputSchema, 'skip']);
    assert.deepEqual(scoringOf(model, undefined).labels, []);
    const unscaled = roundTrip({ ...legacyModel, model: { coefficients: [1], intercept: 0 } });
    assert.deepEqual(unscaled.model, { kind: 'linearRegression', model: { coefficients: [1], intercept: 0 } });
    assert.equal(unscaled.estimator, 'LinearRegression');
  });

  it('refuses what it cannot load, saying why', () => {
    assert.throws(() => readLoggedModel(null), /does not hold a model/);
    assert.throws(() => readLoggedModel({ flavor: 'sklearn' }), /flavor "sklearn"/);
    assert.throws(() => readLoggedModel({ ...loggedModel(result, spec, schema), formatVersion: MODEL_FORMAT_VERSION + 1 }), /format version 2; this page reads version 1/);
  });

  it('reads a job recorded before estimators as LinearRegression (Re-run, PySpark export)', () => {
    const job = readRecordedJob(legacyJob);
    assert.equal(job.table, 'telecom');
    assert.equal(job.spec.estimator, 'linearRegression');
    assert.deepEqual(job.spec.params, { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.1 });
    assert.equal(job.spec.label, 'monthly_spend');
    const current = readRecordedJob(JSON.parse(JSON.stringify({ table: 'churn', spec: logisticSpec })));
    assert.deepEqual(current.spec, logisticSpec);
    assert.throws(() => readRecordedJob({ spec: {} }), /not a recorded training job/);
  });
});
