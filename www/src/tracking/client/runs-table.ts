/**
 * The runs table: one row per run with its status, times, dataset digest, params and
 * latest metrics; columns sort on click and a column filter narrows which params and
 * metrics are shown; rows are paged (50 at a time) so thousands of runs stay fast.
 */
import { sourceOf } from '../shared/datasets';
import { type Run, TAG_PARENT_RUN_ID, latestMetrics } from '../shared/model';
import { h, replaceChildren } from '../../ui/dom';
import { shortDigest } from './digest';

export const PAGE_SIZE = 50;

/** A run with its latest metrics computed once. */
export interface RunRow {
  run: Run;
  metrics: Record<string, number>;
}

export function toRow(run: Run): RunRow {
  return { run, metrics: latestMetrics(run) };
}

type SortKey = { kind: 'attr'; key: 'runName' | 'status' | 'startTime' | 'duration' } | { kind: 'param' | 'metric'; key: string };

/**
 * Params worth a column by default: the estimator, what the tuning chose, and each
 * estimator's main params (LinearRegression's and LogisticRegression's regularisation,
 * LogisticRegression's family, KMeans' k and distance). The column filter shows any other.
 */
const PARAM_COLUMNS = /^(best_.*|estimator|regParam|elasticNetParam|fitIntercept|standardization|family|k|distanceMeasure|tuning|numFolds|trainRatio|metricName)$/;

export const formatNumber = (x: number) =>
  Number.isFinite(x) ? (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : String(Number(x.toFixed(4)))) : String(x);

