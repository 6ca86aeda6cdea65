/** The sidebar list of loaded tables. */
import type { LoadedTable } from '../../engine/shared/api';
import { h, replaceChildren } from '../../ui/dom';
import { formatCount } from '../../ui/format';
import type { TableStore } from './table-store';

export interface TableListActions {
  select(name: string): void;
  drop(name: string): void;
}

export class TableList {
  readonly element = h('nav', { className: 'table-list', attrs: { 'aria-label': 'Tables' } });
  private tables: readonly LoadedTable[] = [];
  private selected?: string;

  constructor(store: TableStore, private readonly actions: TableListActions) {
    store.subscribe((tables) => {
      this.tables = tables;
      this.render();
    });
  }

  /** Marks `name` as the table shown (none: `undefined`). */
  select(name: string | undefined): void {
    this.selected = name;
    this.render();
  }

  private render(): void {
    const { tables, selected } = this;
    if (tables.length === 0) {
      replaceChildren(this.element, h('p', { className: 'hint' }, 'No tables loaded yet.'));
      return;
    }
    replaceChildren(
      this.element,
      h('h2', {}, 'Tables'),
      h(
        'ul',
        {},
        ...tables.map((table) =>
          h(
            'li',
            { className: table.name === selected ? 'selected' : '', attrs: { 'data-table': table.name } },
            h(
              'button',
              {
                className: 'table-link',
                attrs: { type: 'button', 'aria-current': String(table.name === selected) },
                on: { click: () => this.actions.select(table.name) },
              },
              h('span', { className: 'table-name' }, table.name),
              h('span', { className: 'table-rows' }, `${formatCount(table.rows)} rows`),
            ),
            h(
              'button',
              {
                className: 'icon-button',
                attrs: { type: 'button', title: `Drop table ${table.name}`, 'aria-label': `Drop table ${table.name}` },
                on: { click: () => this.actions.drop(table.name) },
              },
              '×',
            ),
          ),
        ),
      ),
    );
  }
}
