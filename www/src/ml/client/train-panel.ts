/**
 * The Train tab: pick a table, a label and features, LinearRegression's params, a grid
 * and the tuning (CrossValidator or TrainValidationSplit), press Train; see the grid
 * with the metric per point, the best point, the refitted model's coefficients, its
 * metrics and charts; score any loaded table with it. An optional StandardScaler stage
 * runs before the regression, fitted on each training split.
 */
import type { CleanedSource } from '../../clean/client/pipeline-panel';
import type { TableStore } from '../../data/client/table-store';
import type { EngineClient, Job } from '../../engine/client/engine-client';
import type { ColumnInfo, TableInfo } from '../../engine/shared/api';
import { CANCELLED, errorPlace, isCodedError } from '../../engine/shared/errors';
import { h, replaceChildren } from '../../ui/dom';
import { checkbox, field, input, parseNumber, select } from '../../ui/form';
import { type ChartView, gridChart, predictedVsActualChart, residualsChart } from './charts';
import type { TrainingObserver, TrainingRecord } from './training-observer';
import { formatCount, formatDuration } from '../../ui/format';
import {
  DEFAULT_PARAMS,
  type GridAxis,
  type HandleInvalid,
  type Metrics,
  type MetricName,
  type TrainResult,
  type TrainSpec,
} from '../shared/training';

const NUMERIC = /^(tinyint|smallint|int|bigint|float|double|boolean|decimal\(.*\))$/;

/** Parses "0, 0.01, 0.1" into numbers; empty means "not tuned". */
function parseValues(text: string, what: string): number[] {
  return text
    .split(/[,\s]+/)
    .filter((p) => p !== '')
    .map((p) => parseNumber(p, what));
}

/** Six significant digits, exponential outside [1e-3, 1e5). */
const fmt = (x: number) =>
  Number.isFinite(x) ? (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : String(Number(x.toPrecision(6)))) : '—';

/** A number shown rounded, with its full value in `data-value` (for copying and tests). */
const valueCell = (x: number) => h('td', { attrs: { 'data-value': String(x), title: String(x) } }, fmt(x));

export class TrainPanel {
  readonly element: HTMLElement;
  private tables: readonly TableInfo[] = [];
  private readonly table = select('train-table', []);
  private readonly label = select('train-label', []);
  private readonly features = h('div', { className: 'train-features', attrs: { 'data-testid': 'train-features' } });
  private readonly usePipeline = checkbox('train-use-pipeline', false);
  private readonly pipelineHint = h('span', { className: 'hint', attrs: { 'data-testid': 'train-pipeline-hint' } });
  private readonly handleInvalid = select('train-handle-invalid', [
    ['error', 'error (Spark default)'],
    ['skip', 'skip rows with NULL/NaN'],
  ]);
  private readonly scale = checkbox('train-scaler', false);
  private readonly withMean = checkbox('train-with-mean', false);
  private readonly withStd = checkbox('train-with-std', true);
  private readonly regParams = input('train-reg-params', '0, 0.01, 0.1, 1', 16);
  private readonly elasticNetParams = input('train-elastic-net-params', '0, 0.5, 1', 12);
  private readonly fitIntercept = checkbox('train-fit-intercept', DEFAULT_PARAMS.fitIntercept);
  private readonly standardization = checkbox('train-standardization', DEFAULT_PARAMS.standardization);
  private readonly tuning = select('train-tuning', [
    ['crossValidator', 'CrossValidator'],
    ['trainValidationSplit', 'TrainValidationSplit'],
  ]);
  private readonly numFolds = input('train-num-folds', '3', 3);
  private readonly trainRatio = input('train-train-ratio', '0.75', 4);
  private readonly seed = input('train-seed', '42', 6);
  private readonly metric = select('train-metric', [
    ['rmse', 'rmse'],
    ['mse', 'mse'],
    ['mae', 'mae'],
    ['r2', 'r2'],
    ['var', 'var'],
  ]);
  private readonly testFraction = input('train-test-fraction', '0', 4);
  private readonly trainButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly progress = h('progress', { attrs: { max: '1', hidden: '' } });
  private readonly status = h('div', { className: 'train-status', attrs: { 'data-testid': 'train-status', role: 'status' } });
  private readonly output = h('div', { className: 'train-output', attrs: { 'data-testid': 'train-output' } });
  private job?: Job<TrainResult>;
  private result?: TrainResult;
  private charts: ChartView[] = [];
  /** Records each training (the tracking feature), when there is one. */
  observer?: TrainingObserver;

