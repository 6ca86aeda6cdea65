/**
 * Moving tracking data in and out of the browser: Brasa's own export file (lossless,
 * JSON with base64 artifacts), its import, and the MLflow `mlruns/` tree as a zip.
 */
import { zipSync } from 'fflate';

import { mlrunsFiles } from '../shared/mlruns';
import type { StageDataWriter } from '../shared/spark-pipeline-files';
import { type ExportScope, type ImportReport, type Snapshot, decodeBundle, encodeBundle, selectSnapshot } from '../shared/snapshot';
import { downloadBlob } from '../../ui/download';
import type { TrackingStore } from './store';

export type { ExportScope } from '../shared/snapshot';

export async function exportSnapshot(store: TrackingStore, scope: ExportScope): Promise<Snapshot> {
  return selectSnapshot(await store.snapshot(), scope);
}

export async function downloadBundle(store: TrackingStore, scope: ExportScope, fileName: string): Promise<void> {
  const text = encodeBundle(await exportSnapshot(store, scope));
  downloadBlob(new Blob([text], { type: 'application/json' }), fileName);
}

/**
 * The mlruns/ zip, every logged model written as an MLflow model too; returns why the
 * models that could not be written were left as Brasa's files only (one line per run).
 */
export async function downloadMlruns(store: TrackingStore, scope: ExportScope, fileName: string, writeData: StageDataWriter): Promise<string[]> {
  const problems: string[] = [];
  const files = await mlrunsFiles(await exportSnapshot(store, scope), {
    writeData,
    onModelError: (run, error) => problems.push(`${run.runName}: ${error.message}`),
  });
  // Level 0 for artifacts that are already compressed would be wasted work; 6 is fflate's default.
  const zip = zipSync(files, { level: 6 });
  downloadBlob(new Blob([zip as BlobPart], { type: 'application/zip' }), fileName);
  return problems;
}

export async function importBundle(store: TrackingStore, file: File): Promise<ImportReport> {
  return store.importRecords(decodeBundle(await file.text()));
}
