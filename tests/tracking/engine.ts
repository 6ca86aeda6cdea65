/**
 * The engine natively (`brasa-model`, crate/src/bin/model.rs) for the tracking tests:
 * trains and scores as the page's worker does with the wasm build, and writes Spark
 * stages' data files. Built on first use (`cargo build --bin brasa-model`, a no-op after
 * `cargo test`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ColumnInfo, Scoring, SparkDataPart, SparkStageData, TrainResult, TrainSpec } from '../../www/src/contract';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
const BINARY = path.join(TARGET, 'debug', 'brasa-model');

let built = false;

function run(args: string[], input?: string | Uint8Array): Buffer {
  if (!built) {
    execFileSync('cargo', ['build', '--quiet', '--bin', 'brasa-model'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    built = true;
  }
  return execFileSync(BINARY, args, { input, maxBuffer: 256 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** One scratch directory per test process for the specs handed to the binary, removed on exit. */
let scratch: string | undefined;

function tempFile(name: string, text: string): string {
  if (!scratch) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brasa-engine-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

/**
 * Trains on a CSV file; returns the result, the table's columns (Spark's type names) and
 * the columns each cleaning step's output has (what the recorder logs as `stepColumns`).
 */
export function trainNative(csvPath: string, spec: TrainSpec): { result: TrainResult; columns: ColumnInfo[]; steps: ColumnInfo[][] } {
  return JSON.parse(run(['train', csvPath, tempFile('spec.json', JSON.stringify(spec))]).toString('utf8'));
}

/** Scores a CSV file as Predict does; returns the scored table as CSV text. */
export function predictNative(csvPath: string, scoring: Scoring): string {
  return run(['predict', csvPath, tempFile('scoring.json', JSON.stringify(scoring))]).toString('utf8');
}

/** The engine's `sparkStageData`. */
export async function stageDataNative(data: SparkStageData): Promise<Uint8Array> {
  return new Uint8Array(run(['stage-data'], JSON.stringify(data)));
}

/** The engine's `readSparkStageData`: a stage's Parquet part files as the data they hold. */
export async function readStageDataNative(className: string, part: SparkDataPart, files: Uint8Array[]): Promise<SparkStageData> {
  if (!scratch) tempFile('.keep', '');
  const paths = files.map((bytes, i) => {
    const file = path.join(scratch as string, `part-${i}.parquet`);
    writeFileSync(file, bytes);
    return file;
  });
  return JSON.parse(run(['read-stage-data', className, part, ...paths]).toString('utf8'));
}
