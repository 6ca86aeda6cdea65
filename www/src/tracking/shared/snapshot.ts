/**
 * Tracking data taken out of the store (or about to go in): what to export for an
 * experiment or a selection, and Brasa's own lossless file format, one JSON document
 * with artifacts in base64. Records are written in a fixed order, so exporting what an
 * import stored gives the same bytes again.
 */
import type { Experiment, ModelVersion, RegisteredModel, Run } from './model';
import { TAG_PARENT_RUN_ID } from './model';

export interface SnapshotArtifact {
  runId: string;
  path: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface Snapshot {
  experiments: Experiment[];
  runs: Run[];
  artifacts: SnapshotArtifact[];
  registeredModels: RegisteredModel[];
  modelVersions: ModelVersion[];
}

export interface ImportReport {
  runs: number;
  skippedRuns: number;
  versions: number;
  /** The experiments (ids here) the runs went to. */
  experiments: string[];
}

export const BUNDLE_FORMAT = 'brasa-tracking';
export const BUNDLE_VERSION = 1;

/** What to export: one experiment, some runs, or everything. */
export type ExportScope = { experimentId: string } | { runIds: string[] } | { all: true };

/**
 * The part of `all` to export: the given runs with their child runs, their experiments,
 * and the model versions made from them (with their registered models, keeping only the
 * aliases that point at an exported version). `{ all: true }` is every record.
 */
export function selectSnapshot(all: Snapshot, scope: ExportScope): Snapshot {
  if ('all' in scope) return all;
  const chosen = new Set(
    'experimentId' in scope ? all.runs.filter((r) => r.experimentId === scope.experimentId).map((r) => r.runId) : scope.runIds,
  );
  for (const run of all.runs) if (chosen.has(run.tags[TAG_PARENT_RUN_ID] ?? '')) chosen.add(run.runId);
  const runs = all.runs.filter((r) => chosen.has(r.runId));
  const experimentIds = new Set(runs.map((r) => r.experimentId));
  if ('experimentId' in scope) experimentIds.add(scope.experimentId);
  const modelVersions = all.modelVersions.filter((v) => chosen.has(v.runId));
  const modelNames = new Set(modelVersions.map((v) => v.name));
  const registeredModels = all.registeredModels
    .filter((m) => modelNames.has(m.name))
    .map((m) => ({
      ...m,
      aliases: Object.fromEntries(Object.entries(m.aliases).filter(([, v]) => modelVersions.some((mv) => mv.name === m.name && mv.version === v))),
    }));
  return {
    experiments: all.experiments.filter((e) => experimentIds.has(e.experimentId)),
    runs,
    artifacts: all.artifacts.filter((a) => chosen.has(a.runId)),
    registeredModels,
    modelVersions,
  };
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** Objects with their keys sorted, recursively: the same records always print the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The snapshot as Brasa's export file (JSON text). */
export function encodeBundle(snapshot: Snapshot): string {
  const pad = (n: number) => String(n).padStart(12, '0');
  return JSON.stringify(
    {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      experiments: canonical([...snapshot.experiments].sort(byKey((e) => pad(Number(e.experimentId)) + e.experimentId))),
      runs: canonical([...snapshot.runs].sort(byKey((r) => r.runId))),
      artifacts: [...snapshot.artifacts]
        .sort(byKey((a) => `${a.runId}/${a.path}`))
        .map((a) => ({ runId: a.runId, path: a.path, mimeType: a.mimeType, base64: base64(a.bytes) })),
      registeredModels: canonical([...snapshot.registeredModels].sort(byKey((m) => m.name))),
      modelVersions: canonical([...snapshot.modelVersions].sort(byKey((v) => `${v.name}\u0000${pad(v.version)}`))),
    },
    null,
    1,
  );
}

/** Reads an export file back; a file that is not one is refused with what is wrong. */
export function decodeBundle(text: string): Snapshot {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`This is not a Brasa tracking export (not JSON: ${(error as Error).message}).`);
  }
  if (data?.format !== BUNDLE_FORMAT) throw new Error('This is not a Brasa tracking export (no "format": "brasa-tracking").');
  if (data.version !== BUNDLE_VERSION) throw new Error(`This export has version ${String(data.version)}; this page reads version ${BUNDLE_VERSION}.`);
  for (const key of ['experiments', 'runs', 'artifacts', 'registeredModels', 'modelVersions']) {
    if (!Array.isArray(data[key])) throw new Error(`The export has no "${key}" list.`);
  }
  const runs = data.runs as Run[];
  for (const run of runs) {
    if (typeof run.runId !== 'string' || !/^[0-9a-f]{32}$/.test(run.runId)) throw new Error(`A run has an invalid id: ${String(run.runId)}.`);
  }
  return {
    experiments: data.experiments as Experiment[],
    runs,
    artifacts: (data.artifacts as { runId: string; path: string; mimeType: string; base64: string }[]).map((a) => ({
      runId: a.runId,
      path: a.path,
      mimeType: a.mimeType,
      bytes: fromBase64(a.base64),
    })),
    registeredModels: data.registeredModels as RegisteredModel[],
    modelVersions: data.modelVersions as ModelVersion[],
  };
}
