/**
 * The Train tab: the settings form (`settings/`), Train with progress and Cancel, the
 * results of the estimator's task (`results/`), and Score to apply the model to any
 * loaded table. Each training is reported to the observer (the tracking feature) with
 * every chart drawn.
 */
import type { CleanedSource } from '../../clean/client/pipeline-panel';
import type { TableStore } from '../../data/client/table-store';
import type { EngineClient, Job } from '../../engine/client/engine-client';
import type { TableInfo } from '../../engine/shared/api';
import { CANCELLED, errorPlace, isCodedError } from '../../engine/shared/errors';
import { h, replaceChildren } from '../../ui/dom';
import { select } from '../../ui/form';
import { formatCount } from '../../ui/format';
import type { TaskKind, TrainResult, TrainSpec } from '../shared/training';
import { type ChartView, chartName } from './charts/chart-view';
import { resultsView, summary } from './results/results-view';
import { TrainSettings } from './settings/train-settings';
import type { TrainingObserver, TrainingRecord } from './training-observer';

/** The columns scoring adds, by task (Spark's `transform` output). */
const SCORED_COLUMNS: Record<TaskKind, string> = {
  regression: 'a prediction column',
  classification: 'rawPrediction_<class> and probability_<class> columns, prediction (the class index) and predictedLabel',
  clustering: 'a prediction column (the cluster index)',
};

export class TrainPanel {
  readonly element: HTMLElement;
  private tables: readonly TableInfo[] = [];
  private readonly settings: TrainSettings;
  private readonly trainButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly progress = h('progress', { attrs: { max: '1', hidden: '' } });
  private readonly status = h('div', { className: 'train-status', attrs: { 'data-testid': 'train-status', role: 'status' } });
  private readonly output = h('div', { className: 'train-output', attrs: { 'data-testid': 'train-output' } });
  private job?: Job<TrainResult>;
  /** The last result shown, with the job that made it (scoring reads its handleInvalid). */
  private trained?: { result: TrainResult; spec: TrainSpec };
  private charts: ChartView[] = [];
  /** Records each training (the tracking feature), when there is one. */
  observer?: TrainingObserver;

