/**
 * The label and, for a classifier, how it becomes class indices (Spark's StringIndexer):
 * which columns can be the label depends on the task (a regression reads numbers and
 * booleans, a classifier text too, clustering has none), and the label's type sets the
 * indexing: booleans and text must be indexed (booleans `alphabetAsc`, text Spark's
 * `frequencyDesc`), a number may hold the class indices itself so indexing it is off
 * until ticked.
 */
import type { ColumnInfo, StringOrderType } from '../../../contract';
import { h, replaceChildren } from '../../../ui/dom';
import { checkbox, field, select } from '../../../ui/form';
import { type DataKind, dataKind, isAssembled, labelIndexing } from '../../shared/columns';
import type { LabelIndexer, TaskKind } from '../../shared/training';

const ORDERS: [StringOrderType, string][] = [
  ['frequencyDesc', 'frequencyDesc (most frequent = 0; Spark default)'],
  ['frequencyAsc', 'frequencyAsc (least frequent = 0)'],
  ['alphabetAsc', 'alphabetAsc (false = 0, a = 0)'],
  ['alphabetDesc', 'alphabetDesc'],
];

export class LabelFields {
  readonly element: HTMLElement;
  private columns: ColumnInfo[] = [];
  private task: TaskKind = 'regression';
  private readonly label = select('train-label', []);
  private readonly labelHint = h('span', { className: 'hint', attrs: { 'data-testid': 'train-label-hint' } });
  private readonly index = checkbox('train-index-label', false);
  private readonly order = select('train-label-order', ORDERS);
  private readonly labelField: HTMLElement;
  private readonly indexField: HTMLElement;

  /** `picked`: the user chose another label (not a change of table or estimator). */
  constructor(picked: () => void) {
    this.labelField = h('label', { className: 'field' }, h('span', { className: 'field-label' }, 'Label'), this.label, this.labelHint);
    this.indexField = h('div', { className: 'field' },
      h('label', {}, this.index, ' index the label (StringIndexer)'),
      field('stringOrderType', this.order));
    this.element = h('div', { className: 'label-fields' }, this.labelField, this.indexField);
    this.label.addEventListener('change', () => {
      this.indexByDefault();
      picked();
    });
    this.index.addEventListener('change', () => this.showIndexing());
  }

  /** The chosen label, none for clustering. */
  get name(): string | undefined {
    return this.task === 'clustering' || this.label.value === '' ? undefined : this.label.value;
  }

  get kind(): DataKind | undefined {
    const column = this.columns.find((c) => c.name === this.name);
    return column && dataKind(column.dataType);
  }

  /** The label's StringIndexer, when a classifier's label is indexed. */
  indexer(): LabelIndexer | undefined {
    return this.task === 'classification' && this.index.checked ? { stringOrderType: this.order.value as StringOrderType } : undefined;
  }

  /** Offers the columns that can be `task`'s label, keeping the chosen one if it still can. */
  offer(columns: ColumnInfo[], task: TaskKind): void {
    const previous = this.label.value;
    const kindBefore = this.kind;
    this.columns = columns;
    this.task = task;
    const offered = columns.filter((c) => {
      const kind = dataKind(c.dataType);
      return isAssembled(kind) || (task === 'classification' && kind === 'text');
    });
    replaceChildren(this.label, ...offered.map((c) => h('option', { attrs: { value: c.name } }, `${c.name} (${c.dataType})`)));
    if (offered.some((c) => c.name === previous)) this.label.value = previous;
    this.labelField.hidden = task === 'clustering';
    this.labelHint.textContent =
      task === 'regression' ? 'a number; a true/false label proposes LogisticRegression, a text label needs it'
        : task === 'classification' ? 'booleans and text are indexed; a number holds class indices 0, 1, … unless indexed'
          : '';
    if (this.label.value !== previous || this.kind !== kindBefore) this.indexByDefault();
    else this.showIndexing();
  }

  /** Shows a recorded spec's label and indexing. */
  show(label: string | undefined, indexer: LabelIndexer | undefined): void {
    if (label !== undefined) this.label.value = label;
    this.indexByDefault();
    if (this.task === 'classification') {
      this.index.checked = indexer !== undefined || labelIndexing(this.kind ?? 'number').required;
      if (indexer) this.order.value = indexer.stringOrderType;
    }
    this.showIndexing();
  }

  /** The label's type decides whether it is indexed, and in which order by default. */
  private indexByDefault(): void {
    const indexing = labelIndexing(this.kind ?? 'number');
    this.index.checked = indexing.byDefault;
    this.order.value = indexing.order;
    this.showIndexing();
  }

  private showIndexing(): void {
    const indexing = labelIndexing(this.kind ?? 'number');
    this.indexField.hidden = this.task !== 'classification';
    this.index.disabled = indexing.required;
    if (indexing.required) this.index.checked = true;
    this.order.disabled = !this.index.checked;
  }
}
