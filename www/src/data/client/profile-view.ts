/**
 * The Profile tab: every column of a table summarised in one parallel pass (like
 * Databricks' data profile): type, missing values, distinct count, numeric summary with a
 * histogram, and the most frequent values. Estimates are marked as such.
 */
import type { EngineClient, Job } from '../../engine/client/engine-client';
import type { TableInfo, Timed } from '../../engine/shared/api';
import { CANCELLED, isCodedError } from '../../engine/shared/errors';
import { h, replaceChildren } from '../../ui/dom';
import { formatCount, formatDuration } from '../../ui/format';
import type { ColumnProfile, Histogram, NumberProfile, Profile } from '../shared/profile';
import type { TableStore } from './table-store';

const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—');

function number(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-4)) return x.toExponential(3);
  return x.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

export class ProfileView {
  readonly element: HTMLElement;
  private readonly table = h('select', { attrs: { 'data-testid': 'profile-table', 'aria-label': 'Table to profile' } });
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly progress = h('progress', { attrs: { max: '1', hidden: '' } });
  private readonly status = h('div', { className: 'sql-status', attrs: { 'data-testid': 'profile-status', role: 'status' } });
  private readonly output = h('div', { className: 'profile-output', attrs: { 'data-testid': 'profile-output' } });
  private job?: Job<Timed<Profile>>;
  private tables: readonly TableInfo[] = [];
  /** Results that are not tables (a pipeline's output) offered for profiling too. */
  private extra: { name: string; label: string }[] = [];

  constructor(
    private readonly engine: EngineClient,
    store: TableStore,
  ) {
    this.runButton = h('button', { className: 'primary compact', attrs: { type: 'button', 'data-testid': 'profile-run' }, on: { click: () => void this.run() } }, 'Profile');
    this.cancelButton = h('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'profile-cancel' }, on: { click: () => this.job?.cancel() } }, 'Cancel');
    this.element = h(
      'section',
      { className: 'sql-panel', attrs: { 'aria-label': 'Profile' } },
      h('div', { className: 'sql-toolbar' }, h('label', {}, 'Table ', this.table), this.runButton, this.cancelButton, this.progress, this.status),
      this.output,
    );
    store.subscribe((tables) => {
      this.tables = tables;
      this.extra = [];
      this.showChoices();
    });
  }

  /** Offers results that are not tables (e.g. a pipeline's output) besides the tables. */
  offer(extra: { name: string; label: string }[]): void {
    this.extra = extra;
    this.showChoices();
  }

  private showChoices(): void {
    const current = this.table.value;
    const options = [...this.tables.map((t) => ({ name: t.name, label: t.name })), ...this.extra];
    replaceChildren(this.table, ...options.map((o) => h('option', { attrs: { value: o.name } }, o.label)));
    if (options.some((o) => o.name === current)) this.table.value = current;
  }

  /** Profiles `table` (or the selected one). */
  async run(table?: string): Promise<void> {
    if (this.job) return;
    if (table) this.table.value = table;
    const name = this.table.value;
    if (!name) {
      replaceChildren(this.status, 'Load a table first.');
      return;
    }
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    this.progress.removeAttribute('hidden');
    this.progress.removeAttribute('value');
    replaceChildren(this.status, `Profiling ${name}…`);
    const job = this.engine.profile(name, (done, total) => {
      if (total > 0) this.progress.value = Math.min(done / total, 0.99);
    });
    this.job = job;
    try {
      const profile = await job.done;
      replaceChildren(this.status, h('span', { attrs: { 'data-testid': 'profile-summary', 'data-elapsed-ms': profile.elapsedMs.toFixed(2) } },
        `${name}: ${formatCount(profile.rows)} rows, ${profile.columns.length} columns, profiled in ${formatDuration(profile.elapsedMs)} (one pass)`));
      replaceChildren(this.output, ...profile.columns.map((c) => columnCard(c, profile.rows)));
    } catch (error) {
      const cancelled = isCodedError(error) && error.code === CANCELLED;
      replaceChildren(this.status, h('span', { className: cancelled ? '' : 'error-text', attrs: { 'data-testid': 'profile-error' } },
        cancelled ? 'Profile cancelled.' : String((error as Error).message ?? error)));
    } finally {
      this.job = undefined;
      this.progress.setAttribute('hidden', '');
      this.runButton.disabled = false;
      this.cancelButton.disabled = true;
    }
  }
}

function columnCard(column: ColumnProfile, rows: number): HTMLElement {
  const missing = column.nulls + column.nans;
  const facts: [string, string, string][] = [
    ['missing', `${formatCount(missing)} (${percent(missing, rows)})`, column.nans > 0 ? `${formatCount(column.nulls)} NULL, ${formatCount(column.nans)} NaN` : 'NULL values'],
    ['distinct', `${column.distinctExact ? '' : '≈ '}${formatCount(column.distinct)}`, column.distinctExact ? 'exact' : 'estimated with HyperLogLog (±1.6%): more than 10,000 distinct values'],
  ];
  if (column.lengths) facts.push(['length', `${column.lengths[0]}–${column.lengths[1]}`, 'characters']);
  return h(
    'article',
    { className: 'profile-card', attrs: { 'data-testid': `profile-column-${column.name}`, 'data-kind': column.kind } },
    h('header', {}, h('h3', { className: 'mono' }, column.name), h('span', { className: 'grid-coltype' }, column.dataType)),
    h('dl', { className: 'profile-facts' },
      ...facts.flatMap(([label, value, title]) => [h('dt', {}, label), h('dd', { attrs: { title, 'data-testid': `profile-${label}` } }, value)])),
    column.numbers && numbers(column.numbers, column.kind === 'temporal'),
    column.numbers && histogram(column.numbers, column.kind === 'temporal' || /int/.test(column.dataType)),
    column.topValues.length > 0 && topValues(column, rows - missing),
  );
}

function numbers(n: NumberProfile, temporal: boolean): HTMLElement {
  const rows: [string, string][] = [['min', n.minText], ['max', n.maxText]];
  if (!temporal) rows.push(['mean', number(n.mean)], ['std', number(n.std)]);
  n.quantiles.forEach((q, i) => rows.push([`p${Math.round(q.p * 100)}`, n.quantileTexts[i] ?? number(q.value)]));
  return h('table', { className: 'profile-numbers', attrs: { 'data-testid': 'profile-numbers' } },
    h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { attrs: { 'data-stat': k } }, v)))),
    n.sampled ? h('caption', { className: 'hint' }, 'quantiles and histogram from a uniform sample of ~1M rows') : null);
}

