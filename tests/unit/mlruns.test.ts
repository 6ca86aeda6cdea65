/**
 * The mlruns/ export read back by the real MLflow (file store): runs, params, every
 * metric's history, tags, dataset inputs, artifacts and the registered model with its
 * alias are what Brasa recorded. Needs the venv from scripts/setup.sh.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { mlrunsFiles } from '../../www/src/tracking/shared/mlruns';
import type { Snapshot } from '../../www/src/tracking/shared/snapshot';
import { recordedSnapshot } from './fixtures';
import { PYTHON } from './python';

const READER = path.resolve(import.meta.dirname, '../tracking/read_mlruns.py');

/** Writes `files` under a new temp directory and returns what MLflow reads there. */
export function readWithMlflow(files: Record<string, Uint8Array>): any {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-mlruns-'));
  for (const [file, bytes] of Object.entries(files)) {
    if (file.endsWith('/')) {
      mkdirSync(path.join(dir, file), { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), bytes);
  }
  return JSON.parse(execFileSync(PYTHON, [READER, dir], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** Checks MLflow's view of an export against the snapshot it was made from. */
export function assertSameAsMlflow(seen: any, snapshot: Snapshot): void {
  for (const experiment of snapshot.experiments) {
    const found = seen.experiments.find((e: any) => e.experimentId === experiment.experimentId);
    assert.ok(found, `experiment ${experiment.experimentId}`);
    assert.equal(found.name, experiment.name);
    const runs = snapshot.runs.filter((r) => r.experimentId === experiment.experimentId);
    assert.equal(found.runs.length, runs.length);
    for (const run of runs) {
      const read = found.runs.find((r: any) => r.runId === run.runId);
      assert.ok(read, `run ${run.runId}`);
      assert.equal(read.runName, run.runName);
      assert.equal(read.status, run.status);
      assert.equal(read.startTime, run.startTime);
      assert.equal(read.endTime, run.endTime);
      assert.equal(read.lifecycleStage, run.lifecycleStage);
      assert.deepEqual(read.params, run.params);
      for (const [key, value] of Object.entries(run.tags)) assert.equal(read.tags[key], value, `tag ${key}`);
      assert.deepEqual(read.metrics, run.metrics, `metrics of ${run.runName}`);
      assert.deepEqual(read.inputs, run.inputs.map((i) => ({ name: i.name, digest: i.digest, context: i.context })));
      assert.deepEqual(read.artifacts, snapshot.artifacts.filter((a) => a.runId === run.runId).map((a) => a.path).sort());
    }
  }
  assert.deepEqual(
    seen.models,
    snapshot.registeredModels.map((m) => ({
      name: m.name,
      description: m.description,
      aliases: m.aliases,
      versions: snapshot.modelVersions.filter((v) => v.name === m.name).map((v) => ({
        version: v.version, runId: v.runId, source: v.source, description: v.description, tags: v.tags,
      })),
    })),
  );
}

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
