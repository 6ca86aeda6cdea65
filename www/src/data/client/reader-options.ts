/**
 * The Reader options panel under a table read from a CSV file: Spark's option names,
 * filled with the options the file was read with (what detection chose included), and
 * a button that reads the same file again with the options edited, in the table's place.
 */
import type { CsvOptions, LoadedTable } from '../../engine/shared/api';
import type { ParseMode } from '../../contract';
import { h, replaceChildren } from '../../ui/dom';
import { checkbox, field, input, select } from '../../ui/form';
import { MODES, type ReaderForm, formOf, optionsOf } from '../shared/reader-options';

/** Reads the table's file again with `csv`; resolves to the error's lines when it failed. */
export type ReloadCsv = (table: LoadedTable, csv: Partial<CsvOptions>) => Promise<string[] | undefined>;

export function readerOptionsPanel(table: LoadedTable, used: CsvOptions, reload: ReloadCsv): HTMLElement {
  const form = formOf(used);
  const text = (key: keyof ReaderForm, size: number) => input(`reader-${key}`, String(form[key]), size);
  const sep = text('sep', 3);
  const nullValue = text('nullValue', 14);
  const nanValue = text('nanValue', 6);
  const comment = text('comment', 3);
  const quote = text('quote', 3);
  const escape = text('escape', 3);
  const encoding = text('encoding', 12);
  const header = select('reader-header', [['true', 'true'], ['false', 'false']]);
  header.value = String(form.header);
  const mode = select('reader-mode', MODES.map((m) => [m, m]));
  mode.value = form.mode;
  const inferSchema = checkbox('reader-inferSchema', form.inferSchema);
  const leading = checkbox('reader-ignoreLeadingWhiteSpace', form.ignoreLeadingWhiteSpace);
  const trailing = checkbox('reader-ignoreTrailingWhiteSpace', form.ignoreTrailingWhiteSpace);
  const schema = h('textarea', { attrs: { 'data-testid': 'reader-schema', rows: '2', cols: '40', placeholder: 'id INT, name STRING, amount DOUBLE, d DATE', spellcheck: 'false' } });
  schema.value = form.schema;
  const outcome = h('div', { attrs: { 'data-testid': 'reader-outcome', role: 'status' } });
  const button = h('button', { attrs: { type: 'button', 'data-testid': 'reader-reload' } }, 'Reload with these options');

  const edited = (): ReaderForm => ({
    sep: sep.value,
    header: header.value === 'true',
    inferSchema: inferSchema.checked,
    nullValue: nullValue.value,
    nanValue: nanValue.value,
    comment: comment.value,
    quote: quote.value,
    escape: escape.value,
    mode: mode.value as ParseMode,
    ignoreLeadingWhiteSpace: leading.checked,
    ignoreTrailingWhiteSpace: trailing.checked,
    encoding: encoding.value,
    schema: schema.value,
  });
  const fail = (lines: string[]) =>
    replaceChildren(outcome, h('div', { className: 'notice notice-error', attrs: { role: 'alert', 'data-testid': 'reader-error' } }, ...lines.map((line) => h('div', {}, line))));

  button.addEventListener('click', () => {
    let csv: Partial<CsvOptions>;
    try {
      csv = { ...optionsOf(edited()), maxColumns: used.maxColumns };
    } catch (error) {
      fail([String((error as Error).message ?? error)]);
      return;
    }
    button.disabled = true;
    replaceChildren(outcome, `Reading ${table.source?.fileName ?? table.name} again…`);
    // On success the page shows the new table (and a new panel); this one only hears
    // about a failure, and the table stays as it was.
    void reload(table, csv).then(
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
    h('p', { className: 'hint' }, 'Spark\'s spark.read.csv options this file was read with (detected ones filled in). Change them and read the file again.'),
    h('div', { className: 'reader-fields' },
      field('sep', sep, '\\t for tab'),
      field('header', header),
      field('inferSchema', inferSchema),
      field('nullValue', nullValue, 'comma-separated; empty is always null'),
      field('nanValue', nanValue),
      field('comment', comment, 'empty: none'),
      field('quote', quote, 'empty: no quoting'),
      field('escape', escape, '" means ""'),
      field('mode', mode),
      field('ignoreLeadingWhiteSpace', leading),
      field('ignoreTrailingWhiteSpace', trailing),
      field('encoding', encoding),
    ),
    field('schema', schema, 'Spark DDL; empty: inferred'),
    h('div', { className: 'reader-actions' }, button),
    outcome,
  );
}
