/**
 * The CSV reader options as the Reader options panel shows them: Spark's option names
 * (`sep`, `header`, `nullValue`, ...) and their text, to and from the engine's
 * `CsvOptions`. Pure functions, so the conversion is tested without a page.
 */
import type { CsvOptions, JsonOptions, ParseMode } from '../../contract';
import { JSON_OPTIONS_DEFAULTS } from '../../contract';

/** The panel's fields, each as the text (or flag) shown. */
export interface ReaderForm {
  sep: string;
  header: boolean;
  inferSchema: boolean;
  /** Brasa reads several null spellings: comma-separated. */
  nullValue: string;
  nanValue: string;
  positiveInf: string;
  negativeInf: string;
  /** What a quoted empty field (`""`) reads as; empty keeps it an empty string. */
  emptyValue: string;
  /** One character (`\n`, `\r`, `\r\n` written so); empty reads any line break. */
  lineSep: string;
  comment: string;
  /** Empty turns quoting off (as Spark's `quote` set to ""). */
  quote: string;
  escape: string;
  /** A line break inside quotes is part of the field (`true`, Brasa's default). */
  multiLine: boolean;
  mode: ParseMode;
  ignoreLeadingWhiteSpace: boolean;
  ignoreTrailingWhiteSpace: boolean;
  encoding: string;
  /** Spark DDL (`id INT, name STRING`); empty infers the schema. */
  schema: string;
  /** Spark datetime patterns (`dd/MM/yyyy`); empty reads ISO-8601. */
  dateFormat: string;
  timestampFormat: string;
}

export const MODES: readonly ParseMode[] = ['PERMISSIVE', 'DROPMALFORMED', 'FAILFAST'];

/** Control characters as Spark's options are written in Python and Scala (`\t`, `\n`). */
const ESCAPED: ReadonlyArray<readonly [string, string]> = [['\t', '\\t'], ['\n', '\\n'], ['\r', '\\r']];

/** An option's text with its control characters written as Spark's options write them (`\t`). */
export function showChar(c: string | null): string {
  if (c === null) return '';
  return ESCAPED.reduce((text, [char, escaped]) => text.replaceAll(char, escaped), c);
}

/** An option's text with `\t`, `\n` and `\r` written out read as those characters. */
export function unescape(text: string): string {
  return ESCAPED.reduce((value, [char, escaped]) => value.replaceAll(escaped, char), text);
}

/** The options a table was read with, as the panel shows them. */
export function formOf(options: CsvOptions): ReaderForm {
  return {
    sep: showChar(options.delimiter),
    header: options.header ?? true,
    inferSchema: options.inferSchema,
    nullValue: options.nullValues.filter((v) => v !== '').join(','),
    nanValue: options.nanValue,
    positiveInf: options.positiveInf,
    negativeInf: options.negativeInf,
    emptyValue: options.emptyValue ?? '',
    lineSep: showChar(options.lineSep),
    comment: showChar(options.comment),
    quote: options.quoting ? options.quote : '',
    escape: options.escape,
    multiLine: options.multiLine,
    mode: options.mode,
    ignoreLeadingWhiteSpace: options.ignoreLeadingWhiteSpace,
    ignoreTrailingWhiteSpace: options.ignoreTrailingWhiteSpace,
    encoding: options.encoding,
    schema: options.schema ?? '',
    dateFormat: options.dateFormat ?? '',
    timestampFormat: options.timestampFormat ?? '',
  };
}

/** One character from an option's text (`\t` and `tab` mean a tab); `null` when empty. */
function oneChar(text: string, option: string): string | null {
  if (text === '') return null;
  if (text.toLowerCase() === 'tab') return '\t';
  const char = unescape(text);
  if ([...char].length !== 1) throw new Error(`${option} must be one character, not "${text}"`);
  return char;
}

/** Spark's `lineSep`: one character, or `\r\n` (which Spark also takes); `null` when empty. */
function lineSepOf(text: string): string | null {
  return unescape(text) === '\r\n' ? '\r\n' : oneChar(text, 'lineSep');
}

/** The options to read with from the panel's fields; an error names a field it cannot use. */
export function optionsOf(form: ReaderForm): Partial<CsvOptions> {
  const quote = oneChar(form.quote, 'quote');
  const escape = oneChar(form.escape, 'escape');
  const nulls = form.nullValue
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return {
    delimiter: oneChar(form.sep, 'sep'),
    header: form.header,
    inferSchema: form.inferSchema,
    // An empty field is null in Spark whatever nullValue says; the list keeps it so.
    nullValues: ['', ...nulls],
    nanValue: form.nanValue,
    positiveInf: form.positiveInf,
    negativeInf: form.negativeInf,
    emptyValue: form.emptyValue === '' ? null : form.emptyValue,
    lineSep: lineSepOf(form.lineSep),
    comment: oneChar(form.comment, 'comment'),
    quoting: quote !== null,
    quote: quote ?? '"',
    escape: escape ?? quote ?? '"',
    multiLine: form.multiLine,
    mode: form.mode,
    ignoreLeadingWhiteSpace: form.ignoreLeadingWhiteSpace,
    ignoreTrailingWhiteSpace: form.ignoreTrailingWhiteSpace,
    encoding: form.encoding.trim() === '' ? 'UTF-8' : form.encoding.trim(),
    schema: form.schema.trim() === '' ? null : form.schema.trim(),
    dateFormat: form.dateFormat.trim() === '' ? null : form.dateFormat.trim(),
    timestampFormat: form.timestampFormat.trim() === '' ? null : form.timestampFormat.trim(),
  };
}

/**
 * The options as Spark's reader takes them (`spark.read.options(**...)`): what a run
 * records about the file its table was read from.
 */
