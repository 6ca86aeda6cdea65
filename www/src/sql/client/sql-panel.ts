/**
 * The SQL tab: an editor, Run / Cancel, the result in the virtual grid with its row
 * count and time (or the plans `EXPLAIN` shows, as text), errors pointing into the query,
 * CSV / Parquet downloads of the result, and a Chart view beside the table
 * (`chart-panel.ts`) whose settings are remembered per query (`chart-memory.ts`).
 */
import type { EngineClient, SqlJob } from '../../engine/client/engine-client';
import type { TableStore } from '../../data/client/table-store';
import { downloadTable, spreadsheetEscapeToggle } from '../../data/client/table-download';
import type { ExportFormat, SqlResult, TableInfo, Timed } from '../../engine/shared/api';
import { CANCELLED, isCodedError } from '../../engine/shared/errors';
import { tableGrid } from '../../grid/table-grid';
import { h, replaceChildren } from '../../ui/dom';
import { formatCount, formatDuration } from '../../ui/format';
import { SqlEditor } from './editor';
import { ChartPanel } from './chart-panel';
import { recallChart, rememberChart } from './chart-memory';
import { reconcile } from '../shared/chart-settings';
import { csvNestedNote } from '../shared/nested';

const EXAMPLE = `SELECT region, plan, count(*) AS customers, round(avg(monthly_spend), 2) AS avg_spend
FROM telecom
GROUP BY region, plan
ORDER BY region, plan`;

/** How long a query runs before its progress bar shows. */
const PROGRESS_DELAY_MS = 150;

export class SqlPanel {
  readonly element: HTMLElement;
  private readonly editor: SqlEditor;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly status = h('div', { className: 'sql-status', attrs: { 'data-testid': 'sql-status', role: 'status' } });
  private readonly progress = h('progress', { className: 'sql-progress', attrs: { max: '1', hidden: '' } });
  private readonly output = h('div', { className: 'sql-output', attrs: { 'data-testid': 'sql-output' } });
  private job?: SqlJob;
  /** The chart of the result shown, if it has one (freed when the result is replaced). */
  private chart?: ChartPanel;

  constructor(
    private readonly engine: EngineClient,
    store: TableStore,
    /** A statement changed the catalog; resolves once every tab lists what it made or dropped. */
    private readonly onCatalogChanged: (message: string, sql: string) => Promise<void>,
  ) {
    const editorHost = h('div', { className: 'sql-editor' });
    this.editor = new SqlEditor(editorHost, EXAMPLE, () => void this.run());
    this.runButton = h(
      'button',
      { className: 'primary compact', attrs: { type: 'button', 'data-testid': 'sql-run', title: 'Run (Ctrl+Enter)' }, on: { click: () => void this.run() } },
      'Run',
    );
    this.cancelButton = h(
      'button',
      { attrs: { type: 'button', disabled: '', 'data-testid': 'sql-cancel' }, on: { click: () => this.job?.cancel() } },
      'Cancel',
    );
    this.element = h(
      'section',
      { className: 'sql-panel', attrs: { 'aria-label': 'SQL' } },
      editorHost,
      h('div', { className: 'sql-toolbar' }, this.runButton, this.cancelButton, this.progress, this.status,
        h('span', { className: 'hint' }, 'Ctrl+Enter runs · Spark SQL · results are kept for download')),
      this.output,
    );
    store.subscribe(() => this.editor.setCatalog(store.catalog()));
  }


  focus(): void {
    this.editor.focus();
  }

  private async run(): Promise<void> {
    if (this.job) return;
    const text = this.editor.text;
    if (!text.trim()) return;
    this.editor.showError(undefined);
    delete this.status.dataset.elapsedMs;
    this.setRunning(true);
    replaceChildren(this.status, 'Running…');
    const showProgress = setTimeout(() => this.progress.removeAttribute('hidden'), PROGRESS_DELAY_MS);
    // A run whose last statement is a query (or that fails part way) may still have
    // changed the catalog (`INSERT ...; SELECT ...`): its count of changes tells.
    const changesBefore = await this.catalogChanges();
    const job = this.engine.runSql(text, (done, total) => {
      this.progress.value = total > 0 ? Math.min(done / total, 0.99) : 0;
      replaceChildren(this.status, `Running… ${formatCount(done)} of ~${formatCount(total)} partition steps`);
    });
    this.job = job;
    try {
      const result = await job.done;
      if (result.kind !== 'done') await this.followIfChanged(changesBefore, text);
      await this.show(result, text);
    } catch (error) {
      await this.followIfChanged(changesBefore, text);
      this.showFailure(error);
    } finally {
      clearTimeout(showProgress);
      this.progress.setAttribute('hidden', '');
      this.progress.removeAttribute('value');
      this.job = undefined;
      this.setRunning(false);
    }
  }

  /** How many times the engine's catalog has changed; undefined if it cannot say. */
  private async catalogChanges(): Promise<number | undefined> {
    try {
      return await this.engine.catalogChanges();
    } catch {
      return undefined;
    }
  }

  /** Follows the catalog (and remembers `text` for a restart) if the run changed it. */
  private async followIfChanged(before: number | undefined, text: string): Promise<void> {
    const after = await this.catalogChanges();
    if (before !== undefined && after !== undefined && after !== before) await this.onCatalogChanged('', text);
  }

  private setRunning(running: boolean): void {
    this.runButton.toggleAttribute('disabled', running);
    this.cancelButton.toggleAttribute('disabled', !running);
  }

