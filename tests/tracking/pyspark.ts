/**
 * Runs exported PySpark scripts in local mode (tests/tracking/run_pyspark_jobs.py, in the
 * venv from scripts/setup.sh), all in one Python process so that Spark's JVM starts once,
 * and returns each script's `BRASA_RESULT`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PYTHON } from './mlflow';

const RUNNER = path.resolve(import.meta.dirname, 'run_pyspark_jobs.py');
const QUIET_SPARK = '--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false --conf spark.sql.shuffle.partitions=4 pyspark-shell';

export interface PysparkJob {
  /** The script's text. */
  script: string;
  /** The data file's text (CSV), or the path of an existing file. */
  data: { csv: string } | { path: string };
}

/** The `BRASA_RESULT` of each job, in order. */
export function runPysparkJobs(jobs: PysparkJob[]): any[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-pyspark-'));
  const args = jobs.flatMap((job, i) => {
    const script = path.join(dir, `job_${i}.py`);
    writeFileSync(script, job.script);
    let data: string;
    if ('path' in job.data) data = job.data.path;
    else {
      data = path.join(dir, `data_${i}.csv`);
      writeFileSync(data, job.data.csv);
    }
    return [script, data];
  });
  // No web UI or console progress bars: they only slow a test down and fill its output.
  const env = { ...process.env, PYSPARK_SUBMIT_ARGS: process.env.PYSPARK_SUBMIT_ARGS ?? QUIET_SPARK };
  const output = execFileSync(PYTHON, [RUNNER, ...args], { encoding: 'utf8', env, timeout: 900_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return output.split('BRASA_JOB ').slice(1).map((chunk) => {
    const line = chunk.split('\n').find((l) => l.startsWith('BRASA_RESULT '));
    if (!line) throw new Error(`a PySpark job printed no BRASA_RESULT:\n${chunk}`);
    return JSON.parse(line.slice('BRASA_RESULT '.length));
  });
}
