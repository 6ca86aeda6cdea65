/**
 * The chart of one SQL result: Databricks' visualization editor in small (chart type, X,
 * Y columns, series, aggregation), the chart the engine computes for those settings over
 * the whole result, what it left out, its values as a table, and a PNG download.
 *
 * Every change of settings asks the engine again (one job at a time: a change made while
 * a chart is computed waits for it, never cancels it, since cancelling restarts the
 * single-thread engine). The panel's `data-state` says where it is (`computing`,
 * `ready`, `error`), for people and tests alike.
 */
import type { ChartData } from '../../contract/ChartData';
import type { ChartKind } from '../../contract/ChartKind';
import type { ChartAggregation } from '../../contract/ChartAggregation';
import type { ChartSpec } from '../../contract/ChartSpec';
import type { TableInfo } from '../../contract/TableInfo';
import type { EngineClient, Job } from '../../engine/client/engine-client';
import type { Timed } from '../../engine/shared/api';
import { isCodedError } from '../../engine/shared/errors';
import type { ChartView } from '../../ml/client/charts/chart-view';
import { h, replaceChildren } from '../../ui/dom';
import { downloadBlob } from '../../ui/download';
import { CheckList, field, select } from '../../ui/form';
import { formatCount } from '../../ui/format';
import { AGGREGATIONS, CHART_KINDS, chartNotes, chartTitle } from '../shared/chart-settings';
import { chartPng, chartTable, drawChart } from './result-chart';

/** How long a chart is computed before "Computing…" and Cancel show. */
const BUSY_DELAY_MS = 150;