function histogram(n: NumberProfile, discrete: boolean): HTMLElement | null {
  const hist: Histogram = n.histogram;
  if (hist.counts.length === 0) return null;
  const max = Math.max(...hist.counts, 1);
  const edge = (i: number) => hist.start + i * hist.width;
  const label = (i: number) => (discrete && hist.width === 1 ? number(edge(i) + 0.5) : `${number(edge(i))} – ${number(edge(i + 1))}`);
  return h('div', { className: 'histogram', attrs: { role: 'img', 'aria-label': 'Histogram', 'data-testid': 'profile-histogram' } },
    ...hist.counts.map((count, i) =>
      h('div', { className: 'bar', style: { height: `${Math.max((100 * count) / max, count > 0 ? 2 : 0)}%` }, attrs: { title: `${label(i)}: ${formatCount(Math.round(count))}${n.sampled ? ' (estimated)' : ''}` } })));
}

function topValues(column: ColumnProfile, present: number): HTMLElement {
  const max = Math.max(...column.topValues.map((t) => t.count), 1);
  if (max === 1 && column.topExact) {
    return h('div', { className: 'hint', attrs: { 'data-testid': 'profile-top-values' } }, 'every value occurs once');
  }
  return h('div', { className: 'top-values', attrs: { 'data-testid': 'profile-top-values' } },
    h('div', { className: 'hint' }, column.topExact ? 'most frequent values' : 'most frequent values (estimated: counts may be low by up to rows / 10,001)'),
    ...column.topValues.map((t) =>
      h('div', { className: 'top-value' },
        h('span', { className: 'top-label mono', attrs: { title: t.value } }, t.value === '' ? '(empty)' : t.value),
        h('span', { className: 'top-bar' }, h('span', { style: { width: `${(100 * t.count) / max}%` } })),
        h('span', { className: 'top-count', attrs: { title: percent(t.count, present) } }, formatCount(t.count)))));
}
