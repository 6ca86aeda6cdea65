/**
 * A result chart's settings as the SQL tab offers them (Databricks' visualization editor:
 * a chart type, X, Y columns, a series column, an aggregation): the defaults a result's
 * types suggest, a remembered setting checked against a new result's columns, and the
 * words that say what a chart shows and what it left out. Pure functions: the engine
 * computes the chart (`ChartData`), the panel draws it.
 */
import type { ChartAggregation } from '../../contract/ChartAggregation';
import type { ChartData } from '../../contract/ChartData';
import type { ChartKind } from '../../contract/ChartKind';
import type { ChartSpec } from '../../contract/ChartSpec';
import type { ColumnInfo } from '../../contract/ColumnInfo';

export const CHART_KINDS: [ChartKind, string][] = [
  ['bar', 'Bar'],
  ['line', 'Line'],
  ['area', 'Area'],
  ['scatter', 'Scatter'],
  ['pie', 'Pie'],
  ['histogram', 'Histogram'],
];

export const AGGREGATIONS: [ChartAggregation, string][] = [
  ['sum', 'Sum'],
  ['avg', 'Average'],
  ['count', 'Count'],
  ['min', 'Min'],
  ['max', 'Max'],
  ['none', 'None (each row)'],
];

type Column = Pick<ColumnInfo, 'name' | 'dataType'>;

const NUMERIC = /^(tinyint|smallint|int|bigint|float|double|decimal\(.*\))$/;

export function isNumeric(column: Column): boolean {
  return NUMERIC.test(column.dataType);
}

function isTime(column: Column): boolean {
  return column.dataType === 'date' || column.dataType.startsWith('timestamp');
}

function isCategory(column: Column): boolean {
  return column.dataType === 'string' || column.dataType === 'boolean';
}

/**
 * What a result's types suggest: the first text, boolean or date column along X (bars
 * for categories, a line over time) and the first other numeric column summed as Y;
 * with only numbers, the first two as a scatter of rows; with no number, rows counted.
 */
export function defaultChart(columns: readonly Column[]): ChartSpec | undefined {
  if (columns.length === 0) return undefined;
  const x = columns.find(isCategory) ?? columns.find(isTime) ?? columns[0];
  const y = columns.find((c) => c !== x && isNumeric(c));
  if (!y) return { kind: 'bar', x: x.name, y: [], aggregation: 'count' };
  if (isNumeric(x)) return { kind: 'scatter', x: x.name, y: [y.name], aggregation: 'none' };
  return { kind: isTime(x) ? 'line' : 'bar', x: x.name, y: [y.name], aggregation: 'sum' };
}

/**
 * A remembered setting for a new result: kept if its columns are still there (the same
 * query may now return other columns), else the result's default.
 */
export function reconcile(saved: ChartSpec | undefined, columns: readonly Column[]): ChartSpec | undefined {
  const names = new Set(columns.map((c) => c.name));
  const fits =
    saved !== undefined &&
    names.has(saved.x) &&
    saved.y.every((y) => names.has(y)) &&
    (saved.series === undefined || names.has(saved.series));
  return fits ? saved : defaultChart(columns);
}

/** The chart's title: what is drawn against what (`sum(spend) by region`). */
export function chartTitle(data: ChartData): string {
  if (data.kind === 'histogram') return `Histogram of ${data.x}`;
  const ys = [...new Set(data.datasets.map((d) => d.y))];
  return `${ys.join(', ') || 'nothing'} by ${data.x}`;
}

/**
 * What the chart does not show, in words (empty when it shows everything):
 * "Showing 100 of 5,000 x values: the largest by sum(spend)."
 */
export function chartNotes(data: ChartData, format: (n: number) => string): string[] {
  const notes: string[] = [];
  const what = data.aggregation === 'none' ? 'rows' : data.kind === 'histogram' ? 'bins' : `${data.x} values`;
  if (data.xShown < data.xTotal) {
    const how =
      data.picked === 'largest'
        ? `: the ones with the largest ${data.datasets[0]?.y ?? 'value'}`
        : ', evenly spaced';
    notes.push(`Showing ${format(data.xShown)} of ${format(data.xTotal)} ${what}${how}.`);
  }
  if (data.seriesShown < data.seriesTotal) {
    notes.push(`Showing ${format(data.seriesShown)} of ${format(data.seriesTotal)} series: the largest.`);
  }
  if (data.leftOut > 0) {
    notes.push(`${format(data.leftOut)} NULL or non-finite ${data.leftOut === 1 ? 'value is' : 'values are'} not binned.`);
  }
  return notes;
}
