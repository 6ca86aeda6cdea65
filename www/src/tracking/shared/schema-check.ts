/**
 * Which columns of a table a logged model reads, and whether another table has them with
 * usable types: checked in the page before scoring, so a mismatch is named plainly
 * (the engine checks again when it scores).
 */
import type { PipelineSpec, Step } from '../../clean/shared/pipeline';

export interface SchemaColumn {
  name: string;
  type: string;
}

/** SQL identifiers in an expression (quoted strings removed; backticked names kept). */
function identifiers(expression: string): Set<string> {
  const out = new Set<string>();
  const withoutStrings = expression.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, ' ');
  for (const match of withoutStrings.matchAll(/`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)/g)) out.add((match[1] ?? match[2]).toLowerCase());
  return out;
}

/**
 * The input columns a step reads (for SQL expressions: known column names it mentions).
 * `present` are the table's columns still there at that step: what dropna and
 * dropDuplicates without a subset read when `everyColumn` asks for them.
 */
function stepReads(step: Step, known: readonly SchemaColumn[], present: readonly string[], everyColumn: boolean): string[] {
  const mentioned = (expression: string) => {
    const ids = identifiers(expression);
    return known.filter((c) => ids.has(c.name.toLowerCase())).map((c) => c.name);
  };
  switch (step.op) {
    case 'filter':
      return mentioned(step.condition);
    case 'withColumn':
      return mentioned(step.expr);
    case 'select':
      return step.columns.map((c) => c.name);
    case 'dropna':
    case 'dropDuplicates':
      return step.subset?.length ? step.subset : everyColumn ? [...present] : [];
    case 'imputer':
    case 'stringIndexer':
    case 'oneHotEncoder':
      return step.inputCols;
    case 'cast':
      return [step.column];
    case 'fillna':
      return Object.keys(step.values);
    case 'drop':
    case 'repartition':
    case 'cache':
      return [];
  }
}

/** The table's columns left after a step that drops or selects columns. */
function presentAfter(step: Step, present: string[]): string[] {
  const named = (names: string[]) => new Set(names.map((n) => n.toLowerCase()));
  if (step.op === 'drop') {
    const gone = named(step.columns);
    return present.filter((c) => !gone.has(c.toLowerCase()));
  }
  if (step.op === 'select') {
    const kept = named(step.columns.filter((c) => !c.alias || c.alias.toLowerCase() === c.name.toLowerCase()).map((c) => c.name));
    return present.filter((c) => kept.has(c.toLowerCase()));
  }
  return present;
}

function stepWrites(step: Step): string[] {
  switch (step.op) {
    case 'imputer':
    case 'stringIndexer':
    case 'oneHotEncoder':
      return step.outputCols;
    case 'withColumn':
      return [step.column];
    case 'select':
      return step.columns.map((c) => c.alias ?? c.name);
    default:
      return [];
  }
}

/**
 * The columns of the training table that scoring reads: those the pipeline's steps read
 * before any step made them, then the features no step made. Types come from the
 * training table; `anyType` marks columns whose first use is a cast.
 *
 * dropna and dropDuplicates without a subset read every column the table has at that
 * step; they are counted only with `everyColumn`. Predict leaves them out (its dropna
 * reads the columns of the file it scores, so a file without the label still scores);
 * the exported Spark model needs them (see `exportedInputs`).
 */
export function requiredColumns(
  trainingSchema: readonly SchemaColumn[],
  features: string[],
  pipeline?: PipelineSpec | null,
  everyColumn = false,
): (SchemaColumn & { anyType: boolean })[] {
  const byName = new Map(trainingSchema.map((c) => [c.name.toLowerCase(), c]));
  const produced = new Set<string>();
  // OneHotEncoder makes one column per slot, `<outputCol>_<label>`.
  const producedPrefixes: string[] = [];
  const required = new Map<string, SchemaColumn & { anyType: boolean }>();
  const need = (name: string, anyType: boolean) => {
    const key = name.toLowerCase();
    if (produced.has(key) || required.has(key) || producedPrefixes.some((p) => key.startsWith(p))) return;
    const column = byName.get(key);
    required.set(key, { name: column?.name ?? name, type: column?.type ?? 'unknown', anyType });
  };
  let present = trainingSchema.map((c) => c.name);
  for (const step of pipeline?.steps ?? []) {
    for (const name of stepReads(step, trainingSchema, present, everyColumn)) need(name, step.op === 'cast');
    for (const name of stepWrites(step)) produced.add(name.toLowerCase());
    if (step.op === 'oneHotEncoder') producedPrefixes.push(...step.outputCols.map((c) => `${c.toLowerCase()}_`));
    if (step.op === 'cast') produced.add(step.column.toLowerCase());
    present = presentAfter(step, present);
  }
  for (const feature of features) need(feature, false);
  return [...required.values()];
}

/**
 * The columns an exported Spark model reads, its MLflow signature: the logged model's
 * (`inputSchema`, what Predict checks), then the training table's columns that only the
 * steps reading every column need, and those a fill alone reads (models logged before
 * fills counted as reads). A Spark stage lists the columns it reads, and MLflow's pyfunc
 * drops every input column the signature does not name.
 */
export function exportedInputs(
  inputSchema: readonly SchemaColumn[],
  features: string[],
  pipeline: PipelineSpec | null | undefined,
  trainingSchema: readonly SchemaColumn[],
): SchemaColumn[] {
  const have = new Set(inputSchema.map((c) => c.name.toLowerCase()));
  const inTable = new Set(trainingSchema.map((c) => c.name.toLowerCase()));
  const more = requiredColumns(trainingSchema, features, pipeline, true).filter((c) => inTable.has(c.name.toLowerCase()) && !have.has(c.name.toLowerCase()));
  return [...inputSchema.map(({ name, type }) => ({ name, type })), ...more.map(({ name, type }) => ({ name, type }))];
}

/** Spark SQL types that are interchangeable for scoring. */
function typeFamily(type: string): string {
  if (/^(tinyint|smallint|int|bigint|float|double|decimal)/.test(type)) return 'numeric';
  if (type === 'timestamp' || type === 'timestamp_ntz') return 'timestamp';
  return type;
}

/**
 * What is wrong with `table` for a model that reads `required`: missing columns and
 * columns of another kind of type, each named; empty when the table fits.
 */
export function schemaProblems(required: (SchemaColumn & { anyType?: boolean })[], table: SchemaColumn[]): string[] {
  const columns = new Map(table.map((c) => [c.name.toLowerCase(), c]));
  const missing: string[] = [];
  const mistyped: string[] = [];
  for (const column of required) {
    const found = columns.get(column.name.toLowerCase());
    if (!found) missing.push(column.name);
    else if (!column.anyType && column.type !== 'unknown' && typeFamily(found.type) !== typeFamily(column.type)) {
      mistyped.push(`${column.name} is ${found.type}, the model was trained on ${column.type}`);
    }
  }
  const problems: string[] = [];
  if (missing.length) problems.push(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (mistyped.length) problems.push(`mistyped: ${mistyped.join('; ')}`);
  return problems;
}
