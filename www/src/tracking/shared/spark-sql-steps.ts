/**
 * The SQLTransformer statements Brasa's Spark export writes (`spark-dataframe-sql.ts`)
 * read back as the cleaning steps that wrote them, for the import of a PipelineModel
 * (`spark-import.ts`): filter, withColumn (a new column or one replaced in the list),
 * cast, drop, select, dropna, fillna and dropDuplicates.
 *
 * Only the exporter's own shapes are read, each checked by writing the part again with
 * the exporter's functions where it has them (a column's presence test, a fill, the
 * dropDuplicates statement): any other SQL is not a step Brasa can run and gives `null`.
 * What the SQL alone does not say (a drop's columns, a dropna or dropDuplicates without a
 * subset) comes from the note the exporter writes after the statement.
 *
 * What comes back is the step Brasa ran, up to what no scoring can tell apart: column
 * names in the table's spelling (Spark's are case-insensitive), and dropna's `how` and
 * `thresh` as the one threshold they make (all of the columns: `how = any`; one of them:
 * `how = all`; else `thresh`).
 */
import type { FillValue, Step } from '../../clean/shared/pipeline';
import type { SelectColumn } from '../../contract';
import { dropDuplicatesStatement, fillSql, NOTE_DROP, NOTE_EVERY_COLUMN, NOTE_PREFIX, NOTE_SUFFIX, presentSql } from './spark-dataframe-sql';

/** A backticked Spark SQL identifier, as `ident` writes it. */
const IDENT = '`(?:[^`]|``)+`';
const unident = (quoted: string) => quoted.slice(1, -1).replaceAll('``', '`');
const identOnly = new RegExp(`^${IDENT}$`);

/** What a note after the statement said: the columns a drop dropped, or that there was no subset. */
type Note = { drop: string[] } | { everyColumn: true } | null;

/** The statement without its note, and the note. */
function splitNote(statement: string): { sql: string; note: Note } | null {
  if (!statement.endsWith(NOTE_SUFFIX)) return { sql: statement, note: null };
  const every = `${NOTE_PREFIX}${NOTE_EVERY_COLUMN}${NOTE_SUFFIX}`;
  if (statement.endsWith(every)) return { sql: statement.slice(0, -every.length), note: { everyColumn: true } };
  const at = statement.indexOf(`${NOTE_PREFIX}${NOTE_DROP} [`);
  if (at < 0) return { sql: statement, note: null };
  try {
    const names: unknown = JSON.parse(statement.slice(at + NOTE_PREFIX.length + NOTE_DROP.length + 1, -NOTE_SUFFIX.length));
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) return null;
    return { sql: statement.slice(0, at), note: { drop: names as string[] } };
  } catch {
    return null;
  }
}

/**
 * Where each character of `text` is outside quotes and parentheses: calls `visit` with
 * each such index; returns false when the quotes or parentheses do not close.
 */
function topLevel(text: string, visit: (index: number) => void): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      // Spark's string literals: backslash escapes.
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      if (i >= text.length) return false;
    } else if (c === '`') {
      // Identifiers: a backtick inside is doubled.
      for (i++; i < text.length; i++) {
        if (text[i] === '`' && text[i + 1] === '`') i++;
        else if (text[i] === '`') break;
      }
      if (i >= text.length) return false;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth < 0) return false;
      if (depth === 0) visit(i);
    } else if (depth === 0) {
      visit(i);
    }
  }
  return depth === 0;
}

/** `text` split at the top-level `separator`s (each piece trimmed); null when it does not parse. */
function splitTopLevel(text: string, separator: string): string[] | null {
  const cuts: number[] = [];
  if (!topLevel(text, (i) => text[i] === separator && cuts.push(i))) return null;
  const pieces: string[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    pieces.push(text.slice(from, cut).trim());
    from = cut + 1;
  }
  return pieces;
}

/** One item of a `SELECT` list the exporter writes. */
type Item =
  | { kind: 'column'; name: string }
  | { kind: 'alias'; name: string; as: string }
  | { kind: 'expr'; expr: string; as: string }
  | { kind: 'cast'; name: string; type: string }
  | { kind: 'fill'; name: string; value: FillValue };

const aliasItem = new RegExp(`^(${IDENT}) AS (${IDENT})$`);
const castItem = new RegExp(`^CAST\\((${IDENT}) AS (.+)\\) AS (${IDENT})$`);
const fillItem = new RegExp(`^CASE WHEN (.+?) THEN (${IDENT}) ELSE (.+) END AS (${IDENT})$`);

/** Whether `sql` is the exporter's test that `name` holds a value (its type's form). */
function isPresentTest(sql: string, name: string): boolean {
  return [presentSql(name, 'double'), presentSql(name, 'string'), presentSql(name, undefined)].includes(sql);
}

/** A fill as `fillSql` writes it, read back: the value and the type it is cast to. */
function fillValue(sql: string): FillValue | undefined {
  const string = (quoted: string) => quoted.slice(1, -1).replace(/\\(.)/gs, '$1');
  let value: FillValue | undefined;
  let type = 'string';
  const cast = /^CAST\((.+) AS (.+?)\)$/s.exec(sql);
  if (sql === 'true' || sql === 'false') value = sql === 'true';
  else if (sql.startsWith("'")) value = string(sql);
  else if (cast) {
    type = cast[2];
    value = cast[1].startsWith("'") ? string(cast[1]) : Number(cast[1]);
  }
  return value !== undefined && fillSql(value, type) === sql ? value : undefined;
}