  constructor(
    private readonly engine: EngineClient,
    store: TableStore,
    private readonly onTableCreated: (table: TableInfo) => void,
    /** The Clean tab's pipeline for a table, when it has one that ran. */
    cleanedSource: (table: string) => CleanedSource | undefined = () => undefined,
  ) {
    this.settings = new TrainSettings(cleanedSource);
    this.trainButton = h('button', { className: 'primary compact', attrs: { type: 'button', 'data-testid': 'train-run' }, on: { click: () => void this.train() } }, 'Train');
    this.cancelButton = h('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'train-cancel' }, on: { click: () => this.job?.cancel() } }, 'Cancel');
    this.element = h(
      'section',
      { className: 'train-panel', attrs: { 'aria-label': 'Train' } },
      this.settings.element,
      h('div', { className: 'sql-toolbar' }, this.trainButton, this.cancelButton, this.progress, this.status),
      this.output,
    );
    store.subscribe((tables) => {
      this.tables = tables;
      this.settings.setTables(tables);
    });
  }

  /** The Clean tab's pipeline changed: the columns offered follow it. */
  pipelineChanged(): void {
    this.settings.pipelineChanged();
  }

  /**
   * Replays a recorded job: shows its settings in the form and trains with exactly that
   * spec (its pipeline included) on `table`. `tags` go on the new run.
   */
  replay(table: string, spec: TrainSpec, tags: Record<string, string> = {}): Promise<void> {
    if (!this.tables.some((t) => t.name === table)) {
      replaceChildren(this.status, h('span', { className: 'error-text', attrs: { 'data-testid': 'train-error' } }, `No table named ${table} is loaded.`));
      return Promise.resolve();
    }
    this.settings.show(table, spec);
    return this.train({ table, spec, tags });
  }

  private async train(replay?: { table: string; spec: TrainSpec; tags: Record<string, string> }): Promise<void> {
    if (this.job) return;
    let spec: TrainSpec;
    try {
      spec = replay?.spec ?? this.settings.spec();
    } catch (error) {
      replaceChildren(this.status, h('span', { className: 'error-text', attrs: { 'data-testid': 'train-error' } }, String((error as Error).message)));
      return;
    }
    const table = replay?.table ?? this.settings.tableName;
    const info = this.tables.find((t) => t.name === table);
    this.setRunning(true);
    let record: TrainingRecord | undefined;
    try {
      if (this.observer && info) record = await this.observer.started(info, spec, replay?.tags);
    } catch (error) {
      replaceChildren(this.status, h('span', { className: 'error-text', attrs: { 'data-testid': 'train-error' } },
        `The run could not be recorded, so training did not start: ${String((error as Error).message ?? error)}`));
      this.setRunning(false);
      return;
    }
    replaceChildren(this.status, 'Training…');
    this.progress.removeAttribute('hidden');
    const job = this.engine.train(table, spec, (done, total) => {
      this.progress.value = total > 0 ? Math.min(done / total, 0.99) : 0;
      replaceChildren(this.status, `Training… ${formatCount(done)} of ${formatCount(total)} partition passes`);
    });
    this.job = job;
    try {
      const result = await job.done;
      this.show(result, spec, table);
      if (record) await this.settle(record.finished(result, this.charts.map((c) => ({ name: chartName(c), canvas: c.chart.canvas }))), record);
    } catch (error) {
      const cancelled = isCodedError(error) && error.code === CANCELLED;
      const message = cancelled ? 'Training cancelled.' : error instanceof Error ? error.message : String(error);
      replaceChildren(this.status, cancelled ? h('span', { attrs: { 'data-testid': 'train-error' } }, message) : errorText(error));
      this.clearOutput();
      if (record) await this.settle(record.failed(message, cancelled ? 'KILLED' : 'FAILED'), record);
    } finally {
      this.progress.setAttribute('hidden', '');
      this.job = undefined;
      this.setRunning(false);
    }
  }

  /** Waits for the tracker and names the run; says so if it could not be saved (the result stays shown). */
  private async settle(saving: Promise<void>, record: TrainingRecord): Promise<void> {
    try {
      await saving;
      this.status.dataset.runId = record.runId;
      this.status.append(h('span', { className: 'hint', attrs: { 'data-testid': 'train-run-name' } }, ` · recorded as run ${record.runName} (Runs tab)`));
    } catch (error) {
      this.status.append(h('span', { className: 'error-text', attrs: { 'data-testid': 'train-record-error' } },
        ` · the run was not saved: ${String((error as Error).message ?? error)}`));
    }
  }

  private setRunning(running: boolean): void {
    this.trainButton.disabled = running;
    this.cancelButton.disabled = !running;
  }

  private clearOutput(): void {
    for (const view of this.charts) view.chart.destroy();
    this.charts = [];
    this.trained = undefined;
    replaceChildren(this.output);
  }

  private show(result: TrainResult, spec: TrainSpec, table: string): void {
    const axes = spec.grid.map((axis) => axis.param);
    replaceChildren(this.status, summary(result, axes));
    this.clearOutput();
    const view = resultsView(result, axes);
    this.charts = view.charts;
    this.trained = { result, spec };
    replaceChildren(this.output, view.element, this.scoreForm(result.task, table));
  }

  /** Score: a loaded table through the model into `<table>_predictions`. */
  private scoreForm(task: TaskKind, table: string): HTMLElement {
    const scoreTable = select('predict-table', this.tables.map((t) => [t.name, t.name]));
    scoreTable.value = table;
    const scoreButton = h('button', { attrs: { type: 'button', 'data-testid': 'predict-run' }, on: { click: () => void this.score(scoreTable.value) } }, 'Score');
    return h('div', { className: 'predict' }, h('h3', {}, 'Predict'),
      'Score ', scoreTable, ` with this model → a new table with ${SCORED_COLUMNS[task]} `, scoreButton);
  }

  private async score(table: string): Promise<void> {
    if (!this.trained) return;
    const { result, spec } = this.trained;
    try {
      const info = await this.engine.predict(table, {
        features: result.features,
        model: result.model,
        labels: result.labels,
        // Rows a training would skip are skipped; otherwise a row that cannot be scored gets NULLs.
        handleInvalid: spec.handleInvalid === 'skip' ? 'skip' : 'keep',
        ...(result.pipeline ? { pipeline: result.pipeline } : {}),
      });
      this.onTableCreated(info);
    } catch (error) {
      replaceChildren(this.status, errorText(error));
    }
  }
}

/** An engine error as the tab shows it: the message, then its code and where it points. */
function errorText(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  const details = isCodedError(error) ? [error.code, errorPlace(error)].filter(Boolean).join(' · ') : '';
  return h('span', { className: 'error-text', attrs: { 'data-testid': 'train-error' } },
    message,
    details && h('span', { className: 'hint' }, ` (${details})`),
  );
}
