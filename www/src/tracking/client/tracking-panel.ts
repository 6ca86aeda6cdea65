/**
 * The Runs tab: the active experiment's runs (MLflow's runs view) with search, paging,
 * sorting, selection for compare / delete / restore / export, import, storage use, and
 * one run opened below.
 */
import type { RecordedJob } from '../shared/recorded-job';
import { TAG_PARENT_RUN_ID } from '../shared/model';
import { type Clause, SearchSyntaxError, matches, parseFilter } from '../shared/search';
import { h, replaceChildren } from '../../ui/dom';
import { formatBytes } from '../../ui/format';
import { CompareView } from './compare-view';
import { ExperimentsBar } from './experiments-bar';
import { RunDetails } from './run-details';
import { type RunRow, RunsTable, toRow } from './runs-table';
import { TrackingStore } from './store';
import { type ExportScope, downloadBundle, downloadMlruns, importBundle } from './transfer';
import type { StageDataWriter } from '../shared/spark-pipeline-files';

export interface TrackingPanelActions {
  tables(): string[];
  digestOf(table: string): Promise<string>;
  replay(job: RecordedJob, table: string, tags: Record<string, string>): Promise<void>;
  /** Writes a Spark stage's data file (the engine's `sparkStageData`), for MLflow models. */
  writeStageData: StageDataWriter;
}

export class TrackingPanel {
  readonly element: HTMLElement;
  readonly experiments: ExperimentsBar;
  private readonly table: RunsTable;
  private readonly details: RunDetails;
  private readonly compare = new CompareView();
  private readonly search = h('input', {
    attrs: { type: 'search', size: '60', 'data-testid': 'runs-search', placeholder: "metrics.rmse < 10 and params.regParam = '0.1'", 'aria-label': 'Search runs (MLflow filter syntax)' },
  });
  private readonly searchError = h('div', { className: 'error-text', attrs: { 'data-testid': 'runs-search-error', role: 'alert' } });
  private readonly showChildren = h('input', { attrs: { type: 'checkbox', 'data-testid': 'runs-show-children' } });
  private readonly showDeleted = h('input', { attrs: { type: 'checkbox', 'data-testid': 'runs-show-deleted' } });
  private readonly columns = h('input', { attrs: { type: 'search', size: '14', placeholder: 'column filter', 'data-testid': 'runs-columns' } });
  private readonly storage = h('span', { className: 'hint', attrs: { 'data-testid': 'storage-usage' } });
  private readonly message = h('div', { attrs: { 'data-testid': 'runs-message', role: 'status' } });
  private readonly selection = h('span', { className: 'hint' });
  private readonly mlrunsAll = h('input', { attrs: { type: 'checkbox', 'data-testid': 'export-mlruns-all' } });
  private rows: RunRow[] = [];
  private clauses: Clause[] = [];
  private refreshing?: Promise<void>;
  private refreshAgain = false;

  constructor(
    private readonly store: TrackingStore,
    actions: TrackingPanelActions,
  ) {
    this.experiments = new ExperimentsBar(store, () => void this.refresh());
    this.table = new RunsTable({ open: (id) => void this.open(id), selectionChanged: (s) => this.selectionChanged(s) });
    this.details = new RunDetails(store, { ...actions, open: (id) => void this.open(id), changed: () => void this.refresh() });
    this.search.addEventListener('input', () => this.applySearch());
    this.showChildren.addEventListener('change', () => this.render());
    this.showDeleted.addEventListener('change', () => this.render());
    this.columns.addEventListener('input', () => this.table.filterColumns(this.columns.value));
    store.addEventListener('change', () => void this.refresh());
    const importInput = h('input', { attrs: { type: 'file', accept: '.json,application/json', hidden: '', 'data-testid': 'runs-import-file' } });
    importInput.addEventListener('change', () => {
      const file = importInput.files?.[0];
      importInput.value = '';
      if (file) void this.act(async () => {
        const report = await importBundle(this.store, file);
        await this.experiments.refresh();
        if (report.experiments[0] !== undefined) this.experiments.activate(report.experiments[0]);
        // Say "imported" once the list shows what was imported.
        await this.refresh();
        return `Imported ${report.runs} runs${report.skippedRuns ? ` (${report.skippedRuns} already here, kept)` : ''} and ${report.versions} model versions.`;
      });
    });
    const button = (label: string, testId: string, click: () => void) => h('button', { attrs: { type: 'button', 'data-testid': testId }, on: { click } }, label);
    const selected = () => [...this.table.selected];
    const experimentFile = () => (this.experiments.active?.name ?? 'experiment').replace(/[^\w.-]+/g, '_');
    /** All experiments when ticked; else the selected runs, or the active experiment. */
    const mlrunsScope = (): ExportScope =>
      this.mlrunsAll.checked ? { all: true } : selected().length ? { runIds: selected() } : { experimentId: this.experiments.activeId };
    this.element = h('section', { className: 'tracking-panel', attrs: { 'aria-label': 'Runs' } },
      h('div', { className: 'tracking-top' }, this.experiments.element, this.storage),
      h('div', { className: 'runs-toolbar' },
        this.search,
        h('label', {}, this.showChildren, ' child runs'),
        h('label', {}, this.showDeleted, ' deleted runs'),
        this.columns),
      this.searchError,
      h('div', { className: 'runs-toolbar' },
        this.selection,
        button('Compare', 'runs-compare', () => this.compareSelected()),
        button('Delete', 'runs-delete', () => void this.act(async () => {
          await this.store.setRunsLifecycle(this.withChildren(selected()), 'deleted');
          return 'Deleted (tick "deleted runs" to see and restore them).';
        })),
        button('Restore', 'runs-restore', () => void this.act(async () => {
          await this.store.setRunsLifecycle(this.withChildren(selected()), 'active');
          return 'Restored.';
        })),
        h('span', { className: 'spacer' }),
        button('Export experiment', 'export-experiment', () => void this.act(async () => {
          await downloadBundle(this.store, { experimentId: this.experiments.activeId }, `${experimentFile()}.brasa.json`);
          return 'Exported the experiment.';
        })),
        button('Export selected', 'export-selected', () => void this.act(async () => {
          if (!selected().length) throw new Error('Select runs to export first.');
          await downloadBundle(this.store, { runIds: selected() }, 'runs.brasa.json');
          return `Exported ${selected().length} runs (with their child runs and models).`;
        })),
        button('Export as MLflow mlruns/', 'export-mlruns', () => void this.act(async () => {
          const scope = mlrunsScope();
          const problems = await downloadMlruns(this.store, scope, 'all' in scope ? 'all-experiments-mlruns.zip' : `${experimentFile()}-mlruns.zip`, actions.writeStageData);
          const what = 'all' in scope ? 'every experiment' : 'runIds' in scope ? `${scope.runIds.length} selected runs` : 'the experiment';
          const said = `Exported ${what} as an mlruns/ tree: unzip it, then MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri ./mlruns from that folder.`;
          return problems.length ? `${said} Models kept as Brasa's files only (not MLflow models): ${problems.join(' ')}` : said;
        })),
        h('label', { attrs: { title: 'Export every experiment (and the whole registry) as mlruns/, not only the selected runs or the active experiment' } },
          this.mlrunsAll, ' all experiments'),
        button('Import…', 'runs-import', () => importInput.click()),
        importInput),
      this.message,
      this.table.element,
      this.compare.element,
      this.details.element,
    );
  }

