/**
 * MLflow's run search syntax (the subset `mlflow.search_runs(filter_string=...)` accepts):
 * comparisons joined by `AND`, e.g.
 * `metrics.rmse < 10 and params.regParam = '0.1' and attributes.status = 'FINISHED'`.
 *
 * - `metrics.<key>`: `=`, `!=`, `<`, `<=`, `>`, `>=` with a number.
 * - `params.<key>`, `tags.<key>`: `=`, `!=`, `LIKE`, `ILIKE` with a quoted string, or
 *   `IN` / `NOT IN` with a list; keys with odd characters in backticks
 *   (`` tags.`mlflow.runName` ``) or double quotes.
 * - `attributes.<name>` (`attribute.`, `run.`): `run_id`, `run_name`, `status`,
 *   `lifecycle_stage` as strings; `start_time`, `end_time` (ms) as numbers.
 *
 * MLflow's own grammar is this small (no `OR`, no parentheses), so it is parsed here with
 * a tokenizer and one loop; errors carry the 1-based column where they were found.
 */
import { type Run, latestMetrics } from './model';

export type Entity = 'metrics' | 'params' | 'tags' | 'attributes';
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export interface Clause {
  entity: Entity;
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}

export class SearchSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based column in the filter text. */
    readonly column: number,
  ) {
    super(`${message} (at column ${column})`);
    this.name = 'SearchSyntaxError';
  }
}

interface Token {
  kind: 'word' | 'quoted' | 'backticked' | 'number' | 'op' | 'punct';
  text: string;
  at: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      const start = i;
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (i >= text.length) throw new SearchSyntaxError(`unterminated ${c === '`' ? 'backticked name' : 'string'}`, start + 1);
      i++;
      tokens.push({ kind: c === '`' ? 'backticked' : c === '"' ? 'quoted' : 'quoted', text: value, at: start });
    } else if (/[-+0-9.]/.test(c) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.test(text.slice(i)) && (c !== '.' || /\d/.test(text[i + 1] ?? ''))) {
      const match = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: match[0], at: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: match[0], at: i });
      i += match[0].length;
    } else if (/[<>=!]/.test(c)) {
      const two = text.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '=='].includes(two) ? two : c;
      if (op === '!') throw new SearchSyntaxError('"!" must be followed by "="', i + 1);
      tokens.push({ kind: 'op', text: op === '==' ? '=' : op, at: i });
      i += op.length;
    } else if (c === '(' || c === ')' || c === ',' || c === '.') {
      tokens.push({ kind: 'punct', text: c, at: i });
      i++;
    } else {
      throw new SearchSyntaxError(`unexpected character "${c}"`, i + 1);
    }
  }
  return tokens;
}

const ENTITIES: Record<string, Entity> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attribute: 'attributes',
  attributes: 'attributes',
  attr: 'attributes',
  run: 'attributes',
};

const STRING_ATTRIBUTES = ['run_id', 'run_name', 'status', 'lifecycle_stage'];
const NUMBER_ATTRIBUTES = ['start_time', 'end_time'];