export function formatTime(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export interface RunsTableActions {
  open(runId: string): void;
  selectionChanged(selected: Set<string>): void;
}

export class RunsTable {
  readonly element = h('div', { className: 'runs-table-wrap' });
  readonly selected = new Set<string>();
  private rows: RunRow[] = [];
  private names = new Map<string, string>();
  private sort: SortKey = { kind: 'attr', key: 'startTime' };
  private descending = true;
  private page = 0;
  private columnFilter = '';

  constructor(private readonly actions: RunsTableActions) {}

  /** Shows `rows` (already filtered); `all` names parents of children. */
  show(rows: RunRow[], all: RunRow[]): void {
    this.rows = rows;
    this.names = new Map(all.map((r) => [r.run.runId, r.run.runName]));
    for (const id of [...this.selected]) if (!all.some((r) => r.run.runId === id)) this.selected.delete(id);
    this.page = Math.min(this.page, Math.max(0, Math.ceil(rows.length / PAGE_SIZE) - 1));
    this.render();
  }

  /** Shows only the param and metric columns whose name contains `text`. */
  filterColumns(text: string): void {
    this.columnFilter = text.trim().toLowerCase();
    this.render();
  }

  private sorted(): RunRow[] {
    const value = (row: RunRow): string | number | undefined => {
      const { run } = row;
      switch (this.sort.kind) {
        case 'attr':
          if (this.sort.key === 'duration') return run.endTime === null ? undefined : run.endTime - run.startTime;
          return run[this.sort.key];
        case 'param': {
          const text = run.params[this.sort.key];
          const number = Number(text);
          return text === undefined ? undefined : Number.isFinite(number) && text.trim() !== '' ? number : text;
        }
        case 'metric':
          return row.metrics[this.sort.key];
      }
    };
    const direction = this.descending ? -1 : 1;
    return [...this.rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1; // missing last
      if (typeof x === 'number' && typeof y === 'number') return (x - y) * direction;
      return String(x).localeCompare(String(y)) * direction;
    });
  }

  private sortBy(key: SortKey): void {
    const same = key.kind === this.sort.kind && key.key === this.sort.key;
    this.descending = same ? !this.descending : key.kind !== 'attr' || key.key === 'startTime';
    this.sort = key;
    this.render();
  }

  private render(): void {
    const wanted = (name: string) => !this.columnFilter || name.toLowerCase().includes(this.columnFilter);
    const paramKeys = new Set<string>();
    const metricKeys = new Set<string>();
    for (const row of this.rows) {
      for (const key of Object.keys(row.run.params)) if (this.columnFilter ? wanted(key) : PARAM_COLUMNS.test(key)) paramKeys.add(key);
      for (const key of Object.keys(row.metrics)) if (wanted(key)) metricKeys.add(key);
    }
    const params = [...paramKeys].sort();
    const metrics = [...metricKeys].sort();
    const sorted = this.sorted();
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
    const visible = sorted.slice(this.page * PAGE_SIZE, (this.page + 1) * PAGE_SIZE);
    const arrow = (kind: SortKey['kind'], key: string) => (this.sort.kind === kind && this.sort.key === key ? (this.descending ? ' ▼' : ' ▲') : '');
    const header = (label: string, key: SortKey, className = '') =>
      h('th', { className, attrs: { 'data-sort': `${key.kind}:${key.key}` } },
        h('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => this.sortBy(key) } }, label + arrow(key.kind, key.key)));
    const table = h('table', { className: 'result-table runs-table', attrs: { 'data-testid': 'runs-table' } },
      h('thead', {},
        h('tr', {},
          h('th', {}, ''),
          header('Run', { kind: 'attr', key: 'runName' }),
          header('Status', { kind: 'attr', key: 'status' }),
          header('Started', { kind: 'attr', key: 'startTime' }),
          header('Duration', { kind: 'attr', key: 'duration' }),
          h('th', {}, 'Dataset'),
          ...params.map((k) => header(k, { kind: 'param', key: k }, 'param-col')),
          ...metrics.map((k) => header(k, { kind: 'metric', key: k }, 'metric-col')),
        )),
      h('tbody', {}, ...visible.map((row) => this.renderRow(row, params, metrics))));
    const pager = h('div', { className: 'pager' },
      h('button', { attrs: { type: 'button', ...(this.page === 0 ? { disabled: '' } : {}) }, on: { click: () => { this.page--; this.render(); } } }, '‹ Previous'),
      h('span', { attrs: { 'data-testid': 'runs-count' } }, `${sorted.length} runs · page ${this.page + 1} of ${pages}`),
      h('button', { attrs: { type: 'button', ...(this.page >= pages - 1 ? { disabled: '' } : {}) }, on: { click: () => { this.page++; this.render(); } } }, 'Next ›'),
    );
    replaceChildren(this.element, sorted.length ? table : h('p', { className: 'hint' }, 'No runs match.'), pager);
  }

  private renderRow(row: RunRow, params: string[], metrics: string[]): HTMLElement {
    const { run } = row;
    const box = h('input', { attrs: { type: 'checkbox', 'aria-label': `Select ${run.runName}` } });
    box.checked = this.selected.has(run.runId);
    box.addEventListener('change', () => {
      if (box.checked) this.selected.add(run.runId);
      else this.selected.delete(run.runId);
      this.actions.selectionChanged(this.selected);
    });
    const parent = run.tags[TAG_PARENT_RUN_ID];
    const source = sourceOf(run.inputs);
    const digest = source?.digest ?? '';
    return h('tr', {
      className: `${run.lifecycleStage === 'deleted' ? 'deleted' : ''} ${parent ? 'child' : ''}`,
      attrs: { 'data-run-id': run.runId, 'data-status': run.status, 'data-testid': 'run-row' },
    },
      h('td', {}, box),
      h('td', {}, parent ? h('span', { className: 'hint' }, '↳ ') : null,
        h('button', { className: 'link', attrs: { type: 'button', 'data-testid': 'run-open' }, on: { click: () => this.actions.open(run.runId) } }, run.runName),
        parent ? h('span', { className: 'hint' }, ` of ${this.names.get(parent) ?? parent.slice(0, 8)}`) : null),
      h('td', {}, h('span', { className: `status status-${run.status.toLowerCase()}` }, run.status)),
      h('td', {}, formatTime(run.startTime)),
      h('td', {}, run.endTime === null ? '—' : `${((run.endTime - run.startTime) / 1000).toFixed(1)} s`),
      h('td', { className: 'mono', attrs: { title: digest } }, source ? `${source.name}@${shortDigest(digest)}` : ''),
      ...params.map((k) => h('td', {}, run.params[k] ?? '')),
      ...metrics.map((k) => h('td', { className: 'num' }, row.metrics[k] === undefined ? '' : formatNumber(row.metrics[k]))),
    );
  }
}
