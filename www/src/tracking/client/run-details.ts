/**
 * One run, everything about it: status and why it failed, params, metrics (latest and
 * history length), tags with add/remove, the note, dataset inputs with their digest,
 * artifacts to download; and what to do with it: delete/restore, re-run on a loaded
 * table (saying whether the data is the same), register its model, download it as an
 * MLflow model, export the job as a PySpark script.
 */
import { fileReadingText, sourceOf } from '../shared/datasets';
import { type RecordedJob, readRecordedJob } from '../shared/recorded-job';
import {
  JOB_ARTIFACT,
  MODEL_ARTIFACT,
  type Run,
  TAG_FAILURE,
  TAG_NOTE,
  TAG_PARENT_RUN_ID,
  TAG_REPLAY_OF,
  latestMetrics,
} from '../shared/model';
import { METRICS } from '../../ml/shared/training';
import { pysparkScript } from '../shared/pyspark';
import { h, replaceChildren } from '../../ui/dom';
import { downloadBlob } from '../../ui/download';
import { formatBytes } from '../../ui/format';
import { shortDigest } from './digest';
import { downloadMlflowModel } from './mlflow-download';
import type { StageDataWriter } from '../shared/spark-pipeline-files';
import { formatNumber, formatTime } from './runs-table';
import type { TrackingStore } from './store';

export interface RunDetailsActions {
  /** Names of the tables loaded in the engine. */
  tables(): string[];
  /** The digest of a loaded table's content (see `digest.ts`). */
  digestOf(table: string): Promise<string>;
  /** Trains the recorded job again on `table` (the Train tab shows it). */
  replay(job: RecordedJob, table: string, tags: Record<string, string>): Promise<void>;
  open(runId: string): void;
  changed(): void;
  /** Writes a Spark stage's data file (the engine's `sparkStageData`), for MLflow models. */
  writeStageData: StageDataWriter;
}

const section = (title: string, ...children: (Node | string | null)[]) => h('section', { className: 'run-section' }, h('h3', {}, title), ...children);

function keyValueTable(testId: string, rows: [string, Node | string][]): HTMLElement {
  return h('table', { className: 'result-table kv', attrs: { 'data-testid': testId } },
    h('tbody', {}, ...rows.map(([k, v]) => h('tr', { attrs: { 'data-key': k } }, h('td', {}, k), h('td', {}, v)))));
}

export class RunDetails {
  readonly element = h('div', { className: 'run-details', attrs: { 'data-testid': 'run-details', hidden: '' } });
  private readonly message = h('div', { className: 'run-message', attrs: { 'data-testid': 'run-message', role: 'status' } });

  constructor(
    private readonly store: TrackingStore,
    private readonly actions: RunDetailsActions,
  ) {}

  close(): void {
    this.element.setAttribute('hidden', '');
    replaceChildren(this.element);
  }

