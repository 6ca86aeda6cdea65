/**
 * The form for one cleaning step: fields for its op's parameters (Spark's names and
 * defaults), offered over the columns the step receives, prefilled when editing.
 * `read()` returns the step or throws an error that names the field.
 */
import type { ColumnInfo } from '../../engine/shared/api';
import { h } from '../../ui/dom';
import { CheckList, checkbox, field, input, parseNumber, select } from '../../ui/form';
import type { FillValue, Step, StepOp } from '../shared/pipeline';

const NUMERIC = /^(tinyint|smallint|int|bigint|float|double|decimal\(.*\))$/;
const CAST_TYPES = ['int', 'bigint', 'double', 'float', 'string', 'boolean', 'date', 'timestamp'];

export interface StepForm {
  readonly element: HTMLElement;
  read(): Step;
}

/** A form for `op` over `columns`; `initial` prefills it (editing a step). */
export function stepForm(op: StepOp, columns: ColumnInfo[], initial?: Step): StepForm {
  const names = columns.map((c) => c.name);
  const numeric = columns.filter((c) => NUMERIC.test(c.dataType)).map((c) => c.name);
  const strings = columns.filter((c) => c.dataType === 'string').map((c) => c.name);
  const was = <K extends StepOp>(o: K) => (initial?.op === o ? (initial as Extract<Step, { op: K }>) : undefined);
  const form = (element: HTMLElement, read: () => Step): StepForm => ({ element: h('div', { className: 'step-form', attrs: { 'data-testid': `step-form-${op}` } }, element), read });
  const columnSelect = (testId: string, value?: string) => {
    const s = select(testId, names.map((n) => [n, n]));
    if (value) s.value = value;
    return s;
  };

  switch (op) {
    case 'filter': {
      const condition = input('step-condition', was('filter')?.condition ?? '', 48);
      condition.placeholder = 'e.g. age >= 18 AND country IS NOT NULL';
      return form(field('Condition (Spark SQL)', condition, 'rows where it is true are kept'), () => {
        if (!condition.value.trim()) throw new Error('Condition: write a SQL boolean expression');
        return { op, condition: condition.value };
      });
    }
    case 'drop': {
      const list = new CheckList('step-columns', names, (n) => was('drop')?.columns.includes(n) ?? false);
      return form(field('Columns to drop', list.element), () => {
        const columns = list.checked();
        if (columns.length === 0) throw new Error('Columns to drop: tick at least one');
        return { op, columns };
      });
    }
    case 'select': {
      const previous = was('select')?.columns;
      const rows = names.map((name) => {
        const kept = previous ? previous.find((c) => c.name === name) : { name };
        const box = checkbox(`step-keep-${name}`, kept !== undefined);
        const alias = input(`step-alias-${name}`, kept?.alias ?? '', 14);
        alias.placeholder = 'new name';
        return { name, box, alias, element: h('div', { className: 'select-row' }, h('label', {}, box, ` ${name}`), alias) };
      });
      return form(field('Columns to keep (and rename)', h('div', { className: 'check-list' }, ...rows.map((r) => r.element))), () => {
        const columns = rows.filter((r) => r.box.checked).map((r) => (r.alias.value.trim() ? { name: r.name, alias: r.alias.value.trim() } : { name: r.name }));
        if (columns.length === 0) throw new Error('Columns to keep: tick at least one');
        return { op, columns };
      });
    }
    case 'dropna': {
      const step = was('dropna');
      const how = select('step-how', [['any', 'any (a row with any missing value)'], ['all', 'all (a row whose values are all missing)']]);
      how.value = step?.how ?? 'any';
      const thresh = input('step-thresh', step?.thresh?.toString() ?? '', 4);
      const subset = new CheckList('step-subset', names, (n) => step?.subset?.includes(n) ?? false);
      return form(h('div', {}, field('how', how), field('thresh', thresh, 'keep rows with at least this many present values (overrides how)'),
        field('subset', subset.element, 'none ticked: all columns; NULL and NaN are missing')), () => ({
        op,
        how: how.value as 'any' | 'all',
        ...(thresh.value.trim() ? { thresh: parseNumber(thresh.value, 'thresh') } : {}),
        ...(subset.checked().length ? { subset: subset.checked() } : {}),
      }));
    }
    case 'fillna': {
      const values = was('fillna')?.values ?? {};
      const rows = columns.map((c) => {
        const value = input(`step-fill-${c.name}`, c.name in values ? String(values[c.name]) : '', 10);
        return { column: c, value, element: h('div', { className: 'select-row' }, h('span', { className: 'mono' }, c.name), value) };
      });
      return form(field('Value per column', h('div', { className: 'check-list' }, ...rows.map((r) => r.element)), 'empty: leave the column as it is; NULL (and NaN) are filled'), () => {
        const filled: Record<string, FillValue> = {};
        for (const { column, value } of rows) {
          const text = value.value;
          if (text === '') continue;
          if (NUMERIC.test(column.dataType)) filled[column.name] = parseNumber(text, column.name);
          else if (column.dataType === 'boolean') {
            if (text !== 'true' && text !== 'false') throw new Error(`${column.name}: true or false`);
            filled[column.name] = text === 'true';
          } else filled[column.name] = text;
        }
        if (Object.keys(filled).length === 0) throw new Error('Give a value for at least one column');
        return { op, values: filled };
      });
    }
    case 'imputer': {
      const step = was('imputer');
      const strategy = select('step-strategy', [['mean', 'mean (Spark default)'], ['median', 'median'], ['mode', 'mode']]);
      strategy.value = step?.strategy ?? 'mean';
      const list = new CheckList('step-input-cols', numeric, (n) => step?.inputCols.includes(n) ?? false);
      const suffix = input('step-suffix', step ? suffixOf(step.inputCols, step.outputCols) : '', 10);
      suffix.placeholder = 'e.g. _imputed';
      const missing = input('step-missing-value', step?.missingValue?.toString() ?? '', 6);
      return form(h('div', {}, field('inputCols (numeric)', list.element), field('strategy', strategy),
        field('Output suffix', suffix, 'empty: replace the columns in place'), field('missingValue', missing, 'also missing, besides NULL and NaN')), () => {
        const inputCols = list.checked();
        if (inputCols.length === 0) throw new Error('inputCols: tick at least one numeric column');
        return {
          op,
          inputCols,
          outputCols: inputCols.map((c) => c + suffix.value.trim()),
          strategy: strategy.value as 'mean' | 'median' | 'mode',
          ...(missing.value.trim() ? { missingValue: parseNumber(missing.value, 'missingValue') } : {}),
        };
      });
    }
    case 'stringIndexer': {
      const step = was('stringIndexer');
      const list = new CheckList('step-input-cols', names, (n) => step?.inputCols.includes(n) ?? false);
      const order = select('step-order', [['frequencyDesc', 'frequencyDesc (default)'], ['frequencyAsc', 'frequencyAsc'], ['alphabetDesc', 'alphabetDesc'], ['alphabetAsc', 'alphabetAsc']]);
      order.value = step?.stringOrderType ?? 'frequencyDesc';
      const invalid = select('step-handle-invalid', [['error', 'error (default)'], ['skip', 'skip the row'], ['keep', 'keep as index numLabels']]);
      invalid.value = step?.handleInvalid ?? 'error';
      const suffix = input('step-suffix', step ? suffixOf(step.inputCols, step.outputCols) : '_index', 10);
      return form(h('div', {}, field('inputCols', list.element, strings.length ? `string columns: ${strings.join(', ')}` : undefined),
        field('stringOrderType', order), field('handleInvalid', invalid, 'unseen labels and NULL'), field('Output suffix', suffix)), () => {
        const inputCols = list.checked();
        if (inputCols.length === 0) throw new Error('inputCols: tick at least one column');
        if (!suffix.value.trim()) throw new Error('Output suffix: the index columns need new names');
        return {
          op,
          inputCols,
          outputCols: inputCols.map((c) => c + suffix.value.trim()),
          stringOrderType: order.value as 'frequencyDesc',
          handleInvalid: invalid.value as 'error' | 'skip' | 'keep',
        };
      });
    }
    case 'oneHotEncoder': {
      const step = was('oneHotEncoder');
      const list = new CheckList('step-input-cols', numeric, (n) => step?.inputCols.includes(n) ?? n.endsWith('_index'));
      const dropLast = checkbox('step-drop-last', step?.dropLast ?? true);
      const invalid = select('step-handle-invalid', [['error', 'error (default)'], ['keep', 'keep (an extra slot)']]);
      invalid.value = step?.handleInvalid ?? 'error';
      return form(h('div', {}, field('inputCols (category indices)', list.element, 'one 0/1 column per category: <output>_<label>'),
        field('dropLast', dropLast), field('handleInvalid', invalid)), () => {
        const inputCols = list.checked();
        if (inputCols.length === 0) throw new Error('inputCols: tick at least one index column');
        return {
          op,
          inputCols,
          outputCols: inputCols.map((c) => (c.endsWith('_index') ? `${c.slice(0, -'_index'.length)}_vec` : `${c}_vec`)),
          dropLast: dropLast.checked,
          handleInvalid: invalid.value as 'error' | 'keep',
        };
      });
    }
    case 'cast': {
      const step = was('cast');
      const column = columnSelect('step-column', step?.column);
      const type = select('step-type', CAST_TYPES.map((t) => [t, t]));
      type.value = step?.dataType ?? 'double';
      return form(h('div', {}, field('Column', column), field('to type', type, 'Spark\'s cast: what does not convert becomes NULL')), () => ({
        op,
        column: column.value,
        dataType: type.value,
      }));
    }
    case 'withColumn': {
      const step = was('withColumn');
      const column = input('step-new-column', step?.column ?? '', 16);
      const expr = input('step-expr', step?.expr ?? '', 40);
      expr.placeholder = 'e.g. monthly_spend * 12';
      return form(h('div', {}, field('Column', column, 'an existing name replaces that column'), field('Expression (Spark SQL)', expr)), () => {
        if (!column.value.trim()) throw new Error('Column: give it a name');
        if (!expr.value.trim()) throw new Error('Expression: write a SQL expression');
        return { op, column: column.value.trim(), expr: expr.value };
      });
    }
    case 'dropDuplicates': {
      const list = new CheckList('step-subset', names, (n) => was('dropDuplicates')?.subset?.includes(n) ?? false);
      return form(field('subset', list.element, 'none ticked: whole rows; the first row of each key is kept'), () =>
        list.checked().length ? { op, subset: list.checked() } : { op });
    }
    case 'repartition': {
      const n = input('step-partitions', String(was('repartition')?.numPartitions ?? 8), 4);
      return form(field('numPartitions', n), () => ({ op, numPartitions: parseNumber(n.value, 'numPartitions') }));
    }
    case 'cache':
      return form(h('p', { className: 'hint' }, 'Keeps this point of the pipeline in memory: later runs of pipelines that start the same way begin here.'), () => ({ op }));
  }
}

/** The suffix that turns every input name into its output name ('' when in place). */
function suffixOf(inputs: string[], outputs: string[]): string {
  const first = inputs[0] ?? '';
  const out = outputs[0] ?? '';
  return out.startsWith(first) ? out.slice(first.length) : '';
}
