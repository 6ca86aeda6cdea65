/**
 * The tracking store: MLflow's experiments, runs and model registry in the browser's
 * IndexedDB (through `idb`). Every change is one transaction, so a crash or a full disk
 * never leaves half a run; a full quota becomes a `StorageFullError` saying what to do.
 */
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames, openDB } from 'idb';

import {
  type ArtifactRecord,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type Experiment,
  type LifecycleStage,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  type RunStatus,
  TAG_NOTE,
} from '../shared/model';
import { type ModelRef, parseModelUri } from '../shared/model-uri';
import type { ImportReport, Snapshot } from '../shared/snapshot';

/** Bumped when the stores change; `upgrade` migrates from every older version. */
export const SCHEMA_VERSION = 1;
export const DATABASE_NAME = 'brasa-tracking';

interface TrackingSchema extends DBSchema {
  experiments: { key: string; value: Experiment; indexes: { name: string } };
  runs: { key: string; value: Run; indexes: { experimentId: string; status: RunStatus } };
  artifacts: { key: [string, string]; value: ArtifactRecord; indexes: { runId: string } };
  registeredModels: { key: string; value: RegisteredModel };
  modelVersions: { key: [string, number]; value: ModelVersion; indexes: { name: string; runId: string } };
}

type Store = StoreNames<TrackingSchema>;
type WriteTx<S extends Store[]> = IDBPTransaction<TrackingSchema, S, 'readwrite'>;

/** The browser refused to store more: what happened and what the user can do. */
export class StorageFullError extends Error {
  constructor(cause: unknown) {
    super(
      'Browser storage is full, so nothing was saved. Delete old runs (and empty them from the trash), ' +
        'export experiments you want to keep, or allow this site more storage.',
      { cause },
    );
    this.name = 'StorageFullError';
  }
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
}

export interface StorageUsage {
  usage: number;
  quota: number;
  persisted: boolean;
}

/** Everything written when a run is created or finished, as one transaction. */
export interface RunWrite {
  runs: Run[];
  artifacts?: ArtifactRecord[];
}

export class TrackingStore extends EventTarget {
  private constructor(private readonly db: IDBPDatabase<TrackingSchema>) {
    super();
  }

