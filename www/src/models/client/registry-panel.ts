/**
 * The model registry (MLflow's): registered models, their versions (source run, what
 * the model is, description, tags) and aliases (`champion`, `challenger`, any name) that point at a
 * version. Versions are registered from a run (Runs tab → open a run → Register); each
 * downloads as an MLflow model (spark flavor).
 */
import { describeModel } from '../../tracking/shared/logged-model';
import type { ModelVersion, RegisteredModel } from '../../tracking/shared/model';
import type { TrackingStore } from '../../tracking/client/store';
import { formatTime } from '../../tracking/client/runs-table';
import { h, replaceChildren } from '../../ui/dom';
import { loadDeployable } from './deployable';
import { downloadMlflowModel } from '../../tracking/client/mlflow-download';
import type { StageDataWriter } from '../../tracking/shared/spark-pipeline-files';
import type { StageDataReader } from '../../tracking/shared/spark-import';
import { importSparkModel } from './import-model';

/** A version with what its model is, in one line (or why it cannot be read). */
interface VersionRow {
  version: ModelVersion;
  model: string;
}

export interface RegistryActions {
  openRun(runId: string): void;
  predictWith(uri: string): void;
  /** Writes a Spark stage's data file (the engine's `sparkStageData`), for MLflow models. */
  writeStageData: StageDataWriter;
  /** Reads a Spark stage's Parquet data (the engine's `readSparkStageData`), for imports. */
  readStageData: StageDataReader;
  /** The experiment an imported model's run goes in (the Runs tab's active one). */
  experimentId(): string;
}

export class RegistryPanel {
  readonly element = h('section', { className: 'registry-panel', attrs: { 'aria-label': 'Registered models', 'data-testid': 'registry' } });
  private readonly message = h('div', { attrs: { 'data-testid': 'registry-message', role: 'status' } });
  private readonly importForm = this.importControls();
  /** What each run's logged model is, in one line (see `describedVersions`). */
  private readonly modelOfRun = new Map<string, string>();

