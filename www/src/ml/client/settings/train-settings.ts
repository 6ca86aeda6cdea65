/**
 * The Train tab's settings form, and the `TrainSpec` it makes: the table (optionally
 * through the Clean tab's pipeline), the estimator, its label and features
 * (VectorAssembler), an instance weight, GBT's validation indicator, handleInvalid, a
 * StandardScaler stage, the estimator's params and grid, and the tuning.
 *
 * The label's type proposes the task: picking a true/false label while LinearRegression
 * is chosen switches to LogisticRegression (a text label is offered once it is chosen).
 * Each estimator keeps its own params fields, so switching back and forth loses nothing.
 */
import type { CleanedSource } from '../../../clean/client/pipeline-panel';
import type { ColumnInfo, TableInfo } from '../../../engine/shared/api';
import { h, replaceChildren } from '../../../ui/dom';
import { checkbox, field, select } from '../../../ui/form';
import { dataKind, isAssembled, knownClasses } from '../../shared/columns';
import { ESTIMATORS, type EstimatorName, type HandleInvalid, STANDARD_SCALER_DEFAULTS, type TrainSpec, estimatorInfo, stopsEarly, takesWeights } from '../../shared/training';
import { EstimatorParams } from './estimator-params';
import { LabelFields } from './label-fields';
import { TuningFields } from './tuning-fields';

/** Example grids the params fields start with (today's LinearRegression grid, a small one for the others). */
const EXAMPLE_GRIDS: Record<EstimatorName, Record<string, string>> = {
  linearRegression: { regParam: '0, 0.01, 0.1, 1', elasticNetParam: '0, 0.5, 1' },
  logisticRegression: { regParam: '0, 0.01, 0.1' },
  kMeans: { k: '2, 3, 4' },
  decisionTreeClassifier: { maxDepth: '3, 5, 7' },
  decisionTreeRegressor: { maxDepth: '3, 5, 7' },
  randomForestClassifier: {},
  randomForestRegressor: {},
  gbtClassifier: {},
  gbtRegressor: {},
};

export class TrainSettings {
  readonly element: HTMLElement;
  private tables: readonly TableInfo[] = [];
  private readonly table = select('train-table', []);
  private readonly usePipeline = checkbox('train-use-pipeline', false);
  private readonly pipelineHint = h('span', { className: 'hint', attrs: { 'data-testid': 'train-pipeline-hint' } });
  private readonly estimator = select('train-estimator', ESTIMATORS.map((e) => [e.name, e.sparkName]));
  private readonly estimatorHint = h('span', { className: 'hint', attrs: { 'data-testid': 'train-estimator-hint' } });
  private readonly label = new LabelFields(() => this.labelPicked());
  private readonly features = h('div', { className: 'train-features', attrs: { 'data-testid': 'train-features' } });
  private readonly weightCol = select('train-weight-col', []);
  private readonly weightField = field('weightCol', this.weightCol, 'each row\'s instance weight');
  private readonly validationCol = select('train-validation-col', []);
  private readonly validationField = field('validationIndicatorCol', this.validationCol,
    'a boolean column: its true rows of each training split are set apart to stop boosting early (validationTol); the page draws their loss per iteration');
  private readonly handleInvalid = select('train-handle-invalid', [
    ['error', 'error (Spark default)'],
    ['skip', 'skip rows with NULL/NaN'],
  ]);
  private readonly scale = checkbox('train-scaler', false);
  private readonly withMean = checkbox('train-with-mean', STANDARD_SCALER_DEFAULTS.withMean);
  private readonly withStd = checkbox('train-with-std', STANDARD_SCALER_DEFAULTS.withStd);
  private readonly params = new Map(ESTIMATORS.map((info) => [info.name, new EstimatorParams(info, EXAMPLE_GRIDS[info.name])]));
  private readonly paramsLegend = h('legend', {});
  private readonly paramsSet = h('fieldset', { attrs: { 'data-testid': 'train-params' } });
  private readonly tuning = new TuningFields();

