/**
 * The Train tab: pick a table, a label and features, LinearRegression's params, a grid
 * and the tuning (CrossValidator or TrainValidationSplit), press Train; see the grid
 * with the metric per point, the best point, the refitted model's coefficients, its
 * metrics and charts; score any loaded table with it. An optional StandardScaler stage
 * runs before the regression, fitted on each training split.
 */
import type { EngineClient, Job } from '../../engine/client/engine-client';
import type { ColumnInfo, TableInfo } from '../../engine/shared/api';
import { CANCELLED, errorPlace, isCodedError } from '../../engine/shared/errors';
import { h, replaceChildren } from '../../ui/dom';
import { type ChartView, gridChart, predictedVsActualChart, residualsChart } from './charts';
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

/** A number typed in a field; anything else is an error naming the field. */
function parseNumber(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${what}: "${text}" is not a number`);
  return value;
}

/** Parses "0, 0.01, 0.1" into numbers; empty means "not tuned". */
function parseValues(text: string, what: string): number[] {
  return text
    .split(/[,\s]+/)
    .filter((p) => p !== '')
    .map((p) => parseNumber(p, what));
}

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { className: 'field' }, h('span', { className: 'field-label' }, label), control, hint ? h('span', { className: 'hint' }, hint) : null);
}

function input(testId: string, value: string, size = 8): HTMLInputElement {
  return h('input', { attrs: { type: 'text', value, size: String(size), 'data-testid': testId } });
}

function select(testId: string, options: [string, string][]): HTMLSelectElement {
  return h('select', { attrs: { 'data-testid': testId } }, ...options.map(([value, label]) => h('option', { attrs: { value } }, label)));
}

function checkbox(testId: string, checked: boolean): HTMLInputElement {
  const box = h('input', { attrs: { type: 'checkbox', 'data-testid': testId } });
  box.checked = checked;
  return box;
}

const fmt = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(4)) : '—');

export class TrainPanel {
  readonly element: HTMLElement;
  private tables: TableInfo[] = [];
  private readonly table = select('train-table', []);
  private readonly label = select('train-label', []);
  private readonly features = h('div', { className: 'train-features', attrs: { 'data-testid': 'train-features' } });
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

  constructor(
    private readonly engine: EngineClient,
    private readonly onTableCreated: (table: TableInfo) => void,
  ) {
    this.table.addEventListener('change', () => this.showColumns());
    this.label.addEventListener('change', () => this.showFeatures());
    this.trainButton = h('button', { className: 'primary compact', attrs: { type: 'button', 'data-testid': 'train-run' }, on: { click: () => void this.train() } }, 'Train');
    this.cancelButton = h('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'train-cancel' }, on: { click: () => this.job?.cancel() } }, 'Cancel');
    this.element = h(
      'section',
      { className: 'train-panel', attrs: { 'aria-label': 'Train' } },
      h('div', { className: 'train-form' },
        h('fieldset', {}, h('legend', {}, 'Data'),
          field('Table', this.table), field('Label', this.label),
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
  }

  /** Refreshes the table choices (after loads, SQL, scoring). */
  async refresh(): Promise<void> {
    this.tables = await this.engine.tables();
    const current = this.table.value;
    replaceChildren(this.table, ...this.tables.map((t) => h('option', { attrs: { value: t.name } }, t.name)));
    if (this.tables.some((t) => t.name === current)) this.table.value = current;
    this.showColumns();
  }

  private numericColumns(): ColumnInfo[] {
    const table = this.tables.find((t) => t.name === this.table.value);
    return (table?.columns ?? []).filter((c) => NUMERIC.test(c.dataType));
  }

  private showColumns(): void {
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
    };
  }

  private async train(): Promise<void> {
    if (this.job) return;
    let spec: TrainSpec;
    try {
      spec = this.spec();
    } catch (error) {
      replaceChildren(this.status, h('span', { className: 'error-text' }, String((error as Error).message)));
      return;
    }
    const table = this.table.value;
    this.setRunning(true);
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
    } catch (error) {
      const cancelled = isCodedError(error) && error.code === CANCELLED;
      replaceChildren(this.status, cancelled ? h('span', { attrs: { 'data-testid': 'train-error' } }, 'Training cancelled.') : errorText(error));
      this.clearOutput();
    } finally {
      this.progress.setAttribute('hidden', '');
      this.job = undefined;
      this.setRunning(false);
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
        ...result.features.map((f, j) => h('tr', {}, h('td', {}, f), h('td', {}, fmt(result.model.coefficients[j])))),
        h('tr', {}, h('td', {}, '(intercept)'), h('td', {}, fmt(result.model.intercept)))));
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
      });
      this.onTableCreated(info);
      await this.refresh();
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
