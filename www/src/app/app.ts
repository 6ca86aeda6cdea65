/** The page: header with engine status, tables on the left, the selected table on the right. */
import { PipelinePanel } from '../clean/client/pipeline-panel';
import { DropZone } from '../data/client/drop-zone';
import { loadDropped } from '../data/client/file-groups';
import { Loads, explain } from '../data/client/loads';
import { ProfileView } from '../data/client/profile-view';
import { TableList } from '../data/client/table-list';
import { TableStore } from '../data/client/table-store';
import { TableView } from '../data/client/table-view';
import type { EngineClient, RestartDetail } from '../engine/client/engine-client';
import type { LoadedTable } from '../engine/shared/api';
import { TrainPanel } from '../ml/client/train-panel';
import { PredictPanel } from '../models/client/predict-panel';
import { RegistryPanel } from '../models/client/registry-panel';
import type { ServiceWorkerState } from '../offline/client/service-worker';
import { SqlPanel } from '../sql/client/sql-panel';
import { Recorder, sweepOrphans } from '../tracking/client/recorder';
import { TrackingStore } from '../tracking/client/store';
import { TrackingPanel } from '../tracking/client/tracking-panel';
import { h, replaceChildren } from '../ui/dom';
import { Notices } from '../ui/notices';
import { StatusBar } from './status-bar';

export interface AppOptions {
  /** The sample CSV to load at start (already downloading), or `undefined` for none. */
  sample?: Promise<File>;
  /**
   * Setting up the service worker: the engine starts once it is done (`reloading`: the
   * page is about to reload with isolation, so it does not start).
   */
  serviceWorker?: Promise<ServiceWorkerState | 'reloading'>;
  /**
   * Registers the service worker for offline use once the sample is on screen; resolves
   * to why it could not, if it could not.
   */
  registerForOffline?: () => Promise<string | undefined>;
  /**
   * Rows of the engine's rehearsal of a load, a profile and queries on generated rows once
   * the page is ready, so the browser compiles its hot code before the person's first file
   * (`EngineClient.warmUp`); 0 or none: no rehearsal.
   */
  warmUpRows?: number;
}

export class App {
  /** The engine's tables as every panel sees them. */
  private readonly tables = new TableStore();
  /** True while the files of a restarted engine are being reloaded. */
  private recovering = false;
  /** True while the sample dataset of a first visit loads. */
  private loadingSample = false;
  private selected?: string;
  private readonly status = new StatusBar();
  private readonly notices = new Notices();
  private readonly jobs = h('div', { className: 'jobs', attrs: { 'aria-label': 'Running jobs' } });
  private readonly list: TableList;
  private readonly view: TableView;
  private readonly loads: Loads;
  private readonly dropZone: DropZone;
  private readonly sql: SqlPanel;
  private readonly profiler: ProfileView;
  private readonly cleaner: PipelinePanel;
  private readonly trainer: TrainPanel;
  private readonly tabs: Tabs;
  /** The Runs and Models tabs, filled once the tracking store is open. */
  private readonly runsTab = h('section', { className: 'tracking-tab', attrs: { 'data-testid': 'runs-tab' } }, 'Opening the run store…');
  private readonly modelsTab = h('section', { className: 'tracking-tab', attrs: { 'data-testid': 'models-tab' } }, 'Opening the model registry…');
  private tracking?: { store: TrackingStore; runs: TrackingPanel; predict: PredictPanel };