  /** Opens (creating or migrating) the database; the Default experiment always exists. */
  static async open(name = DATABASE_NAME): Promise<TrackingStore> {
    const db = await openDB<TrackingSchema>(name, SCHEMA_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          database.createObjectStore('experiments', { keyPath: 'experimentId' }).createIndex('name', 'name', { unique: true });
          const runs = database.createObjectStore('runs', { keyPath: 'runId' });
          runs.createIndex('experimentId', 'experimentId');
          runs.createIndex('status', 'status');
          database.createObjectStore('artifacts', { keyPath: ['runId', 'path'] }).createIndex('runId', 'runId');
          database.createObjectStore('registeredModels', { keyPath: 'name' });
          const versions = database.createObjectStore('modelVersions', { keyPath: ['name', 'version'] });
          versions.createIndex('name', 'name');
          versions.createIndex('runId', 'runId');
        }
      },
      blocking() {
        // A newer version of the page wants to upgrade the schema: let it.
        db.close();
      },
    });
    const store = new TrackingStore(db);
    await store.ensureDefaultExperiment();
    return store;
  }

  close(): void {
    this.db.close();
  }

  /** Runs `fn` in one read-write transaction: all of it is stored, or none of it. */
  private async write<S extends Store[], T>(stores: S, fn: (tx: WriteTx<S>) => Promise<T>): Promise<T> {
    const tx = this.db.transaction(stores, 'readwrite');
    try {
      const result = await fn(tx);
      await tx.done;
      this.dispatchEvent(new Event('change'));
      return result;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      await tx.done.catch(() => {});
      if (isQuotaError(error) || isQuotaError(tx.error)) throw new StorageFullError(error);
      throw error;
    }
  }

  // ---- experiments --------------------------------------------------------------------

  private async ensureDefaultExperiment(): Promise<void> {
    if (await this.db.get('experiments', DEFAULT_EXPERIMENT_ID)) return;
    const now = Date.now();
    await this.write(['experiments'], async (tx) => {
      if (await tx.objectStore('experiments').get(DEFAULT_EXPERIMENT_ID)) return;
      await tx.objectStore('experiments').put({
        experimentId: DEFAULT_EXPERIMENT_ID,
        name: DEFAULT_EXPERIMENT_NAME,
        lifecycleStage: 'active',
        creationTime: now,
        lastUpdateTime: now,
        tags: {},
      });
    });
  }

  async experiments(): Promise<Experiment[]> {
    const all = await this.db.getAll('experiments');
    return all.sort((a, b) => Number(a.experimentId) - Number(b.experimentId));
  }

  experiment(id: string): Promise<Experiment | undefined> {
    return this.db.get('experiments', id);
  }

  /** Creates an experiment; names are unique (as in MLflow), ids are the next integer. */
  async createExperiment(name: string, id?: string): Promise<Experiment> {
    const trimmed = checkName(name, 'An experiment');
    return this.write(['experiments'], async (tx) => {
      const store = tx.objectStore('experiments');
      if (await store.index('name').get(trimmed)) throw new Error(`An experiment named "${trimmed}" already exists.`);
      const ids = (await store.getAllKeys()).map(Number).filter(Number.isFinite);
      const experimentId = id && !(await store.get(id)) ? id : String(Math.max(0, ...ids) + 1);
      const now = Date.now();
      const experiment: Experiment = { experimentId, name: trimmed, lifecycleStage: 'active', creationTime: now, lastUpdateTime: now, tags: {} };
      await store.put(experiment);
      return experiment;
    });
  }

  async renameExperiment(id: string, name: string): Promise<void> {
    const trimmed = checkName(name, 'An experiment');
    await this.write(['experiments'], async (tx) => {
      const store = tx.objectStore('experiments');
      const experiment = await store.get(id);
      if (!experiment) throw new Error(`No experiment with id ${id}.`);
      const other = await store.index('name').get(trimmed);
      if (other && other.experimentId !== id) throw new Error(`An experiment named "${trimmed}" already exists.`);
      await store.put({ ...experiment, name: trimmed, lastUpdateTime: Date.now() });
    });
  }

  // ---- runs ---------------------------------------------------------------------------

  run(runId: string): Promise<Run | undefined> {
    return this.db.get('runs', runId);
  }

  /** Every run of an experiment (deleted ones included; the view filters them). */
  runs(experimentId: string): Promise<Run[]> {
    return this.db.getAllFromIndex('runs', 'experimentId', experimentId);
  }

  /** Runs still marked RUNNING, in every experiment. */
  runningRuns(): Promise<Run[]> {
    return this.db.getAllFromIndex('runs', 'status', 'RUNNING');
  }

  /** Stores runs and their artifacts together (a new run, or a finished training). */
  async putRuns(write: RunWrite): Promise<void> {
    await this.write(['runs', 'artifacts'], async (tx) => {
      const runs = tx.objectStore('runs');
      const artifacts = tx.objectStore('artifacts');
      await Promise.all([...write.runs.map((r) => runs.put(r)), ...(write.artifacts ?? []).map((a) => artifacts.put(a))]);
    });
  }

  /**
   * Changes a run in one transaction. `change` gets the stored run and returns it
   * changed; params already logged with another value are refused (MLflow's rule).
   * `more` adds records in the same transaction (artifacts, child runs of the result).
   */
  async updateRun(
    runId: string,
    change: (run: Run) => Run,
    more: { artifacts?: ArtifactRecord[]; runs?: (changed: Run) => Run[] } = {},
  ): Promise<Run> {
    return this.write(['runs', 'artifacts'], async (tx) => {
      const store = tx.objectStore('runs');
      const before = await store.get(runId);
      if (!before) throw new Error(`No run with id ${runId}.`);
      const after = change(structuredClone(before));
      for (const [key, value] of Object.entries(before.params)) {
        if (after.params[key] !== value) {
          throw new Error(`Param "${key}" was already logged as "${value}"; params are written once.`);
        }
      }
      await store.put(after);
      for (const run of more.runs?.(after) ?? []) await store.put(run);
      for (const record of more.artifacts ?? []) await tx.objectStore('artifacts').put(record);
      return after;
    });
  }

  setRunTag(runId: string, key: string, value: string): Promise<Run> {
    const name = checkName(key, 'A tag key');
    return this.updateRun(runId, (run) => ({ ...run, tags: { ...run.tags, [name]: value } }));
  }

  deleteRunTag(runId: string, key: string): Promise<Run> {
    return this.updateRun(runId, (run) => {
      const tags = { ...run.tags };
      delete tags[key];
      return { ...run, tags };
    });
  }

  setNote(runId: string, note: string): Promise<Run> {
    return this.updateRun(runId, (run) => ({ ...run, tags: { ...run.tags, [TAG_NOTE]: note } }));
  }

  /** Soft delete or restore (MLflow's lifecycle stage); a parent takes its children along. */
  async setRunsLifecycle(runIds: string[], stage: LifecycleStage): Promise<void> {
    await this.write(['runs'], async (tx) => {
      const store = tx.objectStore('runs');
      for (const runId of runIds) {
        const run = await store.get(runId);
        if (run) await store.put({ ...run, lifecycleStage: stage });
      }
    });
  }

  /** Ends a run that is still RUNNING (a crash, a reload); does nothing to a finished one. */
  async endRunningRun(runId: string, status: RunStatus, reason: string, tagKey: string): Promise<boolean> {
    return this.write(['runs'], async (tx) => {
      const store = tx.objectStore('runs');
      const run = await store.get(runId);
      if (!run || run.status !== 'RUNNING') return false;
      await store.put({ ...run, status, endTime: Date.now(), tags: { ...run.tags, [tagKey]: reason } });
      return true;
    });
  }

  artifact(runId: string, path: string): Promise<ArtifactRecord | undefined> {
    return this.db.get('artifacts', [runId, path]);
  }

  artifactsOf(runId: string): Promise<ArtifactRecord[]> {
    return this.db.getAllFromIndex('artifacts', 'runId', runId);
  }

  // ---- registry -----------------------------------------------------------------------

  async registeredModels(): Promise<RegisteredModel[]> {
    return (await this.db.getAll('registeredModels')).sort((a, b) => a.name.localeCompare(b.name));
  }

  registeredModel(name: string): Promise<RegisteredModel | undefined> {
    return this.db.get('registeredModels', name);
  }

  async versions(name: string): Promise<ModelVersion[]> {
    return (await this.db.getAllFromIndex('modelVersions', 'name', name)).sort((a, b) => a.version - b.version);
  }

  versionsOfRun(runId: string): Promise<ModelVersion[]> {
    return this.db.getAllFromIndex('modelVersions', 'runId', runId);
  }

  /**
   * Registers a run's model as the next version of `name` (MLflow's `register_model`),
   * creating the registered model the first time.
   */
  async registerModel(name: string, runId: string, source: string, description = ''): Promise<ModelVersion> {
    const modelName = checkName(name, 'A model name');
    return this.write(['registeredModels', 'modelVersions', 'runs'], async (tx) => {
      if (!(await tx.objectStore('runs').get(runId))) throw new Error(`No run with id ${runId}.`);
      const now = Date.now();
      const models = tx.objectStore('registeredModels');
      const model = (await models.get(modelName)) ?? {
        name: modelName,
        creationTimestamp: now,
        lastUpdatedTimestamp: now,
        description: '',
        tags: {},
        aliases: {},
      };
      const existing = await tx.objectStore('modelVersions').index('name').getAllKeys(modelName);
      const version = Math.max(0, ...existing.map(([, v]) => v)) + 1;
      const modelVersion: ModelVersion = {
        name: modelName,
        version,
        creationTimestamp: now,
        lastUpdatedTimestamp: now,
        description,
        runId,
        source,
        tags: {},
      };
      await models.put({ ...model, lastUpdatedTimestamp: now });
      await tx.objectStore('modelVersions').put(modelVersion);
      return modelVersion;
    });
  }

  /** Points `alias` at a version (moving it if it pointed elsewhere, as MLflow does). */
  async setAlias(name: string, alias: string, version: number): Promise<void> {
    const aliasName = checkAlias(alias);
    await this.write(['registeredModels', 'modelVersions'], async (tx) => {
      const model = await tx.objectStore('registeredModels').get(name);
      if (!model) throw new Error(`No registered model named "${name}".`);
      if (!(await tx.objectStore('modelVersions').get([name, version]))) throw new Error(`${name} has no version ${version}.`);
      await tx.objectStore('registeredModels').put({ ...model, aliases: { ...model.aliases, [aliasName]: version }, lastUpdatedTimestamp: Date.now() });
    });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.write(['registeredModels'], async (tx) => {
      const model = await tx.objectStore('registeredModels').get(name);
      if (!model) return;
      const aliases = { ...model.aliases };
      delete aliases[alias];
      await tx.objectStore('registeredModels').put({ ...model, aliases });
    });
  }

  /** Changes a version's description and tags. */
  async updateVersion(name: string, version: number, change: { description?: string; tags?: Record<string, string> }): Promise<void> {
    await this.write(['modelVersions'], async (tx) => {
      const current = await tx.objectStore('modelVersions').get([name, version]);
      if (!current) throw new Error(`${name} has no version ${version}.`);
      await tx.objectStore('modelVersions').put({
        ...current,
        description: change.description ?? current.description,
        tags: change.tags ?? current.tags,
        lastUpdatedTimestamp: Date.now(),
      });
    });
  }

  /** Finds the version a `models:/` URI (or `name@alias`, `name/3`) names. */
  async resolve(uri: string): Promise<ModelVersion> {
    const ref: ModelRef = parseModelUri(uri);
    const model = await this.registeredModel(ref.name);
    if (!model) throw new Error(`No registered model named "${ref.name}".`);
    let version: number;
    if (ref.kind === 'alias') {
      const aliased = model.aliases[ref.alias];
      if (aliased === undefined) {
        const known = Object.keys(model.aliases);
        throw new Error(`${ref.name} has no alias "${ref.alias}"${known.length ? ` (it has ${known.map((a) => `@${a}`).join(', ')})` : ''}.`);
      }
      version = aliased;
    } else if (ref.kind === 'latest') {
      const all = await this.versions(ref.name);
      if (all.length === 0) throw new Error(`${ref.name} has no versions.`);
      version = all[all.length - 1].version;
    } else {
      version = ref.version;
    }
    const found = await this.db.get('modelVersions', [ref.name, version]);
    if (!found) throw new Error(`${ref.name} has no version ${version}.`);
    return found;
  }

  // ---- bulk (export / import) ---------------------------------------------------------

  /**
   * Writes imported records, all or nothing. An experiment whose name exists here is
   * merged into that one; otherwise it keeps its id when free, else gets the next one.
   * Runs and model versions already here (same id, same name + version) are kept as they are.
   */
  async importRecords(records: Snapshot): Promise<ImportReport> {
    return this.write(['experiments', 'runs', 'artifacts', 'registeredModels', 'modelVersions'], async (tx) => {
      const experiments = tx.objectStore('experiments');
      const ids = new Map<string, string>();
      for (const experiment of records.experiments) {
        const sameName = await experiments.index('name').get(experiment.name);
        if (sameName) {
          // The same experiment (same id and name) takes the imported record; another one
          // with this name takes the runs.
          if (sameName.experimentId === experiment.experimentId) await experiments.put(experiment);
          ids.set(experiment.experimentId, sameName.experimentId);
          continue;
        }
        let id = experiment.experimentId;
        if (await experiments.get(id)) id = String(Math.max(0, ...(await experiments.getAllKeys()).map(Number).filter(Number.isFinite)) + 1);
        ids.set(experiment.experimentId, id);
        await experiments.put({ ...experiment, experimentId: id });
      }
      const report: ImportReport = { runs: 0, skippedRuns: 0, versions: 0, experiments: [...new Set(ids.values())] };
      const skipped = new Set<string>();
      for (const run of records.runs) {
        if (await tx.objectStore('runs').get(run.runId)) {
          report.skippedRuns++;
          skipped.add(run.runId);
          continue;
        }
        const experimentId = ids.get(run.experimentId);
        if (experimentId === undefined) throw new Error(`Run ${run.runId} names experiment ${run.experimentId}, which the file does not hold.`);
        await tx.objectStore('runs').put({ ...run, experimentId });
        report.runs++;
      }
      for (const artifact of records.artifacts) {
        if (skipped.has(artifact.runId)) continue;
        await tx.objectStore('artifacts').put({ runId: artifact.runId, path: artifact.path, blob: new Blob([artifact.bytes as BlobPart], { type: artifact.mimeType }) });
      }
      for (const model of records.registeredModels) {
        const existing = await tx.objectStore('registeredModels').get(model.name);
        await tx.objectStore('registeredModels').put(existing ? { ...existing, aliases: { ...model.aliases, ...existing.aliases } } : model);
      }
      for (const version of records.modelVersions) {
        if (await tx.objectStore('modelVersions').get([version.name, version.version])) continue;
        await tx.objectStore('modelVersions').put(version);
        report.versions++;
      }
      return report;
    });
  }

  /** Everything needed to export: all records, artifacts as bytes. */
  async snapshot(): Promise<Snapshot> {
    const tx = this.db.transaction(['experiments', 'runs', 'artifacts', 'registeredModels', 'modelVersions'], 'readonly');
    const [experiments, runs, artifacts, registeredModels, modelVersions] = await Promise.all([
      tx.objectStore('experiments').getAll(),
      tx.objectStore('runs').getAll(),
      tx.objectStore('artifacts').getAll(),
      tx.objectStore('registeredModels').getAll(),
      tx.objectStore('modelVersions').getAll(),
    ]);
    const bytes = await Promise.all(artifacts.map(async (a) => new Uint8Array(await a.blob.arrayBuffer())));
    return {
      experiments,
      runs,
      artifacts: artifacts.map((a, i) => ({ runId: a.runId, path: a.path, mimeType: a.blob.type, bytes: bytes[i] })),
      registeredModels,
      modelVersions,
    };
  }

  // ---- storage ------------------------------------------------------------------------

  /** How much the origin uses, its quota, and whether storage is persistent. */
  static async usage(): Promise<StorageUsage | undefined> {
    if (!navigator.storage?.estimate) return undefined;
    const [estimate, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? false]);
    return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted };
  }

  /** Asks the browser not to evict the runs under storage pressure. */
  static async persist(): Promise<boolean> {
    return (await navigator.storage?.persist?.()) ?? false;
  }
}

function checkName(name: string, what: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new Error(`${what} cannot be empty.`);
  if (trimmed.length > 250) throw new Error(`${what} is longer than 250 characters.`);
  return trimmed;
}

/** MLflow's alias rule: letters, digits, `_` and `-`; not `latest`, not `v<number>`. */
function checkAlias(alias: string): string {
  const name = alias.trim();
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw new Error(`Alias "${alias}" may only use letters, digits, "_" and "-".`);
  if (name.toLowerCase() === 'latest' || /^v\d+$/i.test(name)) throw new Error(`"${name}" is reserved and cannot be an alias.`);
  return name;
}