  private async show(result: Timed<SqlResult>, text: string): Promise<void> {
    this.dropChart();
    const time = formatDuration(result.elapsedMs);
    this.status.dataset.elapsedMs = result.elapsedMs.toFixed(2);
    if (result.kind === 'done') {
      // "created table t" is said (and Run offered again) once the table list and every
      // tab that offers tables have followed the catalog, not before.
      await this.onCatalogChanged(result.message, text);
      replaceChildren(this.status, h('span', { attrs: { 'data-testid': 'sql-message' } }, result.message), ` · ${time}`);
      replaceChildren(this.output);
      return;
    }
    if (result.kind === 'plan') {
      replaceChildren(this.status, h('span', { attrs: { 'data-testid': 'sql-message' } }, 'Query plan'), ` · ${time}`);
      replaceChildren(this.output, h('pre', { className: 'sql-plan', attrs: { 'data-testid': 'sql-plan' } }, result.text));
      return;
    }
    const info = result.info;
    replaceChildren(
      this.status,
      h('span', { attrs: { 'data-testid': 'sql-row-count' } }, `${formatCount(info.rows)} ${info.rows === 1 ? 'row' : 'rows'}`),
      ` · ${time}`,
    );
    if (info.columns.length === 0) {
      replaceChildren(this.output, this.resultActions(info), h('p', { className: 'hint' }, 'The query returned no columns.'));
      return;
    }
    const remembered = recallChart(text);
    const spec = reconcile(remembered?.spec, info.columns);
    const grid = tableGrid(this.engine, info, 'Query result').element;
    if (!spec) {
      replaceChildren(this.output, this.resultActions(info), grid);
      return;
    }
    const chart = new ChartPanel(this.engine, info, spec, (changed) => rememberChart(text, { spec: changed, open: true }));
    this.chart = chart;
    chart.element.hidden = true;
    const views = new ResultViews(grid, chart, (open) => rememberChart(text, { spec: chart.spec, open }));
    replaceChildren(this.output, this.resultActions(info, views.tabs), grid, chart.element);
    if (remembered?.open) views.select(true, false);
  }

  private resultActions(info: TableInfo, ...before: HTMLElement[]): HTMLElement {
    return h('div', { className: 'sql-result-actions' },
      ...before,
      this.downloadButton(info, 'csv', 'Download CSV'),
      spreadsheetEscapeToggle(),
      this.downloadButton(info, 'parquet', 'Download Parquet'),
      ...this.nestedNote(info),
    );
  }

  private dropChart(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  /** Says, beside the downloads, that CSV writes nested columns as JSON text. */
  private nestedNote(info: TableInfo): HTMLElement[] {
    const note = csvNestedNote(info.columns);
    return note === undefined ? [] : [h('span', { className: 'hint', attrs: { 'data-testid': 'csv-nested-note' } }, note)];
  }

  private downloadButton(info: TableInfo, format: ExportFormat, label: string): HTMLElement {
    return h(
      'button',
      {
        attrs: { type: 'button', 'data-testid': `download-${format}` },
        on: {
          click: async () => {
            try {
              await downloadTable(this.engine, info.name, format);
            } catch (error) {
              this.showFailure(error);
            }
          },
        },
      },
      label,
    );
  }

  private showFailure(error: unknown): void {
    if (isCodedError(error) && error.code === CANCELLED) {
      replaceChildren(this.status, h('span', { attrs: { 'data-testid': 'sql-cancelled' } }, error.message));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = isCodedError(error) ? error.code : 'ERROR';
    const line = isCodedError(error) ? error.line : undefined;
    const column = isCodedError(error) ? error.col : undefined;
    this.editor.showError(message, line, column);
    replaceChildren(this.status);
    this.dropChart();
    replaceChildren(
      this.output,
      h('div', { className: 'notice notice-error', attrs: { role: 'alert', 'data-testid': 'sql-error' } },
        h('div', { className: 'notice-text' },
          h('strong', {}, message),
          h('div', { className: 'hint' }, line !== undefined ? `${code} · line ${line}, column ${column}` : code),
        ),
      ),
    );
  }
}

/**
 * The Table / Chart switch above a result: one of the two shows at a time; the chart is
 * computed when first shown. `onSelect` hears the user's choice (to remember it).
 */
class ResultViews {
  readonly tabs: HTMLElement;
  private readonly tableTab: HTMLButtonElement;
  private readonly chartTab: HTMLButtonElement;

  constructor(
    private readonly grid: HTMLElement,
    private readonly chart: ChartPanel,
    private readonly onSelect: (chart: boolean) => void,
  ) {
    const tab = (label: string, testId: string, chartView: boolean) =>
      h('button', {
        className: 'tab',
        attrs: { type: 'button', role: 'tab', 'aria-selected': String(!chartView), 'data-testid': testId },
        on: { click: () => this.select(chartView, true) },
      }, label);
    this.tableTab = tab('Table', 'sql-view-table', false);
    this.chartTab = tab('Chart', 'sql-view-chart', true);
    this.tabs = h('div', { className: 'tabs sql-views', attrs: { role: 'tablist', 'aria-label': 'Result view' } }, this.tableTab, this.chartTab);
  }

  select(chart: boolean, byUser: boolean): void {
    this.tableTab.setAttribute('aria-selected', String(!chart));
    this.chartTab.setAttribute('aria-selected', String(chart));
    this.grid.hidden = chart;
    this.chart.element.hidden = !chart;
    if (chart) this.chart.shown();
    if (byUser) this.onSelect(chart);
  }
}
