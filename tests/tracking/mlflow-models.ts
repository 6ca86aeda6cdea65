/**
 * Exported MLflow models loaded by the real MLflow and PySpark (tests/tracking/
 * check_mlflow_models.py, in the venv from scripts/setup.sh): one Python process, so
 * Spark's JVM starts once for every model of a manifest.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { PYTHON } from './mlflow';

const CHECKER = path.resolve(import.meta.dirname, 'check_mlflow_models.py');
const QUIET_SPARK = '--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false --conf spark.sql.shuffle.partitions=4 pyspark-shell';

/** A model for the checker (see check_mlflow_models.py for what each field asks). */
export interface ModelToCheck {
  name: string;
  /** The MLflow model directory. */
  path: string;
  /** The rows to score. */
  csv: string;
  keys?: string[];
  /** `models:/name@alias`, loaded from the mlruns/ tree in `root`. */
  uri?: string;
  root?: string;
  serve?: boolean;
  resave?: string;
}

/** What MLflow and Spark gave for each model, by name (the checker's `BRASA_MODELS` line). */
export function checkMlflowModels(manifestFile: string, models: ModelToCheck[]): { mlflow: string; models: Record<string, any> } {
  writeFileSync(manifestFile, JSON.stringify({ models }));
  const env = { ...process.env, PYSPARK_SUBMIT_ARGS: process.env.PYSPARK_SUBMIT_ARGS ?? QUIET_SPARK };
  const started = Date.now();
  const output = execFileSync(PYTHON, [CHECKER, manifestFile], { encoding: 'utf8', env, timeout: 900_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  console.log(`# MLflow + PySpark checks: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const line = output.split('\n').find((l) => l.startsWith('BRASA_MODELS '));
  assert.ok(line, `the checker printed no result:\n${output}`);
  return JSON.parse(line.slice('BRASA_MODELS '.length));
}