  async show(runId: string): Promise<void> {
    const run = await this.store.run(runId);
    if (!run) return this.close();
    this.element.removeAttribute('hidden');
    const message = this.message;
    if (this.element.dataset.runId !== runId) replaceChildren(message);
    /** Runs an action, then shows the run again with what the action said. */
    const act = (fn: () => Promise<unknown>) => async () => {
      this.element.dataset.busy = 'true';
      try {
        replaceChildren(message);
        const said = await fn();
        this.actions.changed();
        await this.show(runId);
        if (typeof said === 'string') replaceChildren(message, said);
      } catch (error) {
        replaceChildren(message, h('span', { className: 'error-text' }, (error as Error).message));
      } finally {
        delete this.element.dataset.busy;
      }
    };
    const parentId = run.tags[TAG_PARENT_RUN_ID];
    const replayOf = run.tags[TAG_REPLAY_OF];
    const metrics = latestMetrics(run);
    const versions = await this.store.versionsOfRun(runId);

    const header = h('div', { className: 'run-header' },
      h('h2', { attrs: { 'data-testid': 'run-name' } }, run.runName),
      h('span', { className: `status status-${run.status.toLowerCase()}`, attrs: { 'data-testid': 'run-status' } }, run.status),
      run.lifecycleStage === 'deleted' ? h('span', { className: 'status status-killed' }, 'deleted') : null,
      h('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => this.close() } }, 'Close'),
    );
    const facts = keyValueTable('run-facts', [
      ['Run ID', h('span', { className: 'mono' }, run.runId)],
      ['Experiment', run.experimentId],
      ['Started', formatTime(run.startTime)],
      ['Ended', formatTime(run.endTime)],
      ...(parentId ? ([['Parent run', h('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => this.actions.open(parentId) } }, parentId)]] as [string, Node][]) : []),
      ...(replayOf ? ([['Re-run of', h('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => this.actions.open(replayOf) } }, replayOf)]] as [string, Node][]) : []),
      ...(run.tags[TAG_FAILURE] ? ([['Reason', h('span', { className: 'error-text', attrs: { 'data-testid': 'run-failure' } }, run.tags[TAG_FAILURE])]] as [string, Node][]) : []),
      ...(versions.length ? ([['Registered as', versions.map((v) => `${v.name} v${v.version}`).join(', ')]] as [string, string][]) : []),
    ]);

    const params = keyValueTable('run-params', Object.entries(run.params).sort(([a], [b]) => a.localeCompare(b)));
    const metricRows = h('table', { className: 'result-table', attrs: { 'data-testid': 'run-metrics' } },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), h('th', {}, 'latest'), h('th', {}, 'history'))),
      h('tbody', {}, ...Object.keys(run.metrics).sort().map((key) =>
        h('tr', { attrs: { 'data-key': key } }, h('td', {}, key), h('td', {}, formatNumber(metrics[key])),
          h('td', {}, run.metrics[key].length > 1 ? run.metrics[key].map((p) => `${p.step}: ${formatNumber(p.value)}`).join(', ') : '')))));

    const tagKey = h('input', { attrs: { type: 'text', placeholder: 'key', size: '14', 'data-testid': 'tag-key' } });
    const tagValue = h('input', { attrs: { type: 'text', placeholder: 'value', size: '14', 'data-testid': 'tag-value' } });
    const tags = h('table', { className: 'result-table kv', attrs: { 'data-testid': 'run-tags' } },
      h('tbody', {}, ...Object.entries(run.tags).filter(([k]) => k !== TAG_NOTE).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) =>
        h('tr', { attrs: { 'data-key': k } }, h('td', {}, k), h('td', {}, v),
          h('td', {}, h('button', { className: 'link', attrs: { type: 'button', title: `Remove tag ${k}` }, on: { click: act(() => this.store.deleteRunTag(runId, k)) } }, '×'))))));
    const note = h('textarea', { attrs: { rows: '3', cols: '60', 'data-testid': 'run-note', placeholder: 'A note about this run (mlflow.note.content)' } });
    note.value = run.tags[TAG_NOTE] ?? '';

    // The source table's digest is the one Re-run compares: it alone is `run-digest`.
    const source = sourceOf(run.inputs);
    const inputs = run.inputs.map((input) =>
      h('div', { className: 'dataset', attrs: { 'data-testid': 'run-dataset', 'data-context': input.context } },
        h('strong', {}, input.name), ` (${input.context}) · ${input.rows.toLocaleString('en-US')} rows · digest `,
        h('span', { className: 'mono', attrs: {
          title: input.digest || 'not computed: the run did not finish, or the table could not be read',
          'data-testid': input === source ? 'run-digest' : 'run-input-digest',
          'data-digest': input.digest,
        } }, shortDigest(input.digest)),
        input.transform ? h('div', { className: 'hint', attrs: { 'data-testid': 'run-dataset-transform' } }, input.transform) : null,
        input.file !== undefined ? h('div', { className: 'hint', attrs: { 'data-testid': 'run-dataset-file' } }, fileReadingText(input)) : null,
        h('details', {}, h('summary', {}, `schema (${input.schema.length} columns)`),
          h('table', { className: 'result-table' }, h('tbody', {}, ...input.schema.map((c) => h('tr', {}, h('td', {}, c.name), h('td', {}, c.type), h('td', {}, c.nullable ? 'nullable' : '')))))),
      ));

    const artifacts = h('ul', { className: 'artifacts', attrs: { 'data-testid': 'run-artifacts' } },
      ...run.artifacts.map((a) => h('li', {},
        h('button', { className: 'link', attrs: { type: 'button', 'data-artifact': a.path }, on: { click: () => void this.download(runId, a.path) } }, a.path),
        ` ${formatBytes(a.size)}`)));

    const job = run.artifacts.some((a) => a.path === JOB_ARTIFACT) ? await this.job(runId) : undefined;
    const hasModel = run.artifacts.some((a) => a.path === MODEL_ARTIFACT) && run.status === 'FINISHED';
    const modelName = h('input', { attrs: { type: 'text', size: '16', placeholder: 'model name', 'data-testid': 'register-name' } });
    const replayTable = h('select', { attrs: { 'data-testid': 'replay-table' } }, ...this.actions.tables().map((t) => h('option', { attrs: { value: t } }, t)));
    if (job && this.actions.tables().includes(job.table)) replayTable.value = job.table;
    const replayInfo = h('span', { className: 'hint', attrs: { 'data-testid': 'replay-info' } });

    const actions = h('div', { className: 'run-actions' },
      run.lifecycleStage === 'active'
        ? h('button', { attrs: { type: 'button', 'data-testid': 'run-delete' }, on: { click: act(async () => this.store.setRunsLifecycle(await this.withChildren(run), 'deleted')) } }, 'Delete')
        : h('button', { attrs: { type: 'button', 'data-testid': 'run-restore' }, on: { click: act(async () => this.store.setRunsLifecycle(await this.withChildren(run), 'active')) } }, 'Restore'),
      job ? h('span', { className: 'group' }, 'Re-run on ', replayTable, ' ',
        h('button', { attrs: { type: 'button', 'data-testid': 'run-replay' }, on: { click: () => void this.replay(run, job, replayTable.value, replayInfo) } }, 'Re-run'), replayInfo) : null,
      job ? h('button', { attrs: { type: 'button', 'data-testid': 'run-export-pyspark' }, on: { click: () => this.exportScript(run, job) } }, 'PySpark script') : null,
      hasModel ? h('button', { attrs: { type: 'button', 'data-testid': 'run-download-mlflow-model', title: 'The model as an MLflow model (spark flavor): MLmodel, environment files and a Spark ML PipelineModel' }, on: { click: act(() => downloadMlflowModel(this.store, runId, this.actions.writeStageData, `${run.runName}-model`)) } }, 'Download MLflow model') : null,
      hasModel ? h('span', { className: 'group' }, 'Register model as ', modelName, ' ',
        h('button', { attrs: { type: 'button', 'data-testid': 'register-model' }, on: { click: act(async () => {
          const version = await this.store.registerModel(modelName.value, runId, `runs:/${runId}/model`);
          return `Registered ${version.name} version ${version.version}.`;
        }) } }, 'Register')) : null,
    );

    this.element.dataset.runId = runId;
    replaceChildren(this.element,
      header, message, actions,
      h('div', { className: 'run-columns' },
        h('div', {}, section('Overview', facts), section('Datasets', ...inputs), section('Artifacts', artifacts)),
        h('div', {}, section('Parameters', params), section('Metrics', metricRows)),
        h('div', {},
          section('Tags', tags, h('div', { className: 'inline-form' }, tagKey, tagValue,
            h('button', { attrs: { type: 'button', 'data-testid': 'tag-add' }, on: { click: act(() => this.store.setRunTag(runId, tagKey.value, tagValue.value)) } }, 'Add tag'))),
          section('Note', note, h('div', {}, h('button', { attrs: { type: 'button', 'data-testid': 'note-save' }, on: { click: act(() => this.store.setNote(runId, note.value)) } }, 'Save note'))),
        ),
      ),
    );
  }

  /** A run and its child runs (deleting or restoring a parent takes them along). */
  private async withChildren(run: Run): Promise<string[]> {
    const children = (await this.store.runs(run.experimentId)).filter((r) => r.tags[TAG_PARENT_RUN_ID] === run.runId);
    return [run.runId, ...children.map((r) => r.runId)];
  }

  private async job(runId: string): Promise<RecordedJob | undefined> {
    const record = await this.store.artifact(runId, JOB_ARTIFACT);
    return record ? readRecordedJob(JSON.parse(await record.blob.text())) : undefined;
  }

  private async download(runId: string, path: string): Promise<void> {
    const record = await this.store.artifact(runId, path);
    if (record) downloadBlob(record.blob, path.split('/').pop() ?? path);
  }

  /** Says whether `table` holds the same data as the run's input, then replays. */
  private async replay(run: Run, job: RecordedJob, table: string, info: HTMLElement): Promise<void> {
    if (!table) {
      replaceChildren(info, h('span', { className: 'error-text' }, 'Load a table to re-run on.'));
      return;
    }
    replaceChildren(info, 'Computing the data digest…');
    const recorded = sourceOf(run.inputs)?.digest ?? '';
    let digest = '';
    try {
      digest = await this.actions.digestOf(table);
    } catch (error) {
      replaceChildren(info, h('span', { className: 'error-text' }, `Could not read ${table}: ${(error as Error).message}`));
      return;
    }
    const same = recorded !== '' && digest === recorded;
    replaceChildren(info, h('span', { attrs: { 'data-same-data': String(same) } },
      same ? `Same data as the run (digest ${shortDigest(digest)}).`
        : `Different data: the run read ${shortDigest(recorded)}, ${table} is ${shortDigest(digest)}.`));
    await this.actions.replay(job, table, { [TAG_REPLAY_OF]: run.runId, 'brasa.replay.sameData': String(same) });
  }

  private exportScript(run: Run, job: RecordedJob): void {
    // The metric the run ranked by, for jobs that left it to Spark's default.
    const metric = METRICS.find((m) => m.name === run.params.metricName)?.name;
    const script = pysparkScript(job, { dataPath: `${job.table}.csv`, runId: run.runId, metric });
    downloadBlob(new Blob([script], { type: 'text/x-python' }), `${job.table}_job.py`);
  }
}
