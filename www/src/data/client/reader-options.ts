/**
 * The Reader options panel under a table read from a CSV or JSON file: Spark's option
 * names, filled with the options the file was read with (what detection chose included
 * for CSV), and a button that reads the same file again with the options edited, in the
 * table's place.
 */
import type { CsvOptions, JsonOptions, LoadOptions, LoadedTable } from '../../engine/shared/api';
import type { ParseMode } from '../../contract';
import { h, replaceChildren } from '../../ui/dom';
import { checkbox, field, input, select } from '../../ui/form';
import { JSON_FLAGS, MODES, type ReaderForm, flagOf, formOf, optionsOf, samplingRatioOf, samplingRatioUsed, showChar, unescape } from '../shared/reader-options';

/** Reader options to read a table's file again with (one format's). */
export type ReaderPatch = Pick<LoadOptions, 'csv' | 'json'>;

/** Reads the table's file again with `patch`; resolves to the error's lines when it failed. */
export type Reload = (table: LoadedTable, patch: ReaderPatch) => Promise<string[] | undefined>;

export function readerOptionsPanel(table: LoadedTable, used: CsvOptions, reload: Reload): HTMLElement {
  const form = formOf(used);
  const text = (key: keyof ReaderForm, size: number) => input(`reader-${key}`, String(form[key]), size);
  const sep = text('sep', 3);
  const nullValue = text('nullValue', 14);
  const nanValue = text('nanValue', 6);
  const positiveInf = text('positiveInf', 6);
  const negativeInf = text('negativeInf', 6);
  const emptyValue = text('emptyValue', 6);
  const lineSep = text('lineSep', 3);
  const comment = text('comment', 3);
  const quote = text('quote', 3);
  const escape = text('escape', 3);
  const encoding = text('encoding', 12);
  const dateFormat = text('dateFormat', 12);
  const timestampFormat = text('timestampFormat', 18);
  const header = select('reader-header', [['true', 'true'], ['false', 'false']]);
  header.value = String(form.header);
  const mode = modeSelect(form.mode);
  const inferSchema = checkbox('reader-inferSchema', form.inferSchema);
  const multiLine = checkbox('reader-multiLine', form.multiLine);
  const leading = checkbox('reader-ignoreLeadingWhiteSpace', form.ignoreLeadingWhiteSpace);
  const trailing = checkbox('reader-ignoreTrailingWhiteSpace', form.ignoreTrailingWhiteSpace);
  const schema = schemaInput(form.schema, 'id INT, name STRING, amount DOUBLE, d DATE');

  const edited = (): ReaderForm => ({
    sep: sep.value,
    header: header.value === 'true',
    inferSchema: inferSchema.checked,
    nullValue: nullValue.value,
    nanValue: nanValue.value,
    positiveInf: positiveInf.value,
    negativeInf: negativeInf.value,
    emptyValue: emptyValue.value,
    lineSep: lineSep.value,
    comment: comment.value,
    quote: quote.value,
    escape: escape.value,
    multiLine: multiLine.checked,
    mode: mode.value as ParseMode,
    ignoreLeadingWhiteSpace: leading.checked,
    ignoreTrailingWhiteSpace: trailing.checked,
    encoding: encoding.value,
    schema: schema.value,
    dateFormat: dateFormat.value,
    timestampFormat: timestampFormat.value,
  });
  return reloadForm(
    table,
    'Spark\'s spark.read.csv options this file was read with (detected ones filled in). Change them and read the file again.',
    [
      h('div', { className: 'reader-fields' },
        field('sep', sep, '\\t for tab'),
        field('header', header),
        field('inferSchema', inferSchema),
        field('nullValue', nullValue, 'comma-separated; empty is always null'),
        field('nanValue', nanValue),
        field('positiveInf', positiveInf, 'Infinity is read too'),
        field('negativeInf', negativeInf, '-Infinity is read too'),
        field('emptyValue', emptyValue, 'what "" reads as; empty: an empty string'),
        field('lineSep', lineSep, 'one character, \\n or \\r\\n; empty: any line break'),
        field('comment', comment, 'empty: none'),
        field('quote', quote, 'empty: no quoting'),
        field('escape', escape, '" means ""'),
        field('multiLine', multiLine, 'off: every line is a record, as Spark\'s default'),
        field('mode', mode),
        field('ignoreLeadingWhiteSpace', leading),
        field('ignoreTrailingWhiteSpace', trailing),
        field('encoding', encoding),
        field('dateFormat', dateFormat, 'e.g. dd/MM/yyyy; empty: yyyy-MM-dd'),
        field('timestampFormat', timestampFormat, 'e.g. dd.MM.yyyy HH:mm; empty: ISO-8601'),
      ),
      field('schema', schema, 'Spark DDL; empty: inferred'),
    ],
    () => ({ csv: { ...optionsOf(edited()), maxColumns: used.maxColumns } }),
    reload,
  );
}

/**
 * The panel under a table read from a JSON file: Spark's `spark.read.json` options
 * (`mode`, `multiLine`, `columnNameOfCorruptRecord`, `dateFormat`, `timestampFormat`,
 * `encoding`, `lineSep`, `samplingRatio`, `primitivesAsString`, `dropFieldIfAllNull`,
 * `prefersDecimal`, `inferTimestamp`, the `allow*` leniencies) and a
 * schema in DDL (`spark.read.schema(...)`), read instead of inferring one.
 */
