/**
 * The columns at each point of an exported model's pipeline, for the SQL statements that
 * must list them (Spark SQL has no `SELECT * EXCEPT`) and for the steps that read every
 * column (dropna and dropDuplicates without a subset).
 *
 * Two sets matter and differ: the columns Brasa's table has at that step (the training
 * table's, then what the steps made), and the columns the Spark DataFrame has when the
 * model scores (`readable`: those of the model's signature, since MLflow's pyfunc drops
 * every other input column, then what the stages made). A statement may name only
 * readable columns; a step that reads every column needs them to be the same.
 */
import type { SchemaColumn } from './schema-check';

/** One column at a point of the pipeline. */
export interface StepColumn {
  name: string;
  /** Its Spark SQL type, when known (`vector` for OneHotEncoder's output). */
  type?: string;
  /** Whether the Spark DataFrame has it when the model scores. */
  readable: boolean;
  /**
   * For OneHotEncoder's vector: how many columns Brasa has for it (one per slot), so a
   * count of present values over the table counts it as Brasa does.
   */
  slots?: number;
}

/** A Spark SQL identifier: backticks, doubled inside. */
export const ident = (name: string) => `\`${name.replaceAll('`', '``')}\``;

const known = (type: string | undefined) => (type === undefined || type === 'unknown' ? undefined : type);

/**
 * The engine's type names (Spark SQL's, `spark_type_name` in crate/src/frame/describe.rs)
 * that a SQL statement can cast a value to; `void`, `time` and nested types are not.
 */
const CASTABLE = /^(boolean|tinyint|smallint|int|bigint|float|double|decimal\(\d+,\d+\)|string|binary|date|timestamp|timestamp_ntz)$/;

export class StepColumns {
  private columns: StepColumn[];
  /** Whether the training table's own columns are known (recorded with the run). */
  readonly tableKnown: boolean;

  /**
   * `inputs` are the columns the exported model reads (its signature), `table` the
   * training table's columns (empty when the run did not record them).
   */
  constructor(inputs: readonly SchemaColumn[], table: readonly SchemaColumn[]) {
    const byName = new Map(inputs.map((c) => [c.name.toLowerCase(), c]));
    this.columns = table.map((c) => {
      const input = byName.get(c.name.toLowerCase());
      return { name: c.name, type: known(input?.type) ?? known(c.type), readable: input !== undefined };
    });
    for (const input of inputs) {
      if (!this.find(input.name)) this.columns.push({ name: input.name, type: known(input.type), readable: true });
    }
    this.tableKnown = table.length > 0;
  }

  /** The column of that name (Spark's names are case-insensitive). */
  find(name: string): StepColumn | undefined {
    const key = name.toLowerCase();
    return this.columns.find((c) => c.name.toLowerCase() === key);
  }

  /** Every column Brasa's table has at this point, in order. */
  all(): readonly StepColumn[] {
    return this.columns;
  }

  /** The columns the Spark DataFrame has at this point, in order. */
  readable(): StepColumn[] {
    return this.columns.filter((c) => c.readable);
  }

  /** A column made or replaced by a step, of `type` when known. */
  add(name: string, type?: string, slots?: number): void {
    const column: StepColumn = { name: this.find(name)?.name ?? name, type, readable: true, ...(slots === undefined ? {} : { slots }) };
    const at = this.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
    if (at < 0) this.columns.push(column);
    else this.columns[at] = column;
  }

  /**
   * Types for the columns whose type is not known, from the columns the step's output had
   * in training (a withColumn result: the type Spark's analyzer gives its expression is
   * the engine's, which follows Spark's rules).
   */
  learnTypes(recorded: readonly SchemaColumn[]): void {
    for (const column of this.columns) {
      if (column.type !== undefined) continue;
      const type = recorded.find((c) => c.name.toLowerCase() === column.name.toLowerCase())?.type;
      if (type !== undefined && CASTABLE.test(type)) column.type = type;
    }
  }

  /** `SELECT` items for every readable column, with `replace` (by lower-case name) giving some an expression. */
  list(replace: ReadonlyMap<string, string> = new Map()): string {
    return this.readable()
      .map((c) => {
        const expr = replace.get(c.name.toLowerCase());
        return expr === undefined ? ident(c.name) : `${expr} AS ${ident(c.name)}`;
      })
      .join(', ');
  }

  /** Keeps only `names` (in that order, under their new names, with their types). */
  keep(names: readonly { name: string; as: string }[]): void {
    this.columns = names.map((n) => {
      const column = this.find(n.name);
      return { ...(column ?? { readable: true }), name: n.as, readable: true };
    });
  }

  drop(names: readonly string[]): void {
    const gone = new Set(names.map((n) => n.toLowerCase()));
    this.columns = this.columns.filter((c) => !gone.has(c.name.toLowerCase()));
  }
}