  constructor(
    private readonly store: TrackingStore,
    private readonly actions: RegistryActions,
  ) {
    store.addEventListener('change', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const models = await this.store.registeredModels();
    const blocks = await Promise.all(models.map(async (m) => this.model(m, await this.describedVersions(m.name))));
    replaceChildren(this.element,
      h('h2', {}, 'Registered models'),
      this.importForm,
      this.message,
      models.length ? null : h('p', { className: 'hint' }, 'No registered models yet: open a finished run in the Runs tab and register its model.'),
      ...blocks);
  }

  /**
   * "Import Spark model": a zipped PipelineModel folder (PySpark's `model.write().save`)
   * or MLflow model with the spark flavor, registered under the name given (by default
   * the zip's name).
   */
  private importControls(): HTMLElement {
    const file = h('input', { attrs: { type: 'file', accept: '.zip,application/zip', 'data-testid': 'import-spark-file' } });
    const name = h('input', { attrs: { type: 'text', size: '16', placeholder: 'model name', 'data-testid': 'import-spark-name' } });
    file.addEventListener('change', () => {
      const picked = file.files?.[0];
      if (picked && !name.value.trim()) name.value = picked.name.replace(/\.zip$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_');
    });
    const run = this.act(async () => {
      const picked = file.files?.[0];
      if (!picked) throw new Error('Choose the zip of a Spark ML PipelineModel first.');
      if (!name.value.trim()) throw new Error('Give the imported model a name.');
      const { version, stages } = await importSparkModel(this.store, picked, name.value.trim(), this.actions.experimentId(), this.actions.readStageData);
      file.value = '';
      return `Imported ${picked.name} as ${version.name} version ${version.version} (${stages.join(' → ')}).`;
    });
    return h('div', { className: 'runs-toolbar', attrs: { 'data-testid': 'import-spark' } },
      'Import a Spark ML PipelineModel (zip) ', file, ' as ', name, ' ',
      h('button', { attrs: { type: 'button', 'data-testid': 'import-spark-button', title: 'A folder saved by PipelineModel.write().save(path), zipped; or an MLflow model with the spark flavor' }, on: { click: run } }, 'Import'));
  }

  private act(fn: () => Promise<unknown>): () => Promise<void> {
    return async () => {
      try {
        const said = await fn();
        replaceChildren(this.message, typeof said === 'string' ? said : '');
      } catch (error) {
        replaceChildren(this.message, h('span', { className: 'error-text', attrs: { 'data-testid': 'registry-error' } }, (error as Error).message));
      }
    };
  }

  /**
   * The versions of a model, each with its model described (read as Predict reads it).
   * A run's model never changes once logged, so each is read once per page; one that
   * cannot be read (its run not imported yet) is tried again on the next refresh.
   */
  private async describedVersions(name: string): Promise<VersionRow[]> {
    const versions = await this.store.versions(name);
    return Promise.all(versions.map(async (version) => {
      let model = this.modelOfRun.get(version.runId);
      if (model === undefined) {
        try {
          model = describeModel((await loadDeployable(this.store, version)).model);
          this.modelOfRun.set(version.runId, model);
        } catch (error) {
          model = (error as Error).message;
        }
      }
      return { version, model };
    }));
  }

  private model(model: RegisteredModel, rows: VersionRow[]): HTMLElement {
    const versions = rows.map((r) => r.version);
    const aliasesOf = (version: number) => Object.entries(model.aliases).filter(([, v]) => v === version).map(([a]) => a);
    const alias = h('input', { attrs: { type: 'text', size: '12', placeholder: 'champion', 'data-testid': 'alias-name' } });
    const aliasVersion = h('select', { attrs: { 'data-testid': 'alias-version' } }, ...versions.map((v) => h('option', { attrs: { value: String(v.version) } }, `version ${v.version}`)));
    aliasVersion.value = String(versions.at(-1)?.version ?? '');
    return h('article', { className: 'registered-model', attrs: { 'data-model': model.name } },
      h('h3', {}, model.name, ' ',
        ...Object.entries(model.aliases).map(([a, v]) => h('span', { className: 'alias', attrs: { 'data-alias': a } }, `@${a} → v${v} `,
          h('button', { className: 'link', attrs: { type: 'button', title: `Remove alias ${a}` }, on: { click: this.act(() => this.store.deleteAlias(model.name, a)) } }, '×')))),
      h('div', { className: 'runs-toolbar' }, 'Set alias ', alias, ' on ', aliasVersion,
        h('button', { attrs: { type: 'button', 'data-testid': 'alias-set' }, on: { click: this.act(() => this.store.setAlias(model.name, alias.value, Number(aliasVersion.value))) } }, 'Set')),
      h('table', { className: 'result-table versions', attrs: { 'data-testid': 'model-versions' } },
        h('thead', {}, h('tr', {}, ...['version', 'aliases', 'registered', 'source run', 'model', 'description', 'tags', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...rows.map((r) => this.version(model, r, aliasesOf(r.version.version))))));
  }

  private version(model: RegisteredModel, row: VersionRow, aliases: string[]): HTMLElement {
    const v = row.version;
    const description = h('input', { attrs: { type: 'text', size: '24', 'data-testid': 'version-description' } });
    description.value = v.description;
    description.addEventListener('change', this.act(() => this.store.updateVersion(v.name, v.version, { description: description.value })));
    const tagKey = h('input', { attrs: { type: 'text', size: '8', placeholder: 'key', 'data-testid': 'version-tag-key' } });
    const tagValue = h('input', { attrs: { type: 'text', size: '8', placeholder: 'value', 'data-testid': 'version-tag-value' } });
    const uri = aliases.length ? `models:/${model.name}@${aliases[0]}` : `models:/${model.name}/${v.version}`;
    return h('tr', { attrs: { 'data-version': String(v.version) } },
      h('td', {}, String(v.version)),
      h('td', {}, aliases.map((a) => `@${a}`).join(' ')),
      h('td', {}, formatTime(v.creationTimestamp)),
      h('td', {}, h('button', { className: 'link mono', attrs: { type: 'button' }, on: { click: () => this.actions.openRun(v.runId) } }, v.runId.slice(0, 8))),
      h('td', { attrs: { 'data-testid': 'version-model' } }, row.model),
      h('td', {}, description),
      h('td', {},
        ...Object.entries(v.tags).map(([k, val]) => h('span', { className: 'tag' }, `${k}=${val} `)),
        tagKey, tagValue,
        h('button', { attrs: { type: 'button', 'data-testid': 'version-tag-add' }, on: { click: this.act(() => {
          if (!tagKey.value.trim()) throw new Error('A tag needs a key.');
          return this.store.updateVersion(v.name, v.version, { tags: { ...v.tags, [tagKey.value.trim()]: tagValue.value } });
        }) } }, '+')),
      h('td', {},
        h('button', { className: 'link', attrs: { type: 'button', 'data-testid': 'version-predict' }, on: { click: () => this.actions.predictWith(uri) } }, 'Predict…'), ' ',
        h('button', { className: 'link', attrs: { type: 'button', 'data-testid': 'version-download-mlflow', title: 'This version as an MLflow model (spark flavor)' }, on: { click: this.act(() => downloadMlflowModel(this.store, v.runId, this.actions.writeStageData, `${model.name}-v${v.version}`)) } }, 'Download MLflow model')),
    );
  }
}