/** Parses a filter; an empty string is no filter. Throws `SearchSyntaxError`. */
export function parseFilter(text: string): Clause[] {
  const tokens = tokenize(text);
  const clauses: Clause[] = [];
  let i = 0;
  const end = text.length + 1;
  const peek = () => tokens[i];
  const next = (what: string): Token => {
    const token = tokens[i++];
    if (!token) throw new SearchSyntaxError(`expected ${what} but the filter ended`, end);
    return token;
  };
  while (i < tokens.length) {
    if (clauses.length > 0) {
      const and = next('AND');
      if (and.kind !== 'word' || and.text.toUpperCase() !== 'AND') {
        const hint = and.kind === 'word' && and.text.toUpperCase() === 'OR' ? ' (MLflow search has no OR)' : '';
        throw new SearchSyntaxError(`expected AND between comparisons, found "${and.text}"${hint}`, and.at + 1);
      }
    }
    const prefix = next('metrics., params., tags. or attributes.');
    const entity = prefix.kind === 'word' ? ENTITIES[prefix.text.toLowerCase()] : undefined;
    if (!entity) {
      throw new SearchSyntaxError(`"${prefix.text}" is not metrics., params., tags. or attributes.`, prefix.at + 1);
    }
    const dot = next('"."');
    if (dot.text !== '.') throw new SearchSyntaxError(`expected "." after ${prefix.text}`, dot.at + 1);
    const keyToken = next('a key');
    let key: string;
    if (keyToken.kind === 'backticked' || keyToken.kind === 'quoted') key = keyToken.text;
    else if (keyToken.kind === 'word') {
      key = keyToken.text;
      // Unquoted dotted keys (`tags.mlflow.runName`) are read whole, as MLflow does.
      while (peek()?.text === '.' && tokens[i + 1]?.kind === 'word') {
        key += `.${tokens[i + 1].text}`;
        i += 2;
      }
    } else throw new SearchSyntaxError(`expected a key after "${prefix.text}.", found "${keyToken.text}"`, keyToken.at + 1);
    if (entity === 'attributes' && ![...STRING_ATTRIBUTES, ...NUMBER_ATTRIBUTES].includes(key)) {
      throw new SearchSyntaxError(`unknown attribute "${key}" (use ${[...STRING_ATTRIBUTES, ...NUMBER_ATTRIBUTES].join(', ')})`, keyToken.at + 1);
    }
    const opToken = next('a comparison (=, !=, <, <=, >, >=, LIKE, ILIKE, IN)');
    let comparator: Comparator;
    if (opToken.kind === 'op') comparator = opToken.text as Comparator;
    else if (opToken.kind === 'word' && ['LIKE', 'ILIKE', 'IN'].includes(opToken.text.toUpperCase())) comparator = opToken.text.toUpperCase() as Comparator;
    else if (opToken.kind === 'word' && opToken.text.toUpperCase() === 'NOT' && peek()?.text.toUpperCase() === 'IN') {
      i++;
      comparator = 'NOT IN';
    } else throw new SearchSyntaxError(`expected a comparison after ${prefix.text}.${key}, found "${opToken.text}"`, opToken.at + 1);

    const numeric = entity === 'metrics' || (entity === 'attributes' && NUMBER_ATTRIBUTES.includes(key));
    const allowed: Comparator[] = numeric ? ['=', '!=', '<', '<=', '>', '>='] : ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
    if (!allowed.includes(comparator)) {
      throw new SearchSyntaxError(`${prefix.text}.${key} can be compared with ${allowed.join(', ')}, not ${comparator}`, opToken.at + 1);
    }
    let value: Clause['value'];
    if (comparator === 'IN' || comparator === 'NOT IN') {
      const open = next('"("');
      if (open.text !== '(') throw new SearchSyntaxError(`expected "(" after ${comparator}`, open.at + 1);
      const list: string[] = [];
      for (;;) {
        const item = next('a quoted string');
        if (item.kind !== 'quoted') throw new SearchSyntaxError(`expected a quoted string in the list, found "${item.text}"`, item.at + 1);
        list.push(item.text);
        const sep = next('"," or ")"');
        if (sep.text === ')') break;
        if (sep.text !== ',') throw new SearchSyntaxError(`expected "," or ")" in the list, found "${sep.text}"`, sep.at + 1);
      }
      value = list;
    } else {
      const valueToken = next('a value');
      if (numeric) {
        if (valueToken.kind !== 'number') throw new SearchSyntaxError(`${prefix.text}.${key} is compared with a number, found "${valueToken.text}"`, valueToken.at + 1);
        value = Number(valueToken.text);
      } else {
        if (valueToken.kind !== 'quoted') {
          throw new SearchSyntaxError(`${prefix.text}.${key} is compared with a quoted string (e.g. '${valueToken.text}'), found ${valueToken.text}`, valueToken.at + 1);
        }
        value = valueToken.text;
      }
    }
    clauses.push({ entity, key, comparator, value });
  }
  return clauses;
}

/** SQL LIKE: `%` any run of characters, `_` one character. */
function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

function compareNumber(actual: number | undefined, comparator: Comparator, expected: number): boolean {
  if (actual === undefined || Number.isNaN(actual)) return false;
  switch (comparator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    default:
      return false;
  }
}

function compareString(actual: string | undefined, comparator: Comparator, expected: string | string[]): boolean {
  if (actual === undefined) return false;
  switch (comparator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'LIKE':
    case 'ILIKE':
      return likePattern(String(expected), comparator === 'ILIKE').test(actual);
    case 'IN':
      return (expected as string[]).includes(actual);
    case 'NOT IN':
      return !(expected as string[]).includes(actual);
    default:
      return false;
  }
}

function attribute(run: Run, key: string): string | number | undefined {
  switch (key) {
    case 'run_id':
      return run.runId;
    case 'run_name':
      return run.runName;
    case 'status':
      return run.status;
    case 'lifecycle_stage':
      return run.lifecycleStage;
    case 'start_time':
      return run.startTime;
    case 'end_time':
      return run.endTime ?? undefined;
  }
  return undefined;
}

/** Whether a run passes every clause (a run without the metric/param/tag does not). */
export function matches(run: Run, clauses: Clause[], metrics = latestMetrics(run)): boolean {
  return clauses.every((clause) => {
    switch (clause.entity) {
      case 'metrics':
        return compareNumber(metrics[clause.key], clause.comparator, clause.value as number);
      case 'params':
        return compareString(run.params[clause.key], clause.comparator, clause.value as string);
      case 'tags':
        return compareString(run.tags[clause.key], clause.comparator, clause.value as string);
      case 'attributes': {
        const actual = attribute(run, clause.key);
        return typeof clause.value === 'number'
          ? compareNumber(actual as number | undefined, clause.comparator, clause.value)
          : compareString(actual as string | undefined, clause.comparator, clause.value);
      }
    }
  });
}