export function sparkOptionsOf(options: CsvOptions): Record<string, string> {
  const form = formOf(options);
  const spark: Record<string, string> = {
    sep: form.sep,
    header: String(form.header),
    inferSchema: String(form.inferSchema),
    nullValue: form.nullValue,
    nanValue: form.nanValue,
    positiveInf: form.positiveInf,
    negativeInf: form.negativeInf,
    quote: form.quote,
    escape: form.escape,
    multiLine: String(form.multiLine),
    mode: form.mode,
    ignoreLeadingWhiteSpace: String(form.ignoreLeadingWhiteSpace),
    ignoreTrailingWhiteSpace: String(form.ignoreTrailingWhiteSpace),
    encoding: form.encoding,
  };
  if (form.comment !== '') spark.comment = form.comment;
  if (form.emptyValue !== '') spark.emptyValue = form.emptyValue;
  if (form.lineSep !== '') spark.lineSep = form.lineSep;
  if (form.schema !== '') spark.schema = form.schema;
  if (form.dateFormat !== '') spark.dateFormat = form.dateFormat;
  if (form.timestampFormat !== '') spark.timestampFormat = form.timestampFormat;
  return spark;
}

/** The `spark.read.json` options a JSON file was read with, under Spark's names. */
/**
 * Spark's JSON options that are on or off, with what each does: inference
 * (`primitivesAsString`, `dropFieldIfAllNull`) and what the parser (Jackson) reads beyond
 * standard JSON (`allowSingleQuotes` and `allowNonNumericNumbers` are on by default).
 */
export const JSON_FLAGS = [
  ['primitivesAsString', 'numbers and booleans as strings'],
  ['dropFieldIfAllNull', 'no column for a field only ever null'],
  ['prefersDecimal', 'decimals of the digits written: 1.50 is decimal(3,2)'],
  ['inferTimestamp', 'strings that read as timestamps are timestamps'],
  ['allowSingleQuotes', '{\'a\': \'x\'}'],
  ['allowNonNumericNumbers', 'NaN, Infinity, -INF'],
  ['allowUnquotedFieldNames', '{a: 1}'],
  ['allowNumericLeadingZeros', '007'],
  ['allowBackslashEscapingAnyCharacter', '"\\q"'],
  ['allowUnquotedControlChars', 'a tab inside a string'],
  ['allowComments', '/* */ and // comments'],
] as const;

export type JsonFlag = (typeof JSON_FLAGS)[number][0];

/** Whether `flag` is on in `options` (a table read before the flag existed: Spark's default). */
export function flagOf(options: JsonOptions, flag: JsonFlag): boolean {
  return options[flag] ?? JSON_OPTIONS_DEFAULTS[flag];
}

/**
 * Spark's `samplingRatio` from the panel's text: the fraction of records the schema is
 * inferred from (empty: 1, every record). Whether it is above 0 is the engine's check,
 * with Spark's words.
 */
export function samplingRatioOf(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return 1;
  const ratio = Number(trimmed);
  if (!Number.isFinite(ratio)) throw new Error(`samplingRatio must be a number such as 0.1, not "${text}"`);
  return ratio;
}

/** The `samplingRatio` a table was read with (a table read before the option existed: 1). */
export function samplingRatioUsed(options: Pick<JsonOptions, 'samplingRatio'>): number {
  return options.samplingRatio ?? 1;
}

export function sparkJsonOptionsOf(options: JsonOptions): Record<string, string> {
  // A flag is part of how the file was read only when it is not Spark's default.
  const flags = JSON_FLAGS
    .map(([name]) => name)
    .filter((name) => flagOf(options, name) !== JSON_OPTIONS_DEFAULTS[name])
    .map((name) => [name, String(flagOf(options, name))]);
  return {
    // `null` was told from the file's first line; a record says what the reader found.
    ...(options.multiLine === null ? {} : { multiLine: String(options.multiLine) }),
    mode: options.mode,
    columnNameOfCorruptRecord: options.columnNameOfCorruptRecord,
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.dateFormat ? { dateFormat: options.dateFormat } : {}),
    ...(options.timestampFormat ? { timestampFormat: options.timestampFormat } : {}),
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.lineSep ? { lineSep: showChar(options.lineSep) } : {}),
    ...(samplingRatioUsed(options) !== 1 ? { samplingRatio: String(samplingRatioUsed(options)) } : {}),
    ...Object.fromEntries(flags),
  };
}

/**
 * What a run records about the file a table came from: the reader and its options, as a
 * Spark user would write them. Spark has no Excel reader of its own; a workbook records
 * the sheet and whether its first row was the header (the spark-excel plugin's and
 * pandas' `read_excel` notions).
 */
export interface FileReading {
  /** `spark.read.<format>`: csv, json, parquet, arrow or excel. */
  format: string;
  compression?: string;
  options?: Record<string, string>;
}

/** Where a loaded table came from, as `LoadedTable['source']` holds it. */
export interface ReadSource {
  format: string;
  compression?: string | null;
  csvOptions?: CsvOptions;
  jsonOptions?: JsonOptions;
  sheet?: string;
  header?: boolean;
}

export function fileReadingOf(source: ReadSource): FileReading {
  const options: Record<string, string> = source.csvOptions
    ? sparkOptionsOf(source.csvOptions)
    : source.jsonOptions
      ? sparkJsonOptionsOf(source.jsonOptions)
      : {};
  if (source.sheet !== undefined) options.sheet = source.sheet;
  if (source.header !== undefined && !source.csvOptions) options.header = String(source.header);
  return {
    format: source.format,
    ...(source.compression ? { compression: source.compression } : {}),
    ...(Object.keys(options).length ? { options } : {}),
  };
}
