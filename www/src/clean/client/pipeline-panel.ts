/**
 * The Clean tab: a cleaning pipeline on a table, built step by step. Each step is
 * previewed before it is added (rows in/out, schema, what it learned, the rows); steps can
 * be edited, moved and removed; the result can be saved as a table, downloaded, profiled,
 * and the pipeline saved as JSON and applied to another table. The engine keeps step
 * outputs, so changing the last step re-runs only that step.
 */
import type { EngineClient, Job } from '../../engine/client/engine-client';
import type { ColumnInfo, TableInfo, Timed } from '../../engine/shared/api';
import { CANCELLED, isCodedError } from '../../engine/shared/errors';
import { tableGrid } from '../../grid/table-grid';
import { h, replaceChildren } from '../../ui/dom';
import { downloadBytes } from '../../ui/download';
import { input, select } from '../../ui/form';
import { formatCount, formatDuration } from '../../ui/format';
import { PIPELINE_VERSION, type PipelineResult, type PipelineSpec, type Step, type StepOp } from '../shared/pipeline';
import { STEP_OPS, describeLearned, describeStep, unfitted } from '../shared/steps';
import type { TableStore } from '../../data/client/table-store';
import { downloadTable, spreadsheetEscapeToggle } from '../../data/client/table-download';
import { type StepForm, stepForm } from './step-editor';

/** What training needs to know about the pipeline of a table. */
export interface CleanedSource {
  table: string;
  spec: PipelineSpec;
  /** The pipeline's output columns (what features can be chosen from). */
  columns: ColumnInfo[];
}

interface Draft {
  /** Where the step goes (insert) or which step it replaces (edit). */
  index: number;
  editing: boolean;
  form: StepForm;
}

interface Failure {
  step?: number;
  message: string;
}

export interface PipelinePanelEvents {
  /** A table was created from the pipeline's output. */
  tableCreated(table: TableInfo): void;
  /** The committed pipeline or its result changed (training reads it). */
  changed(): void;
  /** The user asked for a profile of a table or result. */
  profile(name: string, label: string): void;
}

export class PipelinePanel {
  readonly element: HTMLElement;
  private tables: readonly TableInfo[] = [];
  private steps: Step[] = [];
  private draft?: Draft;
  /** The last successful run of the committed steps. */
  private committed?: Timed<PipelineResult>;
  private failure?: Failure;
  private job?: Job<Timed<PipelineResult>>;
  private readonly source = select('clean-source', []);
  private readonly addOp = select('clean-add-op', [['', 'Add a step…'], ...STEP_OPS.map((o) => [o.op, o.label] as [string, string])]);
  private readonly fileInput = h('input', { attrs: { type: 'file', accept: '.json,application/json', hidden: '', 'data-testid': 'clean-load-input' } });
  private readonly cancelButton: HTMLButtonElement;
  private readonly progress = h('progress', { attrs: { max: '1', hidden: '' } });
  private readonly status = h('div', { className: 'sql-status', attrs: { 'data-testid': 'clean-status', role: 'status' } });
  private readonly stepList = h('ol', { className: 'step-list', attrs: { 'data-testid': 'clean-steps' } });
  private readonly editor = h('div', { className: 'step-editor', attrs: { 'data-testid': 'clean-editor' } });
  private readonly output = h('div', { className: 'clean-output', attrs: { 'data-testid': 'clean-output' } });

