/**
 * Deploying a registered model in the page: name a model as MLflow does
 * (`models:/spend@champion`, `spend@champion`, `spend/2`), pick a loaded table or drop a
 * new file, and score it in the engine worker with the model's recorded pipeline. The
 * table's columns are checked against what the model read in training first, so a
 * mismatch names the missing or mistyped columns. Predictions are shown in the grid and
 * can be downloaded.
 */
import type { EngineClient } from '../../engine/client/engine-client';
import type { TableInfo } from '../../engine/shared/api';
import { tableGrid } from '../../grid/table-grid';
import { type HandleInvalid, modelClasses } from '../../ml/shared/training';
import { describeModel, scoringOf } from '../../tracking/shared/logged-model';
import type { ModelVersion } from '../../tracking/shared/model';
import { schemaProblems } from '../../tracking/shared/schema-check';
import type { TrackingStore } from '../../tracking/client/store';
import type { TableStore } from '../../data/client/table-store';
import { downloadTable, spreadsheetEscapeToggle } from '../../data/client/table-download';
import { h, replaceChildren } from '../../ui/dom';
import { formatCount } from '../../ui/format';
import { predictionRowsText, rowRemovers } from '../shared/prediction-rows';
import { type Deployable, loadDeployable } from './deployable';

export interface PredictActions {
  /** Loads a file into a new table and returns it (undefined if it failed; the page says why). */
  loadFile(file: File): Promise<TableInfo | undefined>;
  /** A table the scoring created, for the table list. */
  created(table: TableInfo): void;
}

export class PredictPanel {
  readonly element: HTMLElement;
  private readonly uri = h('input', { attrs: { type: 'text', size: '32', placeholder: 'models:/name@champion', 'data-testid': 'deploy-model' } });
  private readonly table = h('select', { attrs: { 'data-testid': 'deploy-table' } });
  private readonly handleInvalid = h('select', { attrs: { 'data-testid': 'deploy-handle-invalid' } },
    h('option', { attrs: { value: '' } }, 'as in training'),
    h('option', { attrs: { value: 'error' } }, 'error'),
    h('option', { attrs: { value: 'skip' } }, 'skip rows with NULL/NaN'),
    h('option', { attrs: { value: 'keep' } }, 'keep (NULL/NaN prediction)'));
  private readonly status = h('div', { className: 'train-status', attrs: { 'data-testid': 'deploy-status', role: 'status' } });
  private readonly output = h('div', { className: 'predict-output', attrs: { 'data-testid': 'deploy-output' } });

  constructor(
    private readonly store: TrackingStore,
    private readonly engine: EngineClient,
    private readonly tables: TableStore,
    private readonly actions: PredictActions,
  ) {
    const file = h('input', { attrs: { type: 'file', accept: '.csv,.tsv,.txt,.parquet', 'data-testid': 'deploy-file' } });
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      file.value = '';
      if (chosen) void this.addFile(chosen);
    });
    this.element = h('section', { className: 'predict-panel', attrs: { 'aria-label': 'Predict' } },
      h('h2', {}, 'Predict with a registered model'),
      h('div', { className: 'runs-toolbar' },
        h('label', {}, 'Model ', this.uri),
        h('label', {}, 'Table ', this.table),
        h('label', {}, 'or a new file ', file),
        h('label', {}, 'handleInvalid ', this.handleInvalid),
        h('button', { className: 'primary compact', attrs: { type: 'button', 'data-testid': 'deploy-run' }, on: { click: () => void this.predict() } }, 'Predict')),
      this.status,
      this.output,
    );
    tables.subscribe((list) => this.showTables(list));
  }

  /** Follows the loaded tables. */
  private showTables(tables: readonly TableInfo[]): void {
    const current = this.table.value;
    replaceChildren(this.table, ...tables.map((t) => h('option', { attrs: { value: t.name } }, `${t.name} (${formatCount(t.rows)} rows)`)));
    if (tables.some((t) => t.name === current)) this.table.value = current;
  }

  /** Fills in a model URI (from the registry's "Predict" link). */
  use(uri: string): void {
    this.uri.value = uri;
    this.uri.focus();
  }

  private async addFile(file: File): Promise<void> {
    replaceChildren(this.status, `Loading ${file.name}…`);
    const table = await this.actions.loadFile(file);
    if (table) {
      this.table.value = table.name;
      replaceChildren(this.status, `Loaded ${file.name} as ${table.name}.`);
    } else replaceChildren(this.status, h('span', { className: 'error-text' }, `${file.name} could not be loaded (see the message above).`));
  }

  private fail(message: string): void {
    replaceChildren(this.status, h('span', { className: 'error-text', attrs: { 'data-testid': 'deploy-error' } }, message));
  }

  private async predict(): Promise<void> {
    replaceChildren(this.output);
    const tableName = this.table.value;
    const table = this.tables.get(tableName);
    if (!table) return this.fail('Load a table (or choose a file) to score.');
    let version: ModelVersion;
    let deployable: Deployable;
    try {
      version = await this.store.resolve(this.uri.value);
      deployable = await loadDeployable(this.store, version);
    } catch (error) {
      return this.fail((error as Error).message);
    }
    const { model, pipeline } = deployable;
    const problems = schemaProblems(model.inputSchema, table.columns.map((c) => ({ name: c.name, type: c.dataType })));
    if (problems.length) {
      return this.fail(`${table.name} does not fit ${version.name} version ${version.version}: ${problems.join('; ')}. ` +
        'Load a table with these columns, or fix it with SQL (CAST, AS) first.');
    }
    const handleInvalid = (this.handleInvalid.value || model.handleInvalid) as HandleInvalid;
    const scoring = scoringOf(model, pipeline, handleInvalid);
    replaceChildren(this.status, `Scoring ${table.name} with ${version.name} version ${version.version} (${describeModel(model)})…`);
    try {
      const started = performance.now();
      const info = await this.engine.predict(table.name, scoring);
      this.actions.created(info);
      const ms = performance.now() - started;
      const rows = predictionRowsText(table.rows, info.rows, rowRemovers(pipeline, handleInvalid));
      replaceChildren(this.status, h('span', { attrs: { 'data-testid': 'deploy-summary', 'data-table': info.name, 'data-rows': String(info.rows), 'data-rows-in': String(table.rows) } },
        `${rows}: ${outputsOf(model.model)} from ${version.name} version ${version.version} in ${info.name} (${Math.round(ms)} ms).`));
      const grid = tableGrid(this.engine, info, `Predictions of ${info.name}`);
      replaceChildren(this.output,
        h('div', { className: 'sql-result-actions' },
          h('button', { attrs: { type: 'button', 'data-testid': 'deploy-download' }, on: { click: () => void this.download(info.name) } }, 'Download CSV'),
          spreadsheetEscapeToggle()),
        grid.element);
    } catch (error) {
      this.fail(`Scoring failed: ${(error as Error).message}`);
    }
  }

  private async download(table: string): Promise<void> {
    try {
      await downloadTable(this.engine, table, 'csv');
    } catch (error) {
      this.fail(`Download failed: ${(error as Error).message}`);
    }
  }
}

/** The columns a model adds, in words, for the summary. */
function outputsOf(model: Deployable['model']['model']): string {
  if (model.kind === 'kMeans') return 'prediction (the cluster)';
  return modelClasses(model) > 0 ? 'rawPrediction_ and probability_ per class, prediction and predictedLabel' : 'prediction';
}