  constructor(
    private readonly root: HTMLElement,
    private readonly engine: EngineClient,
  ) {
    this.list = new TableList(this.tables, { select: (name) => this.select(name), drop: (name) => void this.drop(name) });
    this.view = new TableView(engine, {
      rereadWorkbook: (table, patch) => this.loads.reloadWorkbook(table.name, patch),
      reload: (table, patch) => this.loads.reloadWith(table.name, patch),
    });
    // Tables reloaded after a restart come back without taking the user to the Table tab.
    // A reload after a restart keeps the tab the user is on; so does the sample when the
    // user already chose a tab while it loaded.
    this.loads = new Loads(engine, this.notices, this.jobs, (table) =>
      this.added(table, !this.recovering, !(this.loadingSample && this.tabs.chosenByUser)),
    );
    this.dropZone = new DropZone(
      // Several files of one format may be one table: the user is asked (file-groups.ts).
      (files) => loadDropped(files, this.notices, (inputs) => void this.loads.load(inputs)),
      (error) => this.notices.show('error', 'Could not read the dropped folder', explain(error)),
    );
    this.sql = new SqlPanel(engine, this.tables, (_, statement) => this.catalogChanged(statement));
    this.profiler = new ProfileView(engine, this.tables);
    // The Train tab reads the Clean tab's pipeline, which does not exist yet while the
    // Train tab is built (and shows its first columns).
    this.trainer = new TrainPanel(engine, this.tables, (table) => this.added({ ...table }), (table) => this.cleaner?.cleanedSource(table));
    this.cleaner = new PipelinePanel(engine, this.tables, {
      tableCreated: (table) => this.added({ ...table }),
      changed: () => this.trainer.pipelineChanged(),
      profile: (name, label) => {
        this.profiler.offer([{ name, label }]);
        this.tabs.show('profile');
        void this.profiler.run(name);
      },
    });
    this.tabs = new Tabs([
      { id: 'table', label: 'Table', panel: this.view.element },
      { id: 'profile', label: 'Profile', panel: this.profiler.element },
      { id: 'clean', label: 'Clean', panel: this.cleaner.element },
      { id: 'sql', label: 'SQL', panel: this.sql.element },
      { id: 'train', label: 'Train', panel: this.trainer.element },
      { id: 'runs', label: 'Runs', panel: this.runsTab },
      { id: 'models', label: 'Models', panel: this.modelsTab },
    ]);
    engine.addEventListener('restarted', (event) => void this.recover((event as CustomEvent<RestartDetail>).detail));
  }

  async start(options: AppOptions): Promise<void> {
    this.render();
    const serviceWorker = await options.serviceWorker;
    if (serviceWorker === 'reloading') {
      this.status.reloading();
      return;
    }
    this.status.serviceWorker = serviceWorker;
    const tracking = this.startTracking();
    try {
      this.status.show(await this.engine.start());
    } catch (error) {
      this.status.failed(String(error));
      this.notices.show('error', 'The engine could not start', explain(error));
      return;
    }
    if (options.sample) await this.loadSample(options.sample);
    if (options.warmUpRows) this.warmUp(options.warmUpRows);
    // (Where setting it up already failed, the status bar says why.)
    const offlineProblem = serviceWorker?.problem ? undefined : await options.registerForOffline?.();
    if (offlineProblem) this.notices.show('warning', 'This page will not work offline', [offlineProblem]);
    await tracking;
  }

  /**
   * Starts the engine's rehearsal (a few hundred milliseconds of the engine worker, once,
   * while the person has not yet picked a file). It changes no table; if it fails, the
   * first real load is only slower, so the failure goes to the console, not to a notice.
   */
  private warmUp(rows: number): void {
    this.engine.warmUp(rows).then(
      (spent) => this.status.warmedUp(spent),
      (error: unknown) => console.warn('the engine warm-up failed (the first load will be slower)', error),
    );
  }

