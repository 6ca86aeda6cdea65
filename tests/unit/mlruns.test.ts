/**
 * The mlruns/ export read back by the real MLflow (file store): runs, params, every
 * metric's history, tags, dataset inputs, artifacts and the registered model with its
 * alias are what Brasa recorded. Needs the venv from scripts/setup.sh.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mlrunsFiles } from '../../www/src/tracking/shared/mlruns';
import { assertSameAsMlflow, readWithMlflow } from '../tracking/mlflow';
import { recordedSnapshot } from './fixtures';

describe('mlruns/ export', () => {
  it('is read by MLflow as recorded', async () => {
    const snapshot = recordedSnapshot();
    const seen = readWithMlflow(await mlrunsFiles(snapshot));
    assert.match(seen.mlflow, /^3\./);
    assertSameAsMlflow(seen, snapshot);
    // The autologged shape: a parent with best_ params, four children with fold histories.
    const runs = seen.experiments.find((e: any) => e.experimentId === '7').runs;
    const parent = runs.find((r: any) => !r.tags['mlflow.parentRunId']);
    assert.equal(parent.params.best_regParam, '0.1');
    assert.equal(parent.metrics.rmse[0].value, 10.125);
    const children = runs.filter((r: any) => r.tags['mlflow.parentRunId'] === parent.runId);
    assert.equal(children.length, 4);
    assert.deepEqual(children.find((c: any) => c.params.regParam === '0.1' && c.params.elasticNetParam === '0').metrics.fold_rmse.map((m: any) => [m.step, m.value]), [[0, 10], [1, 10.125], [2, 10.25]]);
  });
});
