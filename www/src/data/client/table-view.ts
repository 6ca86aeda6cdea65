/** One table: what it is (size, source, load time, warnings), its schema and its rows. */
import type { EngineClient } from '../../engine/client/engine-client';
import type { ColumnInfo, ExcelOptions, ExportFormat, LoadedTable } from '../../engine/shared/api';
import { tableGrid } from '../../grid/table-grid';
import { h, replaceChildren } from '../../ui/dom';
import { downloadBytes } from '../../ui/download';
import { formatBytes, formatCount, formatDuration } from '../../ui/format';
import { select } from '../../ui/form';
import { downloadTable, spreadsheetEscapeToggle } from './table-download';
import { type Reload, jsonReaderOptionsPanel, readerOptionsPanel } from './reader-options';

/** What the view asks of the page. */
export interface TableViewActions {
  /** Reads the workbook `table` came from again (another sheet, a header row or none), in its place. */
  rereadWorkbook(table: LoadedTable, patch: Partial<ExcelOptions>): Promise<void>;
  /**
   * Reads the CSV or JSON file `table` came from again with other reader options, in its
   * place; resolves to the error's lines when that failed (the table is then unchanged).
   */
  reload: Reload;
}

export class TableView {
  readonly element = h('section', { className: 'table-view', attrs: { 'data-testid': 'table-view' } });

  constructor(
    private readonly engine: EngineClient,
    private readonly actions: TableViewActions,
  ) {
    this.clear();
  }

  clear(): void {
    replaceChildren(
      this.element,
      h('div', { className: 'empty' }, h('h2', {}, 'Drop a CSV, JSON, Parquet, Arrow or Excel file'), h('p', {}, 'It is read in this tab, on every core; nothing is uploaded.')),
    );
  }

  /** Saves the whole table as a file, written by the engine. */
  private async download(name: string, format: ExportFormat): Promise<void> {
    try {
      await downloadTable(this.engine, name, format);
    } catch (error) {
      this.element.prepend(h('div', { className: 'notice notice-error', attrs: { role: 'alert' } }, `Could not download ${name}: ${String((error as Error).message ?? error)}`));
    }
  }

  /** Saves the table as a zip of a Parquet folder partitioned by `columns` (Spark's layout). */
  private async downloadPartitioned(name: string, columns: string[]): Promise<void> {
    try {
      const bytes = await this.engine.exportPartitioned(name, columns);
      downloadBytes(bytes, `${name}.zip`, 'application/zip');
    } catch (error) {
      this.element.prepend(h('div', { className: 'notice notice-error', attrs: { role: 'alert' } }, `Could not download ${name}: ${String((error as Error).message ?? error)}`));
    }
  }

  private workbookFacts(table: LoadedTable): HTMLElement[] {
    const source = table.source;
    if (!source?.sheet || !source.sheets) return [];
    const reread = (patch: Partial<ExcelOptions>) => this.actions.rereadWorkbook(table, patch);
    const sheet = source.sheets.length < 2
      ? source.sheet
      : rereadPicker('sheet-select', 'Sheet of the workbook', source.sheets.map((name) => [name, name]), source.sheet, (sheet) => reread({ sheet }));
    const facts = [h('dt', {}, 'sheet'), h('dd', { attrs: { 'data-testid': 'sheet' } }, sheet)];
    if (source.header === undefined) return facts;
    const header = rereadPicker(
      'sheet-header',
      "The sheet's first row",
      [['true', 'is the header'], ['false', 'is data (columns _c0, _c1, …)']],
      String(source.header),
      (value) => reread({ header: value === 'true' }),
    );
    return [...facts, h('dt', {}, 'first row'), h('dd', {}, header)];
  }

  show(table: LoadedTable): void {
    const grid = tableGrid(this.engine, table, `Rows of ${table.name}`);
    replaceChildren(
      this.element,
      h('header', { className: 'table-header' },
        h('div', { className: 'table-title-row' },
          h('h2', { attrs: { 'data-testid': 'table-title' } }, table.name),
          h('button', { attrs: { type: 'button', 'data-testid': 'table-download-csv' }, on: { click: () => void this.download(table.name, 'csv') } }, 'Download CSV'),
          spreadsheetEscapeToggle(),
          h('button', { attrs: { type: 'button', 'data-testid': 'table-download-parquet' }, on: { click: () => void this.download(table.name, 'parquet') } }, 'Download Parquet')),
        h('dl', { className: 'facts' },
          ...fact('rows', formatCount(table.rows), 'row-count'),
          ...fact('columns', formatCount(table.columns.length), 'column-count'),
          ...fact('partitions', formatCount(table.partitions), 'partition-count'),
          ...fact('in memory', formatBytes(table.memoryBytes), 'memory'),
          ...(table.loadMs === undefined
            ? []
            : fact('loaded in', formatDuration(table.loadMs), 'load-time', { 'data-ms': table.loadMs.toFixed(1) })),
          ...fact('from', describeSource(table), 'source'),
          ...this.workbookFacts(table),
        ),
        partitionedDownload(table, (columns) => this.downloadPartitioned(table.name, columns)),
      ),
      table.warnings.length > 0 &&
        h('div', { className: 'notice notice-warning', attrs: { role: 'status', 'data-testid': 'load-warnings' } },
          h('strong', {}, 'While reading this file'),
          h('ul', {}, ...table.warnings.map((w) => h('li', {}, w))),
        ),
      h('div', { className: 'table-body' },
        h('details', { className: 'schema', attrs: { open: '' } },
          h('summary', {}, 'Schema'),
          schemaTable(table),
        ),
        h('div', { className: 'preview' }, h('h3', {}, 'Rows'), grid.element),
      ),
      table.source?.csvOptions && readerOptionsPanel(table, table.source.csvOptions, this.actions.reload),
      table.source?.jsonOptions && jsonReaderOptionsPanel(table, table.source.jsonOptions, this.actions.reload),
    );
  }
}

