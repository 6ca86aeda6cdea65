/**
 * Several loose files of one format dropped or picked together (`sales_2023.parquet`,
 * `sales_2024.parquet`, ...) can be one table, as `spark.read.parquet(path1, path2, ...)`
 * reads several paths as one DataFrame. Whether they are one table or one each is the
 * user's call (a month's files are one table, a customers and an orders file are not),
 * so the page asks instead of guessing: "Load as one table" reads them through the
 * folder path (the files in name order, one schema, no partition columns; files whose
 * columns differ are refused there with `HIVE_SCHEMA`), "Load as N tables" reads each
 * on its own, as before. Anything else dropped (one file, a folder, a zip, a workbook,
 * files of different formats) loads at once, each as its own table.
 */
import type { DroppedFolder } from '../../engine/shared/api';
import { JSON_EXTENSIONS, PARQUET_EXTENSIONS, withoutCompressionExtension } from '../shared/formats';
import type { Notices } from '../../ui/notices';
import type { LoadInput } from './loads';

export type GroupFormat = 'parquet' | 'csv' | 'json';

const FORMAT_NAMES: Record<GroupFormat, string> = { parquet: 'Parquet', csv: 'CSV', json: 'JSON' };
const COMPRESSED = /\.(gz|zst|zstd|bz2)$/;

/**
 * The format a folder reads a file of this name as (the engine's `folder_format` rules:
 * `.csv` and `.json`/`.jsonl`/`.ndjson`, plain or compressed, and Parquet's extensions),
 * or undefined for a file that cannot join a group. Names Spark leaves out of a folder
 * (`_SUCCESS`, `.hidden`) never join one.
 */
export function groupFormat(name: string): GroupFormat | undefined {
  if (name.startsWith('_') || name.startsWith('.')) return undefined;
  const lower = name.toLowerCase();
  const inner = withoutCompressionExtension(lower);
  if (inner.endsWith('.csv')) return 'csv';
  if (JSON_EXTENSIONS.some((ext) => inner.endsWith(ext))) return 'json';
  if (inner === lower && PARQUET_EXTENSIONS.some((ext) => lower.endsWith(ext))) return 'parquet';
  return undefined;
}

/** Two or more files (no folders) of one format and distinct names, which can be one table. */
export function sameFormatGroup(inputs: LoadInput[]): { format: GroupFormat; files: File[] } | undefined {
  if (inputs.length < 2 || !inputs.every((i): i is File => i instanceof File)) return undefined;
  const formats = new Set(inputs.map((f) => groupFormat(f.name)));
  const [format] = formats;
  if (formats.size !== 1 || format === undefined) return undefined;
  if (new Set(inputs.map((f) => f.name)).size !== inputs.length) return undefined;
  return { format, files: inputs };
}

/**
 * The name a group's table gets: what the files' names share before they differ
 * (`sales_2023.csv`, `sales_2024.csv` → `sales`), else the first file's.
 */
export function groupName(files: File[]): string {
  const stems = files.map((f) => f.name.replace(COMPRESSED, '').replace(/\.[^.]*$/, ''));
  let shared = stems[0];
  for (const stem of stems.slice(1)) {
    let i = 0;
    while (i < shared.length && i < stem.length && shared[i] === stem[i]) i++;
    shared = shared.slice(0, i);
  }
  shared = shared.replace(/[\s\d_.-]+$/, '');
  return shared.length > 0 ? shared : stems[0];
}

/** The files as a folder of their own (no partition folders), read as one table. */
export function asFolder(files: File[]): DroppedFolder {
  return { name: groupName(files), files: files.map((file) => ({ path: file.name, file })) };
}

/**
 * Loads what was dropped or picked: files that can be one table wait for the user's
 * choice (a notice with two buttons); everything else is handed to `load` at once.
 */
export function loadDropped(inputs: LoadInput[], notices: Notices, load: (inputs: LoadInput[]) => void): void {
  const group = sameFormatGroup(inputs);
  if (!group) {
    load(inputs);
    return;
  }
  const count = group.files.length;
  const folder = asFolder(group.files);
  const names = group.files.map((f) => f.name);
  notices.ask(
    `${count} ${FORMAT_NAMES[group.format]} files: one table, or ${count}?`,
    [
      `${names.slice(0, 5).join(', ')}${count > 5 ? `, and ${count - 5} more` : ''}.`,
      `As one table (${folder.name}), they are read as spark.read.${group.format}(path1, path2, …) reads them: ` +
        'their rows one after another, with the same columns in each file.',
    ],
    [
      { label: 'Load as one table', testId: 'load-as-one-table', run: () => load([folder]) },
      { label: `Load as ${count} tables`, testId: 'load-as-tables', run: () => load(group.files) },
    ],
  );
}