export class ChartPanel {
  readonly element: HTMLElement;
  private readonly kind = select('chart-kind', CHART_KINDS);
  private readonly x: HTMLSelectElement;
  private readonly ys: CheckList;
  private readonly series: HTMLSelectElement;
  private readonly aggregation = select('chart-aggregation', AGGREGATIONS);
  private readonly status = h('span', { className: 'hint', attrs: { 'data-testid': 'sql-chart-status', role: 'status' } });
  private readonly cancelButton = h('button', { attrs: { type: 'button', hidden: '', 'data-testid': 'sql-chart-cancel' }, on: { click: () => this.job?.cancel() } }, 'Cancel');
  private readonly pngButton = h('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'sql-chart-png' }, on: { click: () => void this.downloadPng() } }, 'Download PNG');
  private readonly notes = h('div', { className: 'chart-notes', attrs: { 'data-testid': 'sql-chart-notes' } });
  private readonly figure = h('div', { className: 'sql-chart-figure' });
  private readonly dataTable = h('details', { className: 'chart-data' });
  private view?: ChartView;
  private job?: Job<Timed<ChartData>>;
  /** Settings changed while a chart was computed: compute again once it is done. */
  private stale = false;
  private computed = false;
  private destroyed = false;

  constructor(
    private readonly engine: EngineClient,
    private readonly info: TableInfo,
    initial: ChartSpec,
    /** The user changed the settings (to remember them for this query). */
    private readonly onChange: (spec: ChartSpec) => void,
  ) {
    const names = info.columns.map((c) => c.name);
    this.x = select('chart-x', names.map((n) => [n, n]));
    this.series = select('chart-series', [['', '(none)'], ...names.map((n): [string, string] => [n, n])]);
    this.ys = new CheckList('chart-y', names, (n) => initial.y.includes(n));
    this.kind.value = initial.kind;
    this.x.value = initial.x;
    this.series.value = initial.series ?? '';
    this.aggregation.value = initial.aggregation;
    this.syncControls();
    const controls = h('div', { className: 'chart-controls', on: { change: () => this.changed() } },
      field('Chart', this.kind),
      field('X', this.x),
      h('div', { className: 'field' }, h('span', { className: 'field-label' }, 'Y'), this.ys.element),
      field('Series', this.series),
      field('Aggregation', this.aggregation),
    );
    this.element = h('div', { className: 'sql-chart-panel', attrs: { 'data-testid': 'sql-chart-panel', 'data-state': 'idle' } },
      controls,
      h('div', { className: 'chart-main' },
        h('div', { className: 'sql-result-actions' }, this.pngButton, this.cancelButton, this.status),
        this.figure,
        this.notes,
        this.dataTable,
      ),
    );
  }

  /** The settings as the controls show them. */
  get spec(): ChartSpec {
    const series = this.series.value;
    return {
      kind: this.kind.value as ChartKind,
      x: this.x.value,
      y: this.ys.checked(),
      ...(series ? { series } : {}),
      aggregation: this.aggregation.value as ChartAggregation,
    };
  }

  /** Computes the chart the first time it is shown. */
  shown(): void {
    if (!this.computed) void this.compute();
  }

  destroy(): void {
    this.destroyed = true;
    this.view?.chart.destroy();
  }

  private changed(): void {
    this.syncControls();
    this.onChange(this.spec);
    void this.compute();
  }

  /** A histogram counts X: Y and the aggregation do not apply. */
  private syncControls(): void {
    const histogram = this.kind.value === 'histogram';
    this.aggregation.disabled = histogram;
    for (const box of this.ys.element.querySelectorAll('input')) box.disabled = histogram;
  }

  private async compute(): Promise<void> {
    this.computed = true;
    if (this.job) {
      this.stale = true;
      return;
    }
    this.element.dataset.state = 'computing';
    const busy = setTimeout(() => {
      replaceChildren(this.status, 'Computing the chart…');
      this.cancelButton.removeAttribute('hidden');
    }, BUSY_DELAY_MS);
    const job = this.engine.chart(this.info.name, this.spec, (done, total) => {
      replaceChildren(this.status, `Computing the chart… ${formatCount(done)} of ~${formatCount(total)} steps`);
    });
    this.job = job;
    let outcome: (() => void) | undefined;
    try {
      const data = await job.done;
      outcome = () => this.draw(data);
    } catch (error) {
      outcome = () => this.fail(error);
    } finally {
      clearTimeout(busy);
      this.cancelButton.setAttribute('hidden', '');
      replaceChildren(this.status);
      this.job = undefined;
    }
    if (this.destroyed) return;
    if (this.stale) {
      this.stale = false;
      void this.compute();
      return;
    }
    outcome?.();
  }

  private draw(data: Timed<ChartData>): void {
    this.view?.chart.destroy();
    this.view = undefined;
    const notes = chartNotes(data, formatCount);
    if (data.labels.length === 0 || data.datasets.length === 0) {
      replaceChildren(this.figure, h('p', { className: 'hint', attrs: { 'data-testid': 'sql-chart-empty' } }, 'Nothing to draw: no rows have values for these columns.'));
    } else {
      this.view = drawChart(data, chartTitle(data));
      replaceChildren(this.figure, this.view.element);
    }
    replaceChildren(this.notes, ...notes.map((n) => h('p', { className: 'hint' }, n)));
    replaceChildren(this.dataTable, h('summary', {}, 'Data of the chart'), chartTable(data));
    this.pngButton.toggleAttribute('disabled', this.view === undefined);
    this.element.dataset.state = 'ready';
  }

  private fail(error: unknown): void {
    this.view?.chart.destroy();
    this.view = undefined;
    const message = error instanceof Error ? error.message : String(error);
    const code = isCodedError(error) ? error.code : 'ERROR';
    replaceChildren(this.figure,
      h('div', { className: 'notice notice-error', attrs: { role: 'alert', 'data-testid': 'sql-chart-error' } },
        h('div', { className: 'notice-text' }, h('strong', {}, message), h('div', { className: 'hint' }, code)),
      ),
    );
    replaceChildren(this.notes);
    replaceChildren(this.dataTable);
    this.pngButton.setAttribute('disabled', '');
    this.element.dataset.state = 'error';
  }

  private async downloadPng(): Promise<void> {
    if (!this.view) return;
    try {
      downloadBlob(await chartPng(this.view), `${this.info.name}-chart.png`);
    } catch (error) {
      this.fail(error);
    }
  }
}