  constructor(
    /** The Clean tab's pipeline for a table, when it has one that ran. */
    private readonly cleanedSource: (table: string) => CleanedSource | undefined,
  ) {
    this.table.addEventListener('change', () => this.showColumns(true));
    this.usePipeline.addEventListener('change', () => this.showColumns(true));
    this.estimator.addEventListener('change', () => this.estimatorChanged());
    this.weightCol.addEventListener('change', () => this.showFeatures(false));
    this.validationCol.addEventListener('change', () => this.showFeatures(false));
    this.element = h('div', { className: 'train-form' },
      h('fieldset', {}, h('legend', {}, 'Data'),
        field('Table', this.table),
        h('label', { className: 'field' }, h('span', { className: 'field-label' }, 'Cleaning pipeline'), h('span', {}, this.usePipeline, ' apply the Clean tab\'s pipeline first'), this.pipelineHint),
        field('Estimator', this.estimator), this.estimatorHint,
        this.label.element,
        field('Features (VectorAssembler)', this.features), this.weightField, this.validationField, field('handleInvalid', this.handleInvalid)),
      h('fieldset', {}, h('legend', {}, 'StandardScaler'),
        field('Scale features', this.scale, 'fitted on each training split'),
        field('withMean', this.withMean), field('withStd', this.withStd)),
      this.paramsSet,
      this.tuning.element);
    this.estimatorChanged();
  }

  /** The chosen table. */
  get tableName(): string {
    return this.table.value;
  }

  /** Follows the loaded tables (after loads, SQL, scoring, drops, restarts). */
  setTables(tables: readonly TableInfo[]): void {
    this.tables = tables;
    const current = this.table.value;
    replaceChildren(this.table, ...this.tables.map((t) => h('option', { attrs: { value: t.name } }, t.name)));
    if (this.tables.some((t) => t.name === current)) this.table.value = current;
    this.showColumns(current !== this.table.value);
  }

  /** The Clean tab's pipeline changed: the columns offered follow it. */
  pipelineChanged(): void {
    this.showColumns(false);
  }

  /** The job the form describes. Throws, naming the field, on a value that is not a number. */
  spec(): TrainSpec {
    const name = this.estimatorName;
    const jobSeed = this.tuning.jobSeed();
    const { estimator, grid } = this.paramsOf(name).read(jobSeed);
    const label = this.label.name;
    const indexer = this.label.indexer();
    const weightCol = takesWeights(name) && this.weightCol.value !== '' ? this.weightCol.value : undefined;
    const validationIndicatorCol = this.chosenValidationCol();
    const pipeline = this.pipeline()?.spec;
    return {
      ...estimator,
      features: this.checkedFeatures(),
      ...(label !== undefined ? { label } : {}),
      ...(indexer ? { labelIndexer: indexer } : {}),
      ...(weightCol !== undefined ? { weightCol } : {}),
      ...(validationIndicatorCol !== '' ? { validationIndicatorCol } : {}),
      handleInvalid: this.handleInvalid.value as HandleInvalid,
      scaler: this.scale.checked ? { withMean: this.withMean.checked, withStd: this.withStd.checked } : null,
      grid,
      ...this.tuning.read(),
      ...(pipeline ? { pipeline } : {}),
    };
  }

  /** Puts a recorded spec's settings in the form (the columns it names should exist in `table`). */
  show(table: string, spec: TrainSpec): void {
    this.table.value = table;
    this.estimator.value = spec.estimator;
    this.estimatorChanged();
    this.label.show(spec.label ?? undefined, spec.labelIndexer ?? undefined);
    this.showWeights();
    this.weightCol.value = spec.weightCol && [...this.weightCol.options].some((o) => o.value === spec.weightCol) ? spec.weightCol : '';
    const validation = spec.validationIndicatorCol;
    this.validationCol.value = validation && [...this.validationCol.options].some((o) => o.value === validation) ? validation : '';
    this.showFeatures(true);
    for (const box of this.featureBoxes()) box.checked = spec.features.includes(box.value);
    this.offerMetrics();
    this.handleInvalid.value = spec.handleInvalid === 'skip' ? 'skip' : 'error';
    this.scale.checked = spec.scaler !== null && spec.scaler !== undefined;
    this.withMean.checked = spec.scaler?.withMean ?? STANDARD_SCALER_DEFAULTS.withMean;
    this.withStd.checked = spec.scaler?.withStd ?? STANDARD_SCALER_DEFAULTS.withStd;
    this.paramsOf(spec.estimator).show(spec);
    this.tuning.show(spec);
  }

  private get estimatorName(): EstimatorName {
    return this.estimator.value as EstimatorName;
  }

  private paramsOf(name: EstimatorName): EstimatorParams {
    const params = this.params.get(name);
    if (!params) throw new Error(`unknown estimator ${name}`);
    return params;
  }

  /** The Clean tab's pipeline when it applies to the chosen table and is ticked. */
  private pipeline(): CleanedSource | undefined {
    const cleaned = this.cleanedSource(this.table.value);
    return cleaned && this.usePipeline.checked ? cleaned : undefined;
  }