/** A choice about how a workbook is read: picking another reads it again, in place. */
function rereadPicker(testId: string, label: string, choices: [string, string][], current: string, pick: (value: string) => Promise<void>): HTMLElement {
  const picker = select(testId, choices);
  picker.value = current;
  picker.setAttribute('aria-label', label);
  picker.addEventListener('change', () => {
    picker.disabled = true;
    // Once read, the view shows the new table (and new pickers); if reading failed
    // (the page says why), this one shows what is still loaded.
    void pick(picker.value).finally(() => {
      picker.disabled = false;
      picker.value = current;
    });
  });
  return picker;
}

/**
 * "Download partitioned Parquet": the columns ticked, in the order ticked (the first is
 * the outermost folder), as `df.write.partitionBy(...)` takes them.
 */
function partitionedDownload(table: LoadedTable, download: (columns: string[]) => Promise<void>): HTMLElement {
  const chosen: string[] = [];
  const folders = h('span', { className: 'hint', attrs: { 'data-testid': 'partition-folders' } });
  const button = h('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'partition-download' } }, 'Download zip');
  const update = () => {
    folders.textContent = chosen.length === 0 ? 'tick the columns whose values name the folders' : `${chosen.map((c) => `${c}=…`).join('/')}/part-00000.zstd.parquet`;
    button.disabled = chosen.length === 0;
  };
  const nestedType = /^(array|struct|map|binary)/;
  const boxes = table.columns
    .filter((column) => !nestedType.test(column.dataType))
    .map((column) => {
      const box = h('input', { attrs: { type: 'checkbox', 'data-column': column.name } });
      box.addEventListener('change', () => {
        const at = chosen.indexOf(column.name);
        if (box.checked && at < 0) chosen.push(column.name);
        if (!box.checked && at >= 0) chosen.splice(at, 1);
        update();
      });
      return h('label', { className: 'partition-column' }, box, ` ${column.name}`);
    });
  button.addEventListener('click', () => {
    button.disabled = true;
    void download([...chosen]).finally(update);
  });
  update();
  return h(
    'details',
    { className: 'partitioned-download', attrs: { 'data-testid': 'partitioned-download' } },
    h('summary', {}, 'Download partitioned Parquet (zip)…'),
    h('p', { className: 'hint' }, 'A folder as Spark’s df.write.partitionBy(...).parquet(...) writes it: one folder per value of the ticked columns; Spark, DuckDB and Brasa read it back as this table.'),
    h('div', { className: 'partition-columns' }, ...boxes),
    h('div', {}, folders, ' ', button),
  );
}

function describeSource(table: LoadedTable): string {
  const source = table.source;
  if (!source) return 'made with SQL';
  if (source.files !== undefined) {
    const partitions = source.partitionColumns?.length ? `, partitioned by ${source.partitionColumns.join(', ')}` : '';
    return `${source.fileName} (${formatCount(source.files)} ${source.format === 'csv' ? 'CSV' : source.format === 'json' ? 'JSON' : 'Parquet'} ${source.files === 1 ? 'file' : 'files'}${partitions}, ${formatBytes(source.bytes)})`;
  }
  const packing = source.compression ? `, ${source.compression}` : '';
  return `${source.fileName} (${source.format.toUpperCase()}${packing}, ${formatBytes(source.bytes)})`;
}

function fact(label: string, value: string, testId: string, attrs: Record<string, string> = {}): HTMLElement[] {
  return [h('dt', {}, label), h('dd', { attrs: { 'data-testid': testId, ...attrs } }, value)];
}

/**
 * The columns, their types and nullability. Names and types are cut to the panel's width
 * with an ellipsis, as the grid cuts its column names (the `cut` class), the whole text in
 * the cell's tooltip: a file may name a column with 50,000 characters.
 */
function schemaTable(table: LoadedTable): HTMLElement {
  return h(
    'table',
    { className: 'schema-table', attrs: { 'data-testid': 'schema' } },
    h('thead', {}, h('tr', {}, h('th', {}, 'column'), h('th', {}, 'type'), h('th', {}, 'nullable'))),
    h(
      'tbody',
      {},
      ...table.columns.map((column) => {
        const type = shownType(column);
        return h(
          'tr',
          {},
          h('td', { className: 'mono cut', attrs: { title: column.name } }, column.name),
          h('td', { className: 'cut', attrs: { title: `${type}\nArrow type: ${column.arrowType}` } }, type),
          h('td', {}, column.nullable ? 'true' : 'false'),
        );
      }),
    ),
  );
}

/**
 * Spark's name of a column's type, with the zone a timestamp column's values are shown in
 * when it is not the session's (UTC): `timestamp (Europe/Paris)`.
 */
function shownType(column: ColumnInfo): string {
  return column.timeZone ? `${column.dataType} (${column.timeZone})` : column.dataType;
}