/** Parenthesised `(expr) AS name`, as withColumn writes its expression. */
function exprItem(text: string): Item | null {
  if (!text.startsWith('(')) return null;
  let close = -1;
  if (!topLevel(text, (i) => close < 0 && text[i] === ')' && (close = i))) return null;
  const alias = new RegExp(`^ AS (${IDENT})$`).exec(text.slice(close + 1));
  return alias ? { kind: 'expr', expr: text.slice(1, close), as: unident(alias[1]) } : null;
}

function item(text: string): Item | null {
  if (identOnly.test(text)) return { kind: 'column', name: unident(text) };
  const alias = aliasItem.exec(text);
  if (alias) return { kind: 'alias', name: unident(alias[1]), as: unident(alias[2]) };
  const cast = castItem.exec(text);
  if (cast && cast[1] === cast[3]) return { kind: 'cast', name: unident(cast[1]), type: cast[2] };
  const fill = fillItem.exec(text);
  if (fill && fill[2] === fill[4] && isPresentTest(fill[1], unident(fill[2]))) {
    const value = fillValue(fill[3]);
    if (value !== undefined) return { kind: 'fill', name: unident(fill[2]), value };
  }
  return exprItem(text);
}

/** A `SELECT <items> FROM __THIS__` statement: withColumn, cast, fillna, drop or select. */
function listStep(list: string, note: Note): Step | null {
  const items = splitTopLevel(list, ',')?.map(item);
  if (!items || items.some((i) => i === null)) return null;
  const all = items as Item[];
  const others = (kind: Item['kind']) => all.filter((i) => i.kind !== kind);
  const only = <K extends Item['kind']>(kind: K) => all.filter((i): i is Extract<Item, { kind: K }> => i.kind === kind);
  const plain = (rest: Item[]) => rest.every((i) => i.kind === 'column');
  if (note && 'drop' in note) return plain(all) ? { op: 'drop', columns: note.drop } : null;
  if (note) return null;
  if (all.every((i) => i.kind === 'column' || i.kind === 'alias')) {
    return { op: 'select', columns: all.map((i): SelectColumn => (i.kind === 'alias' ? { name: i.name, alias: i.as } : { name: (i as { name: string }).name })) };
  }
  const [expr] = only('expr');
  if (only('expr').length === 1 && plain(others('expr'))) return { op: 'withColumn', column: expr.as, expr: expr.expr };
  const [cast] = only('cast');
  if (only('cast').length === 1 && plain(others('cast'))) return { op: 'cast', column: cast.name, dataType: cast.type };
  if (only('fill').length > 0 && plain(others('fill'))) return { op: 'fillna', values: Object.fromEntries(only('fill').map((f) => [f.name, f.value])) };
  return null;
}

/** dropna's filter: the count of present values among its columns, at least the threshold. */
function dropnaStep(count: string, thresh: number, note: Note): Step | null {
  const terms = splitTopLevel(count, '+');
  if (!terms) return null;
  const read: { name: string; weight: number }[] = [];
  for (const term of terms) {
    const parts = /^CASE WHEN (.+) THEN (\d+) ELSE 0 END$/s.exec(term);
    const quoted = parts && new RegExp(IDENT).exec(parts[1]);
    if (!parts || !quoted || !isPresentTest(parts[1], unident(quoted[0]))) return null;
    read.push({ name: unident(quoted[0]), weight: Number(parts[2]) });
  }
  const total = read.reduce((sum, c) => sum + c.weight, 0);
  const how = thresh === total ? {} : thresh === 1 ? { how: 'all' as const } : { thresh };
  const step = { op: 'dropna' as const, how: 'any' as const, ...how };
  if (note && 'everyColumn' in note) return step;
  // With a subset, every column counts once.
  return !note && read.every((c) => c.weight === 1) ? { ...step, subset: read.map((c) => c.name) } : null;
}

const dropDuplicatesParts = /^SELECT (.+?) FROM \(SELECT .+ GROUP BY (.+)\) ORDER BY `__brasa_first_row`$/s;

/** dropDuplicates' statement, checked by writing it again from its keys and columns. */
function dropDuplicatesStep(sql: string, note: Note): Step | null {
  const parts = dropDuplicatesParts.exec(sql);
  const kept = parts && splitTopLevel(parts[1], ',');
  const keys = parts && splitTopLevel(parts[2], ',');
  if (!kept || !keys || ![...kept, ...keys].every((k) => identOnly.test(k))) return null;
  const every = note !== null && 'everyColumn' in note;
  if ((note && !every) || dropDuplicatesStatement(keys.map(unident), kept.map(unident), false) !== sql) return null;
  return every ? { op: 'dropDuplicates' } : { op: 'dropDuplicates', subset: keys.map(unident) };
}

/** The step a SQLTransformer statement of Brasa's export runs; null for any other SQL. */
export function dataFrameStep(statement: string): Step | null {
  const split = splitNote(statement.trim());
  if (!split) return null;
  const { sql, note } = split;
  if (sql.endsWith('ORDER BY `__brasa_first_row`')) return dropDuplicatesStep(sql, note);
  const dropna = /^SELECT \* FROM __THIS__ WHERE \((.+)\) >= (\d+)$/s.exec(sql);
  if (dropna) return dropnaStep(dropna[1], Number(dropna[2]), note);
  if (note && 'everyColumn' in note) return null;
  const filter = /^SELECT \* FROM __THIS__ WHERE \((.*)\)$/s.exec(sql);
  if (filter) return note ? null : { op: 'filter', condition: filter[1] };
  const list = /^SELECT (.+) FROM __THIS__$/s.exec(sql);
  if (!list) return null;
  const added = /^\*, (.+)$/s.exec(list[1]);
  if (added) {
    const column = note ? null : exprItem(added[1]);
    return column?.kind === 'expr' ? { op: 'withColumn', column: column.as, expr: column.expr } : null;
  }
  return listStep(list[1], note);
}