  /** The chosen table's columns, after the pipeline when it applies. */
  private columns(): ColumnInfo[] {
    const cleaned = this.pipeline();
    return [...((cleaned ? cleaned.columns : this.tables.find((t) => t.name === this.table.value)?.columns) ?? [])];
  }

  /** `fresh`: another table (or its pipeline toggled), so every feature starts ticked. */
  private showColumns(fresh: boolean): void {
    const cleaned = this.cleanedSource(this.table.value);
    this.usePipeline.disabled = !cleaned;
    if (!cleaned) this.usePipeline.checked = false;
    this.pipelineHint.textContent = cleaned
      ? `${cleaned.spec.steps.length} step${cleaned.spec.steps.length === 1 ? '' : 's'}, its estimators refitted on each fold's training rows`
      : 'build one in the Clean tab for this table';
    this.label.offer(this.columns(), estimatorInfo(this.estimatorName).task);
    this.showWeights();
    this.showFeatures(fresh);
    this.offerMetrics();
  }

  private estimatorChanged(): void {
    const info = estimatorInfo(this.estimatorName);
    replaceChildren(this.paramsLegend, info.sparkName);
    replaceChildren(this.paramsSet, this.paramsLegend, this.paramsOf(info.name).element);
    this.weightField.hidden = !takesWeights(info.name);
    this.validationField.hidden = !stopsEarly(info.name);
    this.estimatorHint.textContent = {
      regression: 'regression: a numeric label',
      classification: 'classification: a label of classes',
      clustering: 'clustering: no label',
    }[info.task];
    this.showColumns(false);
  }

  /** The user chose a label: a true/false one proposes classification. */
  private labelPicked(): void {
    if (this.estimatorName === 'linearRegression' && this.label.kind === 'boolean') {
      this.estimator.value = 'logisticRegression';
      this.estimatorChanged();
      this.estimatorHint.textContent = 'classification: a true/false label proposes LogisticRegression';
      return;
    }
    this.showWeights();
    this.showFeatures(false);
    this.offerMetrics();
  }

  private offerMetrics(): void {
    const task = estimatorInfo(this.estimatorName).task;
    const kind = this.label.kind;
    this.tuning.offerMetrics(task, kind && this.label.indexer() ? knownClasses(kind) : undefined);
  }

  /** Any numeric column but the label can weigh the rows; any boolean one mark GBT's validation rows. */
  private showWeights(): void {
    const others = this.columns().filter((c) => c.name !== this.label.name);
    offerColumns(this.weightCol, others.filter((c) => dataKind(c.dataType) === 'number'), '(none: every row weighs 1)');
    offerColumns(this.validationCol, others.filter((c) => dataKind(c.dataType) === 'boolean'), '(none: no early stopping)');
  }

  /** The validation indicator, when the estimator takes one and a column is chosen ('' otherwise). */
  private chosenValidationCol(): string {
    return stopsEarly(this.estimatorName) ? this.validationCol.value : '';
  }

  private featureBoxes(): HTMLInputElement[] {
    return [...this.features.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
  }

  private checkedFeatures(): string[] {
    return this.featureBoxes().filter((b) => b.checked).map((b) => b.value);
  }

  /**
   * Offers every number and boolean column but the label and the weight. `fresh`: all
   * ticked; otherwise a column offered before keeps its tick.
   */
  private showFeatures(fresh: boolean): void {
    const ticked = new Map(this.featureBoxes().map((b) => [b.value, b.checked]));
    const weight = takesWeights(this.estimatorName) ? this.weightCol.value : '';
    const validation = this.chosenValidationCol();
    const offered = this.columns().filter((c) => isAssembled(dataKind(c.dataType)) && ![this.label.name, weight, validation].includes(c.name));
    replaceChildren(this.features, ...offered.map((c) => {
      const box = checkbox(`feature-${c.name}`, fresh ? true : ticked.get(c.name) ?? true);
      box.value = c.name;
      return h('label', { className: 'feature' }, box, ` ${c.name}`);
    }));
  }
}

/** Fills a column select with `columns` after a "none" option, keeping the choice when it is still offered. */
function offerColumns(target: HTMLSelectElement, columns: readonly ColumnInfo[], none: string): void {
  const current = target.value;
  replaceChildren(target,
    h('option', { attrs: { value: '' } }, none),
    ...columns.map((c) => h('option', { attrs: { value: c.name } }, c.name)));
  target.value = columns.some((c) => c.name === current) ? current : '';
}
