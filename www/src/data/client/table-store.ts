/**
 * The page's one list of the engine's tables (names, schemas, row counts, where each came
 * from) and views. Every panel that offers tables subscribes to it — the table list,
 * Profile, Clean, SQL completion, Train, Predict — so a load, a `CREATE TABLE`, a drop or
 * an engine restart reaches every tab at once, and no panel keeps a copy that can go
 * stale.
 */
import type { CatalogInfo, LoadedTable, TableInfo } from '../../engine/shared/api';

export type TablesListener = (tables: readonly LoadedTable[]) => void;

export class TableStore {
  private tables: readonly LoadedTable[] = [];
  private viewNames: readonly string[] = [];
  private readonly listeners = new Set<TablesListener>();

  /** The tables, in the order they appeared. */
  list(): readonly LoadedTable[] {
    return this.tables;
  }

  get(name: string): LoadedTable | undefined {
    return this.tables.find((t) => t.name === name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Temporary views (SQL's `CREATE VIEW`), which have no rows of their own to list. */
  views(): readonly string[] {
    return this.viewNames;
  }

  /** Names and columns for SQL completion. */
  catalog(): CatalogInfo {
    return {
      tables: this.tables.map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name) })),
      views: [...this.viewNames],
    };
  }

  /** Calls `listener` with the tables now and after every change; returns how to stop. */
  subscribe(listener: TablesListener): () => void {
    this.listeners.add(listener);
    listener(this.tables);
    return () => this.listeners.delete(listener);
  }

  /** A new or replaced table (same name: the new one takes the old one's place). */
  put(table: LoadedTable): void {
    const at = this.tables.findIndex((t) => t.name === table.name);
    this.tables = at < 0 ? [...this.tables, table] : this.tables.map((t, i) => (i === at ? table : t));
    this.changed();
  }

  remove(name: string): void {
    if (!this.has(name)) return;
    this.tables = this.tables.filter((t) => t.name !== name);
    this.changed();
  }

  /** Empties the list (the engine restarted and holds nothing yet). */
  clear(): void {
    this.tables = [];
    this.viewNames = [];
    this.changed();
  }

  /**
   * Follows the engine's catalog (after SQL created or dropped tables, or a restart):
   * its tables in its order, keeping what the page knows about each (its file and load
   * time) when its schema is unchanged.
   */
  sync(infos: readonly TableInfo[], views: readonly string[]): void {
    this.tables = infos.map((info) => {
      const known = this.get(info.name);
      return known && sameShape(known, info) ? known : { ...info };
    });
    this.viewNames = [...views];
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener(this.tables);
  }
}

function sameShape(a: TableInfo, b: TableInfo): boolean {
  return (
    a.rows === b.rows &&
    a.columns.length === b.columns.length &&
    a.columns.every((c, i) => c.name === b.columns[i].name && c.dataType === b.columns[i].dataType)
  );
}
