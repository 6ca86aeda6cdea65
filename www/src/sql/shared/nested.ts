/**
 * Nested result columns (structs, arrays, maps) and what a CSV download does with them:
 * CSV has no nested values, so the engine writes them as JSON text (as Spark's `to_json`
 * does), while Parquet keeps them nested. The SQL panel says so beside the CSV button.
 */
import type { ColumnInfo } from '../../contract/ColumnInfo';

/** Whether a Spark type name (`array<string>`, `struct<a:int>`, `map<string,int>`) is nested. */
export function isNestedType(sparkType: string): boolean {
  return /^(array|struct|map)</.test(sparkType);
}

/** The note shown beside the CSV download, or `undefined` when no column is nested. */
export function csvNestedNote(columns: readonly Pick<ColumnInfo, 'name' | 'dataType'>[]): string | undefined {
  const nested = columns.filter((c) => isNestedType(c.dataType)).map((c) => c.name);
  if (nested.length === 0) return undefined;
  const shown = nested.length > 3 ? `${nested.slice(0, 3).join(', ')} and ${nested.length - 3} more` : nested.join(', ');
  return `CSV writes nested values (${shown}) as JSON text; Parquet keeps them nested.`;
}