  constructor(
    private readonly engine: EngineClient,
    store: TableStore,
    private readonly onTableCreated: (table: TableInfo) => void,
    /** The Clean tab's pipeline for a table, when it has one that ran. */
    private readonly cleanedSource: (table: string) => CleanedSource | undefined = () => undefined,
  ) {
    this.table.addEventListener('change', () => this.showColumns());
    this.usePipeline.addEventListener('change', () => this.showColumns());
    this.label.addEventListener('change', () => this.showFeatures());
    this.trainButton = h('button', { className: 'primary compact', attrs: { type: 'button', 'data-testid': 'train-run' }, on: { click: () => void this.train() } }, 'Train');
    this.cancelButton = h('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'train-cancel' }, on: { click: () => this.job?.cancel() } }, 'Cancel');
    this.element = h(
      'section',
      { className: 'train-panel', attrs: { 'aria-label': 'Train' } },
      h('div', { className: 'train-form' },
        h('fieldset', {}, h('legend', {}, 'Data'),
          field('Table', this.table),
          h('label', { className: 'field' }, h('span', { className: 'field-label' }, 'Cleaning pipeline'), h('span', {}, this.usePipeline, ' apply the Clean tab\'s pipeline first'), this.pipelineHint),
          field('Label', this.label),
          field('Features (VectorAssembler)', this.features), field('handleInvalid', this.handleInvalid)),
        h('fieldset', {}, h('legend', {}, 'StandardScaler'),
          field('Scale features', this.scale, 'fitted on each training split'),
          field('withMean', this.withMean), field('withStd', this.withStd)),
        h('fieldset', {}, h('legend', {}, 'LinearRegression'),
          field('regParam grid', this.regParams, 'values to try, comma-separated'),
          field('elasticNetParam grid', this.elasticNetParams, '0 = ridge, 1 = lasso'),
          field('fitIntercept', this.fitIntercept), field('standardization', this.standardization)),
        h('fieldset', {}, h('legend', {}, 'Tuning'),
          field('Validator', this.tuning), field('numFolds', this.numFolds), field('trainRatio', this.trainRatio),
          field('seed', this.seed), field('Metric', this.metric), field('Test fraction', this.testFraction, 'held out before tuning'))),
      h('div', { className: 'sql-toolbar' }, this.trainButton, this.cancelButton, this.progress, this.status),
      this.output,
    );
    store.subscribe((tables) => this.setTables(tables));
  }

  /** Follows the loaded tables (after loads, SQL, scoring, drops, restarts). */
  private setTables(tables: readonly TableInfo[]): void {
    this.tables = tables;
    const current = this.table.value;
    replaceChildren(this.table, ...this.tables.map((t) => h('option', { attrs: { value: t.name } }, t.name)));
    if (this.tables.some((t) => t.name === current)) this.table.value = current;
    this.showColumns();
  }

  /** The Clean tab's pipeline changed: the columns offered follow it. */
  pipelineChanged(): void {
    this.showColumns();
  }

  /** The Clean tab's pipeline when it applies to the chosen table and is ticked. */
  private pipeline(): CleanedSource | undefined {
    const cleaned = this.cleanedSource(this.table.value);
    return cleaned && this.usePipeline.checked ? cleaned : undefined;
  }

  private numericColumns(): ColumnInfo[] {
    const cleaned = this.pipeline();
    const columns = cleaned ? cleaned.columns : this.tables.find((t) => t.name === this.table.value)?.columns;
    return (columns ?? []).filter((c) => NUMERIC.test(c.dataType));
  }

  private showColumns(): void {
    const cleaned = this.cleanedSource(this.table.value);
    this.usePipeline.disabled = !cleaned;
    if (!cleaned) this.usePipeline.checked = false;
    this.pipelineHint.textContent = cleaned
      ? `${cleaned.spec.steps.length} step${cleaned.spec.steps.length === 1 ? '' : 's'}, fitted on the whole table before tuning`
      : 'build one in the Clean tab for this table';
    const numeric = this.numericColumns();
    const current = this.label.value;
    replaceChildren(this.label, ...numeric.map((c) => h('option', { attrs: { value: c.name } }, `${c.name} (${c.dataType})`)));
    if (numeric.some((c) => c.name === current)) this.label.value = current;
    this.showFeatures();
  }

  private showFeatures(): void {
    const numeric = this.numericColumns().filter((c) => c.name !== this.label.value);
    replaceChildren(
      this.features,
      ...numeric.map((c) => {
        const box = checkbox(`feature-${c.name}`, true);
        box.value = c.name;
        return h('label', { className: 'feature' }, box, ` ${c.name}`);
      }),
    );
  }

  private spec(): TrainSpec {
    const features = [...this.features.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((b) => b.checked).map((b) => b.value);
    const grid: GridAxis[] = [];
    const regParams = parseValues(this.regParams.value, 'regParam');
    const elasticNetParams = parseValues(this.elasticNetParams.value, 'elasticNetParam');
    if (regParams.length) grid.push({ param: 'regParam', values: regParams });
    if (elasticNetParams.length) grid.push({ param: 'elasticNetParam', values: elasticNetParams });
    const number = (el: HTMLInputElement, what: string) => parseNumber(el.value, what);
    return {
      features,
      label: this.label.value,
      handleInvalid: this.handleInvalid.value as HandleInvalid,
      scaler: this.scale.checked ? { withMean: this.withMean.checked, withStd: this.withStd.checked } : null,
      params: { ...DEFAULT_PARAMS, fitIntercept: this.fitIntercept.checked, standardization: this.standardization.checked },
      grid,
      tuning:
        this.tuning.value === 'crossValidator'
          ? { kind: 'crossValidator', numFolds: number(this.numFolds, 'numFolds') }
          : { kind: 'trainValidationSplit', trainRatio: number(this.trainRatio, 'trainRatio') },
      metric: this.metric.value as MetricName,
      testFraction: number(this.testFraction, 'Test fraction'),
      seed: number(this.seed, 'seed'),
      ...(this.pipeline() ? { pipeline: this.pipeline()?.spec } : {}),
    };
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
    this.showSpec(table, spec);
    return this.train({ table, spec, tags });
  }

  /** Puts a spec's settings in the form (the columns it names must exist in `table`). */
  private showSpec(table: string, spec: TrainSpec): void {
    this.table.value = table;
    this.showColumns();
    this.label.value = spec.label;
    this.showFeatures();
    for (const box of this.features.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) box.checked = spec.features.includes(box.value);
    this.handleInvalid.value = spec.handleInvalid === 'skip' ? 'skip' : 'error';
    this.scale.checked = spec.scaler !== null;
    this.withMean.checked = spec.scaler?.withMean ?? false;
    this.withStd.checked = spec.scaler?.withStd ?? true;
    const values = (param: string) => spec.grid.find((a) => a.param === param)?.values.join(', ') ?? '';
    this.regParams.value = values('regParam');
    this.elasticNetParams.value = values('elasticNetParam');
    this.fitIntercept.checked = spec.params.fitIntercept;
    this.standardization.checked = spec.params.standardization;
    this.tuning.value = spec.tuning.kind;
    if (spec.tuning.kind === 'crossValidator') this.numFolds.value = String(spec.tuning.numFolds);
    else this.trainRatio.value = String(spec.tuning.trainRatio);
    this.seed.value = String(spec.seed);
    this.metric.value = spec.metric;
    this.testFraction.value = String(spec.testFraction);
  }

  private async train(replay?: { table: string; spec: TrainSpec; tags: Record<string, string> }): Promise<void> {
    if (this.job) return;
    let spec: TrainSpec;
    try {
      spec = replay?.spec ?? this.spec();
    } catch (error) {
      replaceChildren(this.status, h('span', { className: 'error-text' }, String((error as Error).message)));
      return;
    }
    const table = replay?.table ?? this.table.value;
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
      this.result = result;
      this.show(result, table, spec.grid.map((axis) => axis.param));
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
    replaceChildren(this.output);
  }

  /** `axes`: the grid's parameters in the order they were added (Spark's ParamGridBuilder). */
  private show(result: TrainResult, table: string, axes: string[]): void {
    const best = result.grid[result.bestIndex];
    const bestText = axes.map((k) => `${k} = ${best.params[k]}`).join(', ') || 'the only point';
    replaceChildren(this.status, h('span', { attrs: { 'data-testid': 'train-summary', 'data-elapsed-ms': result.elapsedMs.toFixed(2) } },
      `Best: ${bestText} (avg ${result.metric} ${fmt(best.avgMetric)}) · ${result.grid.length} grid points · ${formatCount(result.rows.train)} training rows` +
        (result.rows.skipped ? ` · ${formatCount(result.rows.skipped)} skipped` : '') + ` · ${formatDuration(result.elapsedMs)}`));
    const gridTable = h('table', { className: 'result-table', attrs: { 'data-testid': 'train-grid' } },
      h('thead', {}, h('tr', {}, ...axes.map((a) => h('th', {}, a)), h('th', {}, `avg ${result.metric}`), h('th', {}, `std ${result.metric}`))),
      h('tbody', {}, ...result.grid.map((point, i) =>
        h('tr', { className: i === result.bestIndex ? 'best' : '', attrs: i === result.bestIndex ? { 'data-best': 'true' } : {} },
          ...axes.map((a) => h('td', {}, String(point.params[a]))), h('td', {}, fmt(point.avgMetric)), h('td', {}, fmt(point.stdMetric))))));
    const coefficients = h('table', { className: 'result-table', attrs: { 'data-testid': 'train-coefficients' } },
      h('thead', {}, h('tr', {}, h('th', {}, 'feature'), h('th', {}, result.model.scaler ? 'coefficient (scaled feature)' : 'coefficient'))),
      h('tbody', {},
        ...result.features.map((f, j) => h('tr', {}, h('td', {}, f), valueCell(result.model.coefficients[j]))),
        h('tr', {}, h('td', {}, '(intercept)'), valueCell(result.model.intercept))));
    const sets: [string, Metrics | null][] = [['train', result.trainMetrics], ['validation', result.validationMetrics], ['test', result.testMetrics]];
    const metrics = h('table', { className: 'result-table', attrs: { 'data-testid': 'train-metrics' } },
      h('thead', {}, h('tr', {}, h('th', {}, ''), ...(['rmse', 'mse', 'mae', 'r2'] as const).map((m) => h('th', {}, m)))),
      h('tbody', {}, ...sets.filter(([, m]) => m).map(([name, m]) =>
        h('tr', {}, h('td', {}, name), ...(['rmse', 'mse', 'mae', 'r2'] as const).map((k) => h('td', {}, fmt((m as Metrics)[k])))))));
    const scoreTable = select('predict-table', this.tables.map((t) => [t.name, t.name]));
    scoreTable.value = table;
    const scoreButton = h('button', { attrs: { type: 'button', 'data-testid': 'predict-run' }, on: { click: () => void this.score(scoreTable.value) } }, 'Score');
    this.clearOutput();
    this.charts = [gridChart(result, axes), predictedVsActualChart(result.diagnostics, result.label), residualsChart(result.diagnostics)];
    replaceChildren(this.output,
      h('div', { className: 'train-charts' }, ...this.charts.map((c) => c.element)),
      h('div', { className: 'train-results' },
        h('div', {}, h('h3', {}, 'Grid'), gridTable),
        h('div', {}, h('h3', {}, 'Best model, refitted'), coefficients, h('h3', {}, 'Metrics'), metrics)),
      h('div', { className: 'predict' }, h('h3', {}, 'Predict'), 'Score ', scoreTable, ' with this model → a new table with a ', h('code', {}, 'prediction'), ' column ', scoreButton));
  }

  private async score(table: string): Promise<void> {
    const result = this.result;
    if (!result) return;
    try {
      const info = await this.engine.predict(table, {
        features: result.features,
        ...result.model,
        handleInvalid: this.handleInvalid.value === 'skip' ? 'skip' : 'keep',
        ...(result.pipeline ? { pipeline: result.pipeline } : {}),
      });
      this.onTableCreated(info);
    } catch (error) {
      replaceChildren(this.status, errorText(error));
    }
  }
}

/** A chart's file name: its test id without the `chart-` prefix (`grid`, `predicted`, ...). */
function chartName(view: ChartView): string {
  return (view.element.dataset.testid ?? 'chart').replace(/^chart-/, '');
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
