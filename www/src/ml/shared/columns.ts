/**
 * What a column can be in a training job, from its Spark SQL type: VectorAssembler reads
 * numbers and booleans (as Spark's does), and a label's type proposes the task and how
 * its classes are indexed.
 */
import type { StringOrderType } from '../../contract';

/** A column's type as training sees it. */
export type DataKind = 'number' | 'boolean' | 'text' | 'other';

const NUMBER = /^(tinyint|smallint|int|bigint|float|double|decimal\(.*\))$/;

export function dataKind(dataType: string): DataKind {
  if (NUMBER.test(dataType)) return 'number';
  if (dataType === 'boolean') return 'boolean';
  if (dataType === 'string') return 'text';
  return 'other';
}

/** Whether VectorAssembler takes the column as a feature, a weight or a regression label. */
export function isAssembled(kind: DataKind): boolean {
  return kind === 'number' || kind === 'boolean';
}

/**
 * How a classifier's label of this kind becomes class indices (Spark's StringIndexer):
 * booleans and text must be indexed; a number may already hold the indices 0..K-1, so
 * indexing it is offered but off.
 *
 * Booleans default to `alphabetAsc` so that false = 0 and true = 1 and "true" is the
 * positive class of the ROC curve (Spark's `frequencyDesc` would make the more frequent
 * value class 0, usually `false`, but not always); everything else to Spark's default.
 */
export function labelIndexing(kind: DataKind): { required: boolean; byDefault: boolean; order: StringOrderType } {
  if (kind === 'boolean') return { required: true, byDefault: true, order: 'alphabetAsc' };
  if (kind === 'text') return { required: true, byDefault: true, order: 'frequencyDesc' };
  return { required: false, byDefault: false, order: 'frequencyDesc' };
}

/** The classes a label of this kind has, when its type alone says (a boolean: two). */
export function knownClasses(kind: DataKind): number | undefined {
  return kind === 'boolean' ? 2 : undefined;
}