  constructor(
    private readonly engine: EngineClient,
    store: TableStore,
    private readonly events: PipelinePanelEvents,
  ) {
    this.source.addEventListener('change', () => void this.rerun());
    this.addOp.addEventListener('change', () => {
      const op = this.addOp.value as StepOp | '';
      this.addOp.value = '';
      if (op) this.openDraft(op, this.steps.length, false);
    });
    this.fileInput.addEventListener('change', () => void this.loadPipeline());
    this.cancelButton = h('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'clean-cancel' }, on: { click: () => this.job?.cancel() } }, 'Cancel');
    this.element = h(
      'section',
      { className: 'sql-panel clean-panel', attrs: { 'aria-label': 'Clean' } },
      h('div', { className: 'sql-toolbar' },
        h('label', {}, 'Table ', this.source), this.addOp,
        h('button', { attrs: { type: 'button', 'data-testid': 'clean-load' }, on: { click: () => this.fileInput.click() } }, 'Load pipeline…'),
        h('button', { attrs: { type: 'button', 'data-testid': 'clean-save-json' }, on: { click: () => this.downloadPipeline() } }, 'Save pipeline'),
        h('button', { attrs: { type: 'button', 'data-testid': 'clean-refit', title: 'Forget what the estimators learned and fit them again on this table' }, on: { click: () => void this.refitAll() } }, 'Refit all'),
        this.fileInput, this.cancelButton, this.progress, this.status),
      this.stepList,
      this.editor,
      this.output,
    );
    this.renderSteps();
    store.subscribe((tables) => this.setTables(tables));
  }

  /** Follows the loaded tables. */
  private setTables(tables: readonly TableInfo[]): void {
    this.tables = tables;
    const current = this.source.value;
    replaceChildren(this.source, ...tables.map((t) => h('option', { attrs: { value: t.name } }, t.name)));
    if (tables.some((t) => t.name === current)) this.source.value = current;
    else void this.rerun();
  }

  /** The committed pipeline of `table`, if it ran successfully on it. */
  cleanedSource(table: string): CleanedSource | undefined {
    if (!this.committed || this.steps.length === 0 || this.source.value !== table) return undefined;
    const last = this.committed.reports.at(-1);
    return { table, spec: this.spec(this.steps), columns: last?.columns ?? [] };
  }

  private spec(steps: Step[]): PipelineSpec {
    return { version: PIPELINE_VERSION, steps };
  }

  private inputColumns(index: number): ColumnInfo[] {
    if (index > 0 && this.committed?.reports[index - 1]) return this.committed.reports[index - 1].columns;
    return this.tables.find((t) => t.name === this.source.value)?.columns ?? [];
  }

  private openDraft(op: StepOp, index: number, editing: boolean): void {
    const form = stepForm(op, this.inputColumns(index), editing ? this.steps[index] : undefined);
    this.draft = { index, editing, form };
    const preview = h('button', { attrs: { type: 'button', 'data-testid': 'step-preview' }, on: { click: () => void this.previewDraft() } }, 'Preview');
    const apply = h('button', { className: 'primary compact', attrs: { type: 'button', 'data-testid': 'step-apply' }, on: { click: () => void this.applyDraft() } }, editing ? 'Save step' : 'Add to pipeline');
    const cancel = h('button', { attrs: { type: 'button', 'data-testid': 'step-discard' }, on: { click: () => this.closeDraft() } }, 'Discard');
    replaceChildren(this.editor,
      h('h3', {}, `${editing ? 'Edit' : 'New'} step ${index + 1}: ${STEP_OPS.find((o) => o.op === op)?.label ?? op}`),
      form.element,
      h('div', { className: 'sql-toolbar' }, preview, apply, cancel));
  }

  private closeDraft(): void {
    this.draft = undefined;
    replaceChildren(this.editor);
    this.showOutput(this.committed, false);
  }

  /** The committed steps with the draft step in its place. */
  private withDraft(): Step[] | undefined {
    const draft = this.draft;
    if (!draft) return undefined;
    let step: Step;
    try {
      step = draft.form.read();
    } catch (error) {
      this.say((error as Error).message, true);
      return undefined;
    }
    const steps = [...this.steps];
    steps.splice(draft.index, draft.editing ? 1 : 0, step);
    return draft.editing ? steps : steps.slice(0, draft.index + 1);
  }

  private async previewDraft(): Promise<void> {
    const steps = this.withDraft();
    if (!steps) return;
    const result = await this.run(steps);
    if (result) this.showOutput(result, true);
  }

  private async applyDraft(): Promise<void> {
    const draft = this.draft;
    const steps = this.withDraft();
    if (!draft || !steps) return;
    const step = steps[draft.index];
    const next = [...this.steps];
    next.splice(draft.index, draft.editing ? 1 : 0, step);
    this.steps = next;
    this.draft = undefined;
    replaceChildren(this.editor);
    await this.rerun();
  }

  /** Runs the committed steps and shows their output. */
  private async rerun(): Promise<void> {
    if (this.steps.length === 0) {
      this.committed = undefined;
      this.failure = undefined;
      this.renderSteps();
      this.showOutput(undefined, false);
      this.events.changed();
      return;
    }
    const result = await this.run(this.steps);
    this.committed = result;
    this.renderSteps();
    this.showOutput(result, false);
    this.events.changed();
  }

  private async run(steps: Step[]): Promise<Timed<PipelineResult> | undefined> {
    this.job?.cancel();
    const table = this.source.value;
    if (!table) {
      this.say('Load a table first.', true);
      return undefined;
    }
    this.cancelButton.disabled = false;
    this.progress.removeAttribute('hidden');
    this.progress.removeAttribute('value');
    this.say(`Running ${steps.length} step${steps.length === 1 ? '' : 's'} on ${table}…`, false);
    const job = this.engine.applyPipeline(table, this.spec(steps), (done, total) => {
      if (total > 0) this.progress.value = Math.min(done / total, 0.99);
    });
    this.job = job;
    try {
      const result = await job.done;
      this.failure = undefined;
      const computed = result.reports.filter((r) => !r.fromCache).length;
      this.say(`${formatCount(result.info.rows)} rows × ${result.info.columns.length} columns in ${formatDuration(result.elapsedMs)}` +
        (computed < result.reports.length ? ` (${result.reports.length - computed} step${result.reports.length - computed === 1 ? '' : 's'} reused from the last run)` : ''), false);
      this.status.firstElementChild?.setAttribute('data-elapsed-ms', result.elapsedMs.toFixed(2));
      return result;
    } catch (error) {
      if (isCodedError(error) && error.code === CANCELLED) {
        this.say('Cancelled.', false);
        return undefined;
      }
      const step = isCodedError(error) ? error.step : undefined;
      this.failure = { step, message: String((error as Error).message ?? error) };
      this.say(this.failure.message, true);
      this.renderSteps();
      return undefined;
    } finally {
      if (this.job === job) {
        this.job = undefined;
        this.cancelButton.disabled = true;
        this.progress.setAttribute('hidden', '');
      }
    }
  }

  private say(text: string, error: boolean): void {
    replaceChildren(this.status, h('span', { className: error ? 'error-text' : '', attrs: { 'data-testid': error ? 'clean-error' : 'clean-summary' } }, text));
  }

  private renderSteps(): void {
    const reports = this.committed?.reports ?? [];
    const fitted = this.committed?.fitted.steps ?? [];
    replaceChildren(
      this.stepList,
      h('li', { className: 'step source' }, h('span', { className: 'step-title' }, `source: ${this.source.value || '(no table)'}`),
        h('span', { className: 'hint' }, formatCount(this.tables.find((t) => t.name === this.source.value)?.rows ?? 0), ' rows')),
      ...this.steps.map((step, i) => {
        const report = reports[i];
        const failed = this.failure?.step === i + 1;
        const learned = describeLearned(fitted[i] ?? step);
        return h('li', { className: `step${failed ? ' failed' : ''}`, attrs: { 'data-testid': `clean-step-${i + 1}`, ...(failed ? { 'data-failed': 'true' } : {}) } },
          h('span', { className: 'step-number' }, String(i + 1)),
          h('div', { className: 'step-body' },
            h('span', { className: 'step-title mono' }, describeStep(step)),
            report && h('span', { className: 'hint', attrs: { 'data-testid': 'step-rows' } },
              `${formatCount(report.rowsIn)} → ${formatCount(report.rowsOut)} rows · ${report.columns.length} columns · ${report.fromCache ? 'kept from the last run' : formatDuration(report.elapsedMs)}`),
            failed && h('span', { className: 'error-text' }, this.failure?.message ?? ''),
            ...(report?.warnings ?? []).map((w) => h('span', { className: 'hint warning-text' }, w)),
            learned.length > 0 && h('details', { className: 'learned' }, h('summary', {}, 'learned'), h('ul', {}, ...learned.map((l) => h('li', { className: 'mono' }, l)))),
            report && h('details', { className: 'step-schema' }, h('summary', {}, 'schema after this step'),
              h('ul', { className: 'schema-list' }, ...report.columns.map((c) => h('li', {}, h('span', { className: 'mono' }, c.name), ` ${c.dataType}`))))),
          h('div', { className: 'step-actions' },
            this.iconButton('↑', `Move step ${i + 1} up`, i > 0, () => this.move(i, -1)),
            this.iconButton('↓', `Move step ${i + 1} down`, i < this.steps.length - 1, () => this.move(i, 1)),
            this.iconButton('✎', `Edit step ${i + 1}`, true, () => this.openDraft(step.op, i, true)),
            this.iconButton('✕', `Remove step ${i + 1}`, true, () => void this.remove(i))));
      }),
    );
  }

  private iconButton(text: string, label: string, enabled: boolean, action: () => void): HTMLButtonElement {
    const button = h('button', { className: 'icon-button', attrs: { type: 'button', 'aria-label': label, title: label }, on: { click: action } }, text);
    button.disabled = !enabled;
    return button;
  }

  private move(i: number, by: number): void {
    const steps = [...this.steps];
    const [step] = steps.splice(i, 1);
    steps.splice(i + by, 0, step);
    this.steps = steps;
    void this.rerun();
  }

  private async remove(i: number): Promise<void> {
    this.steps = this.steps.filter((_, k) => k !== i);
    await this.rerun();
  }

  private async refitAll(): Promise<void> {
    this.steps = this.steps.map(unfitted);
    await this.rerun();
  }

  private showOutput(result: Timed<PipelineResult> | undefined, preview: boolean): void {
    if (!result) {
      replaceChildren(this.output, h('p', { className: 'hint' }, this.steps.length === 0
        ? 'Add a step to start a pipeline. Each step is previewed before it is added.'
        : 'The pipeline did not run; fix the step marked above.'));
      return;
    }
    const info = result.info;
    const grid = tableGrid(this.engine, info, preview ? 'Preview of the step' : 'Rows after the pipeline');
    const name = input('clean-save-name', `${this.source.value}_clean`, 18);
    const last = result.reports.at(-1);
    const learned = preview && this.draft ? describeLearned(result.fitted.steps[this.draft.index] ?? { op: 'cache' }) : [];
    replaceChildren(this.output,
      h('h3', {}, preview ? `Preview: step ${(this.draft?.index ?? 0) + 1} (not added yet)` : 'Result'),
      h('p', { className: 'hint', attrs: { 'data-testid': preview ? 'clean-preview-summary' : 'clean-result-summary' } },
        last ? `${formatCount(last.rowsIn)} rows in → ${formatCount(last.rowsOut)} rows out · ` : '',
        `${info.columns.length} columns · ${info.partitions} partitions`),
      learned.length > 0 && h('ul', { className: 'learned', attrs: { 'data-testid': 'clean-preview-learned' } }, ...learned.map((l) => h('li', { className: 'mono' }, l))),
      h('details', { className: 'schema' }, h('summary', {}, 'Schema'),
        h('ul', { className: 'schema-list' }, ...info.columns.map((c) => h('li', {}, h('span', { className: 'mono' }, c.name), ` ${c.dataType}`)))),
      !preview && h('div', { className: 'sql-toolbar' },
        'Save as table ', name,
        h('button', { attrs: { type: 'button', 'data-testid': 'clean-save-table' }, on: { click: () => void this.saveTable(info.name, name.value) } }, 'Save'),
        h('button', { attrs: { type: 'button', 'data-testid': 'clean-download-csv' }, on: { click: () => void this.download(info.name, 'csv') } }, 'Download CSV'),
        spreadsheetEscapeToggle(),
        h('button', { attrs: { type: 'button', 'data-testid': 'clean-download-parquet' }, on: { click: () => void this.download(info.name, 'parquet') } }, 'Download Parquet'),
        h('button', { attrs: { type: 'button', 'data-testid': 'clean-profile' }, on: { click: () => this.events.profile(info.name, `${this.source.value} after the pipeline`) } }, 'Profile')),
      grid.element);
  }

  private async saveTable(result: string, name: string): Promise<void> {
    try {
      const info = await this.engine.saveAs(result, name);
      this.say(`Saved as table ${info.name}; query it in the SQL tab.`, false);
      this.events.tableCreated(info);
    } catch (error) {
      this.say(String((error as Error).message ?? error), true);
    }
  }

  private async download(result: string, format: 'csv' | 'parquet'): Promise<void> {
    try {
      await downloadTable(this.engine, result, format, `${this.source.value}_clean`);
    } catch (error) {
      this.say(String((error as Error).message ?? error), true);
    }
  }

  /** The pipeline as JSON: fitted (a PipelineModel) when it has run, else as written. */
  private downloadPipeline(): void {
    const spec = this.committed?.fitted ?? this.spec(this.steps);
    downloadBytes(new TextEncoder().encode(JSON.stringify(spec, null, 2)), `${this.source.value || 'pipeline'}.pipeline.json`, 'application/json');
  }

  private async loadPipeline(): Promise<void> {
    const file = this.fileInput.files?.[0];
    this.fileInput.value = '';
    if (!file) return;
    let spec: PipelineSpec;
    try {
      spec = JSON.parse(await file.text()) as PipelineSpec;
      if (typeof spec !== 'object' || spec === null || !Array.isArray(spec.steps)) throw new Error('it has no "steps" list');
      if (spec.version !== PIPELINE_VERSION) throw new Error(`it is format version ${String(spec.version)}; this Brasa reads version ${PIPELINE_VERSION}`);
    } catch (error) {
      this.say(`${file.name} is not a Brasa pipeline: ${(error as Error).message}`, true);
      return;
    }
    this.steps = spec.steps;
    this.draft = undefined;
    replaceChildren(this.editor);
    await this.rerun();
    if (spec.steps.some((s) => 'fitted' in s && s.fitted)) {
      this.say(`Loaded ${file.name}: its estimators keep what they learned (transform only). "Refit all" learns again on this table.`, false);
    }
  }
}
