/**
 * Brasa's DataFrame steps as the statements of Spark ML `SQLTransformer` stages, each
 * giving, for the rows Predict scores, the rows and values Brasa's step gives:
 *
 * - filter: `SELECT * FROM __THIS__ WHERE (condition)`; withColumn: the expression added
 *   (`SELECT *, (expr) AS c`) or replacing the column in the list; cast, drop and select
 *   as the list of the columns they leave.
 * - dropna: a filter on the count of present values (`CASE WHEN … THEN 1 ELSE 0 END + …
 *   >= thresh`), present meaning not NULL and, in a floating-point column, not NaN
 *   (Spark's `df.na` rule). Without a subset it counts every column of the table at that
 *   step, listed by name: the training table's columns (recorded with the run) and what
 *   the steps made, OneHotEncoder's vector counting for its slots, which are Brasa's
 *   columns. The exported model's signature lists those table columns, so the file it
 *   scores must have them; Predict's dropna counts the columns of the file it scores, the
 *   same ones for a file of the training table's columns.
 * - fillna: each filled column replaced by its value where present, else the fill cast to
 *   the column's type (`CAST(2.7 AS int)` is 2, as Brasa and Spark fill). The type comes
 *   from the training table; a column made by withColumn has the type the engine gave it
 *   in training (recorded with the model, `LoggedModel.stepColumns`; the engine types
 *   expressions by Spark's rules). SQL has no cast to "the type of that column", so
 *   without that record (a model logged before Brasa kept it) the fill is refused; a cast
 *   step before it makes the type known too.
 * - dropDuplicates: Brasa keeps the first row of each key in table order; Spark's own
 *   `dropDuplicates` keeps an arbitrary one (its optimizer rewrites it as an aggregate of
 *   `first()`, which depends on the partitioning). The statement keeps Brasa's row, and its
 *   order: it numbers the rows (`monotonically_increasing_id()`, increasing in the
 *   DataFrame's order), groups by the key (every column without a subset), takes each
 *   other column with `min_by(c, row)` (the value of the key's first row, NULL included),
 *   and sorts the groups by their first row. NULLs are one key and NaN equals NaN in
 *   both. Without a subset, the key is every column of the table at that step, as for
 *   dropna.
 *
 * Where the SQL alone does not say which Brasa step wrote it, a comment after it does
 * (`stepNote`), so that an import gives back the same step (`spark-sql-steps.ts`): a drop
 * lists what is left, like a select, and its note names the columns dropped (those the
 * model never reads too); dropna and dropDuplicates without a subset list every column,
 * like a subset of them all, and their note says there was none. Spark skips comments.
 */
import type { FillValue, Step } from '../../clean/shared/pipeline';
import { cannotExport } from './spark-export-error';
import { ident, type StepColumn, type StepColumns } from './spark-columns';

/** What the notes say (see above): `drop ["a","b"]`, `every column`. */
export const NOTE_DROP = 'drop';
export const NOTE_EVERY_COLUMN = 'every column';
/** The comment a note is written in. */
export const NOTE_PREFIX = ' /* Brasa: ';
export const NOTE_SUFFIX = ' */';

/** The note as a SQL comment: a star and a slash inside a JSON string are written with `\/`, which JSON reads back, so the comment does not end early. */
function stepNote(note: string): string {
  return `${NOTE_PREFIX}${note.replaceAll('*/', '*\\/')}${NOTE_SUFFIX}`;
}

/** The steps that are DataFrame calls (the others are fitted stages, or change no row). */
export type DataFrameStep = Extract<Step, { op: 'filter' | 'withColumn' | 'cast' | 'drop' | 'select' | 'dropna' | 'fillna' | 'dropDuplicates' }>;

const FLOATING = new Set(['double', 'float']);

/**
 * SQL that is true where the column holds a value: not NULL and, in a floating-point
 * column, not NaN. A column of unknown type asks `typeof` at run time (`try_cast` keeps
 * the analysis valid for any type).
 */
export function presentSql(name: string, type: string | undefined): string {
  const c = ident(name);
  if (type === undefined) return `(${c} IS NOT NULL AND NOT (typeof(${c}) IN ('double', 'float') AND isnan(try_cast(${c} AS DOUBLE))))`;
  return FLOATING.has(type) ? `(${c} IS NOT NULL AND NOT isnan(${c}))` : `${c} IS NOT NULL`;
}

/** A Spark SQL string literal (backslash escapes, Spark's default). */
export const sqlString = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** A fill value as SQL of the column's type (`CAST(2.7 AS int)` is 2, as Brasa and Spark fill). */
export function fillSql(value: FillValue, type: string): string {
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return `CAST(${value} AS ${type})`;
  return type === 'string' ? sqlString(value) : `CAST(${sqlString(value)} AS ${type})`;
}

/**
 * The columns a step without a subset reads: every column of the table at that step,
 * which must all be in the Spark DataFrame.
 */
function everyColumn(where: string, columns: StepColumns): readonly StepColumn[] {
  if (!columns.tableKnown) {
    throw cannotExport(`${where} reads every column of the table, and the run did not record the table's columns`, 'Train the model again to export it.');
  }
  const unread = columns.all().filter((c) => !c.readable);
  if (unread.length > 0) {
    throw cannotExport(`${where} reads every column of the table, and the model does not read ${unread.map((c) => c.name).join(', ')}`, 'Train the model again to export it.');
  }
  return columns.all();
}

