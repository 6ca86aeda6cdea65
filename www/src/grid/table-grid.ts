/**
 * The grid of a table the engine keeps: rows fetched window by window as Arrow IPC, and
 * only the columns the grid shows formatted and sent (every grid in the page is one).
 */
import type { EngineClient } from '../engine/client/engine-client';
import type { TableInfo } from '../engine/shared/api';
import { RowWindows } from './row-windows';
import { GRID_COLUMNS, VirtualGrid } from './virtual-grid';

export function tableGrid(engine: EngineClient, table: Pick<TableInfo, 'name' | 'rows' | 'columns'>, label: string): VirtualGrid {
  const rows = new RowWindows((offset, count) => engine.preview(table.name, offset, count, GRID_COLUMNS), table.rows);
  return new VirtualGrid(table.columns, rows, label);
}