export function jsonReaderOptionsPanel(table: LoadedTable, used: JsonOptions, reload: Reload): HTMLElement {
  const mode = modeSelect(used.mode);
  const multiLine = select('reader-multiLine', [['auto', 'told from the file'], ['true', 'true'], ['false', 'false']]);
  multiLine.value = used.multiLine === null ? 'auto' : String(used.multiLine);
  const corrupt = input('reader-columnNameOfCorruptRecord', used.columnNameOfCorruptRecord, 18);
  const dateFormat = input('reader-dateFormat', used.dateFormat ?? '', 12);
  const timestampFormat = input('reader-timestampFormat', used.timestampFormat ?? '', 18);
  const encoding = input('reader-encoding', used.encoding ?? '', 12);
  const lineSep = input('reader-lineSep', showChar(used.lineSep ?? null), 4);
  const samplingRatio = input('reader-samplingRatio', String(samplingRatioUsed(used)), 5);
  const schema = schemaInput(used.schema ?? '', 'id BIGINT, name STRING, at TIMESTAMP, _corrupt_record STRING');
  const flags = JSON_FLAGS.map(([name, hint]) => ({
    name,
    hint,
    box: checkbox(`reader-${name}`, flagOf(used, name)),
  }));
  const optional = (control: HTMLInputElement | HTMLTextAreaElement) => (control.value.trim() === '' ? null : control.value.trim());
  return reloadForm(
    table,
    'Spark\'s spark.read.json options this file was read with. Change them and read the file again.',
    [
      h('div', { className: 'reader-fields' },
        field('mode', mode),
        field('multiLine', multiLine, 'true: one document; false: a record per line'),
        field('columnNameOfCorruptRecord', corrupt, 'PERMISSIVE keeps malformed records here (with a schema: when the schema names it)'),
        field('dateFormat', dateFormat, 'with a schema; e.g. dd/MM/yyyy; empty: as CAST(s AS DATE)'),
        field('timestampFormat', timestampFormat, 'with a schema or inferTimestamp; e.g. dd.MM.yyyy HH:mm; empty: as CAST(s AS TIMESTAMP)'),
        field('encoding', encoding, 'e.g. ISO-8859-1, windows-1252; empty: UTF-8 (UTF-16 told by its byte-order mark)'),
        field('lineSep', lineSep, 'the text ending each record of JSON lines, e.g. | or \\r\\n; empty: line breaks'),
        field('samplingRatio', samplingRatio, 'the fraction of records the schema is inferred from, drawn as Spark draws them; 1: all'),
      ),
      h('div', { className: 'reader-fields' },
        ...flags.map(({ name, hint, box }) => field(name, box, hint)),
      ),
      field('schema', schema, 'Spark DDL; empty: inferred'),
    ],
    () => {
      const column = corrupt.value.trim();
      if (column === '') throw new Error('columnNameOfCorruptRecord: give the column a name');
      return {
        json: {
          mode: mode.value as ParseMode,
          multiLine: multiLine.value === 'auto' ? null : multiLine.value === 'true',
          columnNameOfCorruptRecord: column,
          schema: optional(schema),
          dateFormat: optional(dateFormat),
          timestampFormat: optional(timestampFormat),
          encoding: optional(encoding),
          lineSep: lineSep.value === '' ? null : unescape(lineSep.value),
          samplingRatio: samplingRatioOf(samplingRatio.value),
          ...Object.fromEntries(flags.map(({ name, box }) => [name, box.checked])),
        },
      };
    },
    reload,
  );
}

/** The DDL box of a panel. */
function schemaInput(value: string, placeholder: string): HTMLTextAreaElement {
  const schema = h('textarea', { attrs: { 'data-testid': 'reader-schema', rows: '2', cols: '40', placeholder, spellcheck: 'false' } });
  schema.value = value;
  return schema;
}

function modeSelect(mode: ParseMode): HTMLSelectElement {
  const control = select('reader-mode', MODES.map((m) => [m, m]));
  control.value = mode;
  return control;
}

/**
 * The panel around a format's fields: reading the file again with the options `collect`
 * gives (an error it throws is shown, nothing is read), and the outcome of that.
 */
function reloadForm(table: LoadedTable, hint: string, fields: HTMLElement[], collect: () => ReaderPatch, reload: Reload): HTMLElement {
  const outcome = h('div', { attrs: { 'data-testid': 'reader-outcome', role: 'status' } });
  const button = h('button', { attrs: { type: 'button', 'data-testid': 'reader-reload' } }, 'Reload with these options');
  const fail = (lines: string[]) =>
    replaceChildren(outcome, h('div', { className: 'notice notice-error', attrs: { role: 'alert', 'data-testid': 'reader-error' } }, ...lines.map((line) => h('div', {}, line))));

  button.addEventListener('click', () => {
    let patch: ReaderPatch;
    try {
      patch = collect();
    } catch (error) {
      fail([String((error as Error).message ?? error)]);
      return;
    }
    button.disabled = true;
    replaceChildren(outcome, `Reading ${table.source?.fileName ?? table.name} again…`);
    // On success the page shows the new table (and a new panel); this one only hears
    // about a failure, and the table stays as it was.
    void reload(table, patch).then(
      (error) => {
        button.disabled = false;
        if (error) fail(error);
        else replaceChildren(outcome);
      },
      (error: unknown) => {
        button.disabled = false;
        fail([String(error)]);
      },
    );
  });

  return h('details', { className: 'reader-options', attrs: { 'data-testid': 'reader-options' } },
    h('summary', {}, 'Reader options'),
    h('p', { className: 'hint' }, hint),
    ...fields,
    h('div', { className: 'reader-actions' }, button),
    outcome,
  );
}