  /**
   * Opens the run store, records every training from now on, and marks FAILED the runs a
   * closed or reloaded page left RUNNING.
   */
  private async startTracking(): Promise<void> {
    let store: TrackingStore;
    try {
      store = await TrackingStore.open();
    } catch (error) {
      const lines = ['Trainings are not recorded. The browser may block storage for this site (private mode?).', ...explain(error)];
      this.notices.show('error', 'The run store (IndexedDB) could not be opened', lines);
      replaceChildren(this.runsTab, lines.join(' '));
      replaceChildren(this.modelsTab, lines.join(' '));
      return;
    }
    const runs = new TrackingPanel(store, {
      tables: () => this.tables.list().map((t) => t.name),
      digestOf: (table) => this.engine.tableDigest(table),
      writeStageData: (data) => this.engine.sparkStageData(data),
      replay: async (job, table, tags) => {
        this.tabs.show('train');
        await this.trainer.replay(table, job.spec, tags);
      },
    });
    const predict = new PredictPanel(store, this.engine, this.tables, {
      loadFile: async (file) => {
        const before = new Set(this.tables.list().map((t) => t.name));
        await this.loads.load([file]);
        this.tabs.show('models');
        return this.tables.list().find((t) => !before.has(t.name));
      },
      created: (table) => this.added({ ...table }, false),
    });
    const registry = new RegistryPanel(store, {
      openRun: (runId) => {
        this.tabs.show('runs');
        void runs.open(runId);
      },
      predictWith: (uri) => predict.use(uri),
      writeStageData: (data) => this.engine.sparkStageData(data),
      readStageData: (className, part, files) => this.engine.readSparkStageData(className, part, files),
      experimentId: () => runs.experiments.activeId,
    });
    this.tracking = { store, runs, predict };
    this.trainer.observer = new Recorder(store, this.engine, () => runs.experiments.activeId);
    replaceChildren(this.runsTab, runs.element);
    replaceChildren(this.modelsTab, registry.element, predict.element);
    await this.sweep('The page was closed or reloaded during the training.');
    await Promise.all([runs.start(), registry.refresh()]);
  }

  /** Marks FAILED the RUNNING runs nobody is training any more, and says so. */
  private async sweep(reason: string): Promise<void> {
    if (!this.tracking) return;
    try {
      const ended = await sweepOrphans(this.tracking.store, reason);
      if (ended.length) {
        this.notices.show('warning', `${ended.length} interrupted ${ended.length === 1 ? 'run was' : 'runs were'} marked FAILED`, [reason]);
      }
    } catch (error) {
      this.notices.show('error', 'Could not check for interrupted runs', explain(error));
    }
  }

  private render(): void {
    this.root.replaceChildren(
      h('header', { className: 'app-header' },
        h('h1', {}, 'Brasa'),
        h('span', { className: 'tagline' }, 'Spark-style data work in your browser. Nothing leaves this tab.'),
        this.status.element,
        h('button', {
          className: 'quiet',
          attrs: { type: 'button', 'data-testid': 'restart-engine', title: 'Restart the engine and reload its tables' },
          on: { click: () => void this.engine.simulateCrash() },
        }, 'Restart engine'),
      ),
      h('div', { className: 'app-main' },
        h('aside', { className: 'sidebar' }, this.dropZone.button, this.list.element),
        h('main', { className: 'content' }, this.notices.element, this.jobs, this.tabs.bar, ...this.tabs.panels()),
      ),
      this.dropZone.overlay,
    );
  }

  private async loadSample(sample: Promise<File>): Promise<void> {
    this.loadingSample = true;
    try {
      await this.loads.load([await sample]);
    } catch (error) {
      this.notices.show('warning', 'The sample dataset could not be loaded', explain(error));
    } finally {
      this.loadingSample = false;
    }
  }

  /**
   * A new table (loaded, made by SQL or scoring); `show` selects it, and `switchTab`
   * brings the Table tab forward for it.
   */
  private added(table: LoadedTable, show = true, switchTab = true): void {
    this.tables.put(table);
    if (show) this.select(table.name, switchTab);
    void this.engine.refreshStatus().then((status) => this.status.show(status), () => {});
  }

  /** A SQL statement created or dropped tables or views: follow the engine's catalog. */
  private async catalogChanged(statement: string): Promise<void> {
    this.loads.rememberStatement(statement);
    await this.followCatalog();
  }

