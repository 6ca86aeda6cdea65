import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { CsvOptions } from '../../www/src/contract/CsvOptions';
import { JSON_OPTIONS_DEFAULTS } from '../../www/src/contract';
import { formOf, optionsOf, samplingRatioOf, sparkJsonOptionsOf, sparkOptionsOf } from '../../www/src/data/shared/reader-options';

/** What the engine reports for a `;`-separated file with a header (detection filled in). */
const used: CsvOptions = {
  header: true,
  delimiter: ';',
  quote: '"',
  quoting: true,
  multiLine: true,
  nullValues: ['', 'NA', 'N/A', 'null', 'NULL'],
  inferSchema: true,
  mode: 'PERMISSIVE',
  maxColumns: 20480,
  comment: null,
  escape: '"',
  ignoreLeadingWhiteSpace: false,
  ignoreTrailingWhiteSpace: false,
  nanValue: 'NaN',
  positiveInf: 'Inf',
  negativeInf: '-Inf',
  emptyValue: null,
  lineSep: null,
  encoding: 'UTF-8',
  schema: null,
  dateFormat: null,
  timestampFormat: null,
};

test('the panel shows the options used under Spark names and gives them back', () => {
  const form = formOf(used);
  assert.equal(form.sep, ';');
  assert.equal(form.nullValue, 'NA,N/A,null,NULL');
  assert.equal(form.quote, '"');
  assert.equal(form.comment, '');
  assert.equal(form.schema, '');
  const back = optionsOf(form);
  assert.deepEqual(back, {
    delimiter: ';', header: true, inferSchema: true, nullValues: ['', 'NA', 'N/A', 'null', 'NULL'], nanValue: 'NaN',
    positiveInf: 'Inf', negativeInf: '-Inf', emptyValue: null, lineSep: null, comment: null, quoting: true, quote: '"', escape: '"', multiLine: true, mode: 'PERMISSIVE', ignoreLeadingWhiteSpace: false,
    ignoreTrailingWhiteSpace: false, encoding: 'UTF-8', schema: null, dateFormat: null, timestampFormat: null,
  });
});

test('edited fields become the reader options, with Spark conventions', () => {
  const form = { ...formOf(used), sep: '\\t', comment: '#', quote: '', escape: '\\', nullValue: ' -, n/a ', schema: ' id INT, name STRING ', encoding: '', dateFormat: ' dd/MM/yyyy ' };
  const options = optionsOf(form);
  assert.equal(options.delimiter, '\t');
  assert.equal(options.comment, '#');
  assert.equal(options.quoting, false);
  assert.equal(optionsOf({ ...form, multiLine: false }).multiLine, false);
  assert.equal(options.escape, '\\');
  assert.deepEqual(options.nullValues, ['', '-', 'n/a']);
  assert.equal(options.schema, 'id INT, name STRING');
  assert.equal(options.encoding, 'UTF-8');
  assert.equal(options.dateFormat, 'dd/MM/yyyy');
  assert.equal(options.timestampFormat, null);
  assert.equal(formOf({ ...used, delimiter: '\t' }).sep, '\\t');
  assert.throws(() => optionsOf({ ...form, sep: ';;' }), /sep must be one character/);
  assert.throws(() => optionsOf({ ...form, comment: '//' }), /comment must be one character/);
});

test('lineSep, emptyValue and the infinities go back and forth as Spark writes them', () => {
  const form = { ...formOf(used), lineSep: '|', emptyValue: 'EMPTY', positiveInf: '∞', negativeInf: '-∞' };
  const options = optionsOf(form);
  assert.equal(options.lineSep, '|');
  assert.equal(options.emptyValue, 'EMPTY');
  assert.equal(options.positiveInf, '∞');
  assert.equal(options.negativeInf, '-∞');
  assert.equal(optionsOf({ ...form, lineSep: '\\r\\n' }).lineSep, '\r\n');
  assert.equal(optionsOf({ ...form, lineSep: '\\n' }).lineSep, '\n');
  assert.equal(optionsOf({ ...form, lineSep: '' }).lineSep, null);
  assert.equal(optionsOf({ ...form, emptyValue: '' }).emptyValue, null);
  assert.throws(() => optionsOf({ ...form, lineSep: '||' }), /lineSep must be one character/);
  assert.equal(formOf({ ...used, lineSep: '\r\n' }).lineSep, '\\r\\n');
  const spark = sparkOptionsOf({ ...used, lineSep: '\n', emptyValue: 'EMPTY' });
  assert.equal(spark.lineSep, '\\n');
  assert.equal(spark.emptyValue, 'EMPTY');
  assert.equal(spark.positiveInf, 'Inf');
  assert.equal(sparkOptionsOf(used).lineSep, undefined);
});

test('a run records the options as spark.read.options takes them', () => {
  const spark = sparkOptionsOf({ ...used, comment: '#', schema: 'a INT', dateFormat: 'dd/MM/yyyy' });
  assert.equal(spark.dateFormat, 'dd/MM/yyyy');
  assert.equal(spark.timestampFormat, undefined);
  assert.equal(spark.sep, ';');
  assert.equal(spark.header, 'true');
  assert.equal(spark.comment, '#');
  assert.equal(spark.multiLine, 'true');
  assert.equal(sparkOptionsOf({ ...used, multiLine: false }).multiLine, 'false');
  assert.equal(spark.schema, 'a INT');
  assert.equal(sparkOptionsOf(used).comment, undefined);
});

test('a JSON file read with lineSep records it as Spark writes it', () => {
  assert.equal(sparkJsonOptionsOf({ ...JSON_OPTIONS_DEFAULTS, lineSep: '\r\n' }).lineSep, '\\r\\n');
  assert.equal(sparkJsonOptionsOf({ ...JSON_OPTIONS_DEFAULTS, lineSep: '||' }).lineSep, '||');
  assert.equal(sparkJsonOptionsOf(JSON_OPTIONS_DEFAULTS).lineSep, undefined);
});

test('samplingRatio: read from the panel, recorded only when not 1', () => {
  assert.equal(samplingRatioOf(''), 1);
  assert.equal(samplingRatioOf(' 0.25 '), 0.25);
  // Spark's own check (above 0) is the engine's, with Spark's words.
  assert.equal(samplingRatioOf('0'), 0);
  assert.throws(() => samplingRatioOf('a tenth'), /samplingRatio must be a number/);
  assert.equal(sparkJsonOptionsOf({ ...JSON_OPTIONS_DEFAULTS, samplingRatio: 0.1 }).samplingRatio, '0.1');
  assert.equal(sparkJsonOptionsOf(JSON_OPTIONS_DEFAULTS).samplingRatio, undefined);
  // A table read before the option existed records none.
  const { samplingRatio: _, ...older } = JSON_OPTIONS_DEFAULTS;
  assert.equal(sparkJsonOptionsOf(older as typeof JSON_OPTIONS_DEFAULTS).samplingRatio, undefined);
});
