/**
 * What the real MLflow sees in an mlruns/ tree (tests/tracking/read_mlruns.py, run in the
 * venv from scripts/setup.sh), and the check that it is what Brasa recorded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Snapshot } from '../../www/src/tracking/shared/snapshot';

/** The venv that scripts/setup.sh makes (MLflow, PySpark); BRASA_PYTHON overrides it. */
export const PYTHON = process.env.BRASA_PYTHON ?? path.join(os.homedir(), '.cache/brasa/venv/bin/python');

const READER = path.resolve(import.meta.dirname, 'read_mlruns.py');

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
  return readMlrunsDir(dir);
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
      const inputs = run.inputs
        .map((i) => ({
          name: i.name,
          digest: i.digest || 'unknown',
          context: i.context,
          source: {
            table: i.source,
            ...(i.transform ? { transform: i.transform } : {}),
            ...(i.file !== undefined ? { file: i.file } : {}),
            ...(i.format ? { format: i.format } : {}),
            ...(i.compression ? { compression: i.compression } : {}),
            ...(i.readerOptions ? { reader_options: i.readerOptions } : {}),
          },
          sourceType: i.sourceType === 'file' ? 'local' : 'code',
          rows: i.rows,
          schema: i.schema.map((c) => c.name),
        }))
        .sort((a, b) => (a.context + '\u0000' + a.name < b.context + '\u0000' + b.name ? -1 : 1));
      assert.deepEqual(read.inputs, inputs, `inputs of ${run.runName}`);
      const recorded = snapshot.artifacts.filter((a) => a.runId === run.runId).map((a) => a.path);
      assert.deepEqual(read.artifacts.filter((p: string) => recorded.includes(p)), [...recorded].sort(), `artifacts of ${run.runName}`);
      // Besides what Brasa recorded, only the MLflow model written next to a logged model.json.
      const added = read.artifacts.filter((p: string) => !recorded.includes(p));
      assert.ok(added.every((p: string) => p.startsWith('model/')) && (added.length === 0 || recorded.includes('model/model.json')), `added artifacts ${added.join(', ')}`);
    }
  }
  assert.deepEqual(
    seen.models,
    [...snapshot.registeredModels].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => ({
      name: m.name,
      description: m.description,
      aliases: m.aliases,
      versions: snapshot.modelVersions.filter((v) => v.name === m.name).map((v) => ({
        version: v.version, runId: v.runId, source: v.source, description: v.description, tags: v.tags,
      })),
    })),
  );
}


/** Runs MLflow's reader on a directory that holds mlruns/. */
export function readMlrunsDir(dir: string): any {
  return JSON.parse(execFileSync(PYTHON, [READER, dir], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}