  /** Lists the engine's tables (those made by SQL included) and views into the store. */
  private async followCatalog(): Promise<void> {
    try {
      const [infos, catalog] = await Promise.all([this.engine.tables(), this.engine.catalog()]);
      this.tables.sync(infos, catalog.views);
      if (this.selected && !this.tables.has(this.selected)) {
        this.selected = undefined;
        this.list.select(undefined);
        this.view.clear();
      }
      this.status.show(await this.engine.refreshStatus());
    } catch (error) {
      this.notices.show('error', 'Could not refresh the table list', explain(error));
    }
  }

  private select(name: string, switchTab = true): void {
    if (switchTab) this.tabs.show('table');
    this.selected = name;
    this.list.select(name);
    const table = this.tables.get(name);
    if (table) this.view.show(table);
    else this.view.clear();
  }

  private async drop(name: string): Promise<void> {
    try {
      await this.engine.dropTable(name);
    } catch (error) {
      this.notices.show('error', `Could not drop ${name}`, explain(error));
      return;
    }
    this.loads.forget(name);
    this.tables.remove(name);
    const next = this.selected === name ? this.tables.list().at(-1)?.name : this.selected;
    if (next) this.select(next);
    else {
      this.selected = undefined;
      this.list.select(undefined);
      this.view.clear();
    }
  }

  /** After a restart the engine is empty: say so, and reload the files it held. */
  private async recover(detail: RestartDetail): Promise<void> {
    this.status.show(detail.status);
    const names = this.tables.list().map((t) => t.name);
    this.tables.clear();
    this.selected = undefined;
    this.list.select(undefined);
    this.view.clear();
    const close = this.notices.show('warning', 'The engine was restarted', [
      `Reason: ${detail.reason}.`,
      names.length > 0 ? `Reloading ${names.join(', ')} from the files you opened…` : 'No tables were loaded.',
    ]);
    this.recovering = true;
    const failed = await this.loads.reloadAll().finally(() => {
      this.recovering = false;
    });
    // Tables made by the replayed statements are in the engine, not yet in the list.
    await this.followCatalog();
    close();
    // What is back is what the engine lists now (a replayed statement that failed leaves
    // its table out).
    const reloaded = names.filter((n) => this.tables.has(n));
    this.notices.show('warning', 'The engine was restarted', [
      `Reason: ${detail.reason}.`,
      names.length === 0
        ? 'No tables needed reloading.'
        : failed.length === 0
          ? `Reloaded ${reloaded.join(', ')}.`
          : `Reloaded ${reloaded.join(', ') || 'nothing'}; could not reload ${failed.join(', ')}.`,
    ]);
    await this.sweep('The engine stopped during the training.');
  }
}

interface Tab {
  id: string;
  label: string;
  panel: HTMLElement;
}

/** A tab bar that shows one panel at a time (the others stay in the page, hidden). */
class Tabs {
  readonly bar: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  /** Whether the user has picked a tab, which a table loading by itself must not undo. */
  chosenByUser = false;

  constructor(private readonly tabs: Tab[]) {
    this.bar = h('div', { className: 'tabs', attrs: { role: 'tablist' } });
    for (const tab of tabs) {
      const button = h(
        'button',
        {
          className: 'tab',
          attrs: { type: 'button', role: 'tab', 'data-testid': `tab-${tab.id}` },
          on: {
            click: () => {
              this.chosenByUser = true;
              this.show(tab.id);
            },
          },
        },
        tab.label,
      );
      this.buttons.set(tab.id, button);
      this.bar.append(button);
      tab.panel.setAttribute('role', 'tabpanel');
    }
    this.show(tabs[0]?.id ?? '');
  }

  panels(): HTMLElement[] {
    return this.tabs.map((t) => t.panel);
  }

  show(id: string): void {
    for (const tab of this.tabs) {
      const active = tab.id === id;
      tab.panel.hidden = !active;
      this.buttons.get(tab.id)?.setAttribute('aria-selected', String(active));
    }
  }
}