  /** Loads the runs, asks for persistent storage, and shows the usage. */
  async start(): Promise<void> {
    await this.experiments.refresh();
    await this.refresh();
    void TrackingStore.persist().then(() => this.showUsage());
  }

  /**
   * Reloads the runs of the active experiment. Bursts of store changes coalesce into one
   * reload, but a request made while a reload is reading runs another one after it: the
   * one in flight may have read another experiment (the import that switches to the
   * imported experiment did exactly that, and the list stayed empty).
   */
  async refresh(): Promise<void> {
    this.refreshAgain = true;
    this.refreshing ??= (async () => {
      while (this.refreshAgain) {
        this.refreshAgain = false;
        await Promise.resolve();
        this.rows = (await this.store.runs(this.experiments.activeId)).map(toRow);
      }
      this.render();
      void this.showUsage();
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async open(runId: string): Promise<void> {
    await this.details.show(runId);
    this.details.element.scrollIntoView({ block: 'nearest' });
  }

  private applySearch(): void {
    try {
      this.clauses = parseFilter(this.search.value);
      replaceChildren(this.searchError);
      this.search.removeAttribute('aria-invalid');
    } catch (error) {
      if (!(error instanceof SearchSyntaxError)) throw error;
      replaceChildren(this.searchError, `Search: ${error.message}`);
      this.search.setAttribute('aria-invalid', 'true');
      return; // keep the last valid filter's rows
    }
    this.render();
  }

  private render(): void {
    const visible = this.rows.filter(
      (row) =>
        (this.showDeleted.checked || row.run.lifecycleStage === 'active') &&
        (this.showChildren.checked || !row.run.tags[TAG_PARENT_RUN_ID]) &&
        matches(row.run, this.clauses, row.metrics),
    );
    this.table.show(visible, this.rows);
    this.selectionChanged(this.table.selected);
  }

  private selectionChanged(selected: Set<string>): void {
    replaceChildren(this.selection, selected.size ? `${selected.size} selected` : 'Select runs to compare, delete or export');
  }

  /** A parent's child runs go along when it is deleted or restored. */
  private withChildren(ids: string[]): string[] {
    const set = new Set(ids);
    for (const row of this.rows) if (set.has(row.run.tags[TAG_PARENT_RUN_ID] ?? '')) set.add(row.run.runId);
    return [...set];
  }

  private compareSelected(): void {
    const rows = this.rows.filter((r) => this.table.selected.has(r.run.runId));
    if (rows.length < 2) {
      replaceChildren(this.message, h('span', { className: 'error-text' }, 'Select at least two runs to compare.'));
      return;
    }
    replaceChildren(this.message);
    this.compare.show(rows);
  }

  private async act(fn: () => Promise<string>): Promise<void> {
    try {
      replaceChildren(this.message, await fn());
    } catch (error) {
      replaceChildren(this.message, h('span', { className: 'error-text' }, (error as Error).message));
    }
  }

  private async showUsage(): Promise<void> {
    const usage = await TrackingStore.usage().catch(() => undefined);
    if (!usage) {
      replaceChildren(this.storage, 'Storage use unknown in this browser.');
      return;
    }
    replaceChildren(this.storage,
      `Storage: ${formatBytes(usage.usage)} of ${formatBytes(usage.quota)} used · `,
      usage.persisted ? 'persistent' : h('span', { attrs: { title: 'The browser may evict the runs under storage pressure; export what you want to keep.' } }, 'not persistent (best effort)'));
  }
}
