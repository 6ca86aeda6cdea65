/**
 * The mlruns/ export read back by the real MLflow (file store): runs, params, every
 * metric's history, tags, dataset inputs, artifacts and the registered models with their
 * aliases are what Brasa recorded, for every estimator and for every experiment at once.
 * Needs the venv from scripts/setup.sh.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mlrunsFiles } from '../../www/src/tracking/shared/mlruns';
import { selectSnapshot } from '../../www/src/tracking/shared/snapshot';
import { assertSameAsMlflow, readWithMlflow } from '../tracking/mlflow';
import { allEstimatorsSnapshot, recordedSnapshot } from './fixtures';

const parentOf = (runs: any[]) => runs.find((r: any) => !r.tags['mlflow.parentRunId']);

describe('mlruns/ export', () => {
  it('is read by MLflow as recorded', async () => {
    const snapshot = recordedSnapshot();
    const seen = readWithMlflow(await mlrunsFiles(snapshot));
    assert.match(seen.mlflow, /^3\./);
    assertSameAsMlflow(seen, snapshot);
    // The autologged shape: a parent with best_ params, four children with fold histories.
    const runs = seen.experiments.find((e: any) => e.experimentId === '7').runs;
    const parent = parentOf(runs);
    assert.equal(parent.params.best_regParam, '0.1');
    assert.equal(parent.metrics.rmse[0].value, 10.125);
    const children = runs.filter((r: any) => r.tags['mlflow.parentRunId'] === parent.runId);
    assert.equal(children.length, 4);
    assert.deepEqual(children.find((c: any) => c.params.regParam === '0.1' && c.params.elasticNetParam === '0').metrics.fold_rmse.map((m: any) => [m.step, m.value]), [[0, 10], [1, 10.125], [2, 10.25]]);
  });

  it('of a classification run: its params, metrics, both dataset inputs, its model and alias', async () => {
    const snapshot = selectSnapshot(allEstimatorsSnapshot(), { experimentId: '8' });
    const seen = readWithMlflow(await mlrunsFiles(snapshot));
    assertSameAsMlflow(seen, snapshot);
    const parent = parentOf(seen.experiments.find((e: any) => e.experimentId === '8').runs);
    assert.equal(parent.params.estimator, 'LogisticRegression');
    assert.equal(parent.params.evaluator, 'BinaryClassificationEvaluator');
    assert.equal(parent.params.best_regParam, '0');
    assert.equal(parent.metrics.test_areaUnderROC[0].value, 0.89);
    assert.deepEqual(parent.inputs.map((i: any) => [i.context, i.name, i.rows]), [['source', 'churn', 200], ['training', 'churn_training', 160]]);
    assert.deepEqual(parent.inputs[0].source, {
      table: 'churn', file: 'churn.json.gz', format: 'json', compression: 'gzip',
      reader_options: { mode: 'PERMISSIVE', columnNameOfCorruptRecord: '_corrupt_record' },
    });
    assert.match(parent.inputs[1].source.transform, /^churn after its cleaning pipeline \(filter\): 200 rows; 40 held out for test; 160 trained on$/);
    assert.deepEqual(parent.inputs[1].schema, ['tenure_months', 'support_tickets', 'monthly_spend', 'churned', 'weight']);
    assert.ok(parent.artifacts.includes('model/model.json'));
    assert.deepEqual(seen.models.map((m: any) => [m.name, m.aliases]), [['churn', { champion: 1 }]]);
    assert.equal(seen.models[0].versions[0].runId, parent.runId);
  });

  it('of all experiments: every estimator, every registered model', async () => {
    const snapshot = selectSnapshot(allEstimatorsSnapshot(), { all: true });
    const seen = readWithMlflow(await mlrunsFiles(snapshot));
    assertSameAsMlflow(seen, snapshot);
    assert.deepEqual(seen.experiments.map((e: any) => e.name).sort(), ['churn', 'churn classifier', 'segments']);
    assert.equal(seen.searchRuns.runs, snapshot.runs.length);
    assert.deepEqual(seen.searchRuns.estimators, ['LinearRegression', 'LogisticRegression', 'Pipeline(StandardScaler, KMeans)']);
    assert.deepEqual(seen.models.map((m: any) => [m.name, m.aliases]), [['churn', { champion: 1 }], ['segments', { challenger: 1 }], ['spend', { champion: 1 }]]);
    const kmeans = parentOf(seen.experiments.find((e: any) => e.name === 'segments').runs);
    assert.equal(kmeans.params['KMeans.seed'], '42');
    assert.equal(kmeans.params.best_k, '3');
  });
});