/** The named columns of a step's subset, each one the Spark DataFrame has. */
function subsetColumns(names: readonly string[], where: string, columns: StepColumns): StepColumn[] {
  return names.map((name) => {
    const column = columns.find(name);
    if (!column?.readable || column.type === 'vector') {
      throw cannotExport(`${where} reads ${name}, which the Spark model does not have at that step`, 'Name columns of the table or made by earlier steps, then train again.');
    }
    return column;
  });
}

/** dropna as a filter: rows with at least `thresh` present values among the columns it reads. */
function dropnaSql(step: Extract<Step, { op: 'dropna' }>, where: string, columns: StepColumns): string {
  const read = step.subset?.length ? subsetColumns(step.subset, where, columns) : everyColumn(where, columns);
  const weight = (c: StepColumn) => c.slots ?? 1;
  const total = read.reduce((sum, c) => sum + weight(c), 0);
  const thresh = step.thresh ?? (step.how === 'all' ? 1 : total);
  const count = read.map((c) => `CASE WHEN ${presentSql(c.name, c.type)} THEN ${weight(c)} ELSE 0 END`).join(' + ') || '0';
  return `SELECT * FROM __THIS__ WHERE (${count}) >= ${thresh}${step.subset?.length ? '' : stepNote(NOTE_EVERY_COLUMN)}`;
}

/** fillna as a replacement of each filled column: its value where present, else the fill cast to its type. */
function fillnaSql(step: Extract<Step, { op: 'fillna' }>, where: string, columns: StepColumns): string {
  const replace = new Map<string, string>();
  for (const [name, value] of Object.entries(step.values)) {
    const [column] = subsetColumns([name], where, columns);
    const type = column.type;
    if (type === undefined) {
      throw cannotExport(
        `${where} fills ${name}, made by withColumn, whose type the run did not record (models logged before Brasa kept the types of what the steps make), and a fill is cast to the column's type`,
        'Train the model again, or cast the column to its type with a cast step before the fill (or fill it in the expression with coalesce).',
      );
    }
    replace.set(column.name.toLowerCase(), `CASE WHEN ${presentSql(column.name, type)} THEN ${ident(column.name)} ELSE ${fillSql(value, type)} END`);
  }
  return `SELECT ${columns.list(replace)} FROM __THIS__`;
}

/** The row number and first row of a group, in dropDuplicates' statement. */
const ROW = ident('__brasa_row');
const FIRST = ident('__brasa_first_row');

/** dropDuplicates keeping the first row of each key, in the rows' order. */
function dropDuplicatesSql(step: Extract<Step, { op: 'dropDuplicates' }>, where: string, columns: StepColumns): string {
  const keys = step.subset?.length ? subsetColumns(step.subset, where, columns) : everyColumn(where, columns);
  return dropDuplicatesStatement(
    keys.map((c) => c.name),
    columns.readable().map((c) => c.name),
    !step.subset?.length,
  );
}

/**
 * The statement keeping the first row of each `keys` among the `kept` columns (see
 * above); `every` when the step had no subset. An import checks a statement by writing
 * it again from what it read.
 */
export function dropDuplicatesStatement(keys: readonly string[], kept: readonly string[], every: boolean): string {
  const isKey = new Set(keys.map((c) => c.toLowerCase()));
  const items = kept.map((c) => (isKey.has(c.toLowerCase()) ? ident(c) : `min_by(${ident(c)}, ${ROW}) AS ${ident(c)}`));
  const numbered = `SELECT *, monotonically_increasing_id() AS ${ROW} FROM __THIS__`;
  const grouped = `SELECT ${items.join(', ')}, min(${ROW}) AS ${FIRST} FROM (${numbered}) GROUP BY ${keys.map(ident).join(', ')}`;
  return `SELECT ${kept.map(ident).join(', ')} FROM (${grouped}) ORDER BY ${FIRST}${every ? stepNote(NOTE_EVERY_COLUMN) : ''}`;
}

/** The SQLTransformer statement of a DataFrame step, after which `columns` are the step's output's. */
export function dataFrameStatement(step: DataFrameStep, where: string, columns: StepColumns): string {
  switch (step.op) {
    case 'filter':
      return `SELECT * FROM __THIS__ WHERE (${step.condition})`;
    case 'withColumn': {
      const replaced = columns.find(step.column);
      columns.add(step.column);
      if (!replaced) return `SELECT *, (${step.expr}) AS ${ident(step.column)} FROM __THIS__`;
      return `SELECT ${columns.list(new Map([[step.column.toLowerCase(), `(${step.expr})`]]))} FROM __THIS__`;
    }
    case 'cast':
      columns.add(step.column, step.dataType);
      return `SELECT ${columns.list(new Map([[step.column.toLowerCase(), `CAST(${ident(step.column)} AS ${step.dataType})`]]))} FROM __THIS__`;
    case 'drop':
      columns.drop(step.columns);
      return `SELECT ${columns.list()} FROM __THIS__${stepNote(`${NOTE_DROP} ${JSON.stringify(step.columns)}`)}`;
    case 'select': {
      const items = step.columns.map((c) => (c.alias ? `${ident(c.name)} AS ${ident(c.alias)}` : ident(c.name)));
      columns.keep(step.columns.map((c) => ({ name: c.name, as: c.alias ?? c.name })));
      return `SELECT ${items.join(', ')} FROM __THIS__`;
    }
    case 'dropna':
      return dropnaSql(step, where, columns);
    case 'fillna':
      return fillnaSql(step, where, columns);
    case 'dropDuplicates':
      return dropDuplicatesSql(step, where, columns);
  }
}
