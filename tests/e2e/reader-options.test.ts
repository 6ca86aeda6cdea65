/**
 * The Reader options panel: a CSV that detection misreads (a `;` file with `#` comment
 * lines) is read again with Spark's `sep` and `comment` options set in the panel, in the
 * same table; a schema that does not fit the file is refused with its code and leaves
 * the table as it was. A JSON file's malformed records are read with Spark's `mode` and
 * `columnNameOfCorruptRecord` set in its panel, and with a schema and date patterns given
 * there, and JSON beyond the standard (single quotes, NaN, comments, ...) with Spark's
 * `allow*` options, and a schema inferred from Spark's sample of the records with
 * `samplingRatio` (tests/fixtures/json, Spark's answers in spark_json_expected.json).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { FIXTURES, dropFiles, gridRows, openApp, schemaRows, shownTable, useApp } from './harness';

const app = useApp();

describe('reader options', () => {
  it('reads a quoted line break as a new record with multiLine off, as Spark\'s default', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'people.csv', path: path.join(FIXTURES, 'csv/people.csv') }]);
    assert.equal((await shownTable(page, 'people'))['row-count'], '4');
    await page.getByTestId('reader-options').locator('summary').click();
    const multiLine = page.getByTestId('reader-multiLine');
    assert.equal(await multiLine.isChecked(), true);
    await multiLine.uncheck();
    await page.getByTestId('reader-reload').click();
    // Row 3's "multi / line" cell ends at its line: the rest is a record of its own.
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.textContent === '5', undefined, { timeout: 30_000 });
    const rows = await gridRows(page, 5);
    assert.deepEqual(rows[2].slice(6), ['multi']);
    assert.deepEqual(rows[3].slice(1, 3), ['line"', 'null']);
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-multiLine').isChecked(), false);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a CSV again with sep and comment set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'till.csv', path: path.join(FIXTURES, 'csv/till.csv') }]);
    await shownTable(page, 'till');
    const panel = page.getByTestId('reader-options');
    await panel.locator('summary').click();
    // The options used are shown, detection's choices included.
    assert.match(await page.getByTestId('reader-sep').inputValue(), /^.$/);
    assert.equal(await page.getByTestId('reader-comment').inputValue(), '');
    assert.equal(await page.getByTestId('reader-mode').inputValue(), 'PERMISSIVE');
    assert.equal(await page.getByTestId('reader-encoding').inputValue(), 'UTF-8');

    await page.getByTestId('reader-sep').fill(';');
    await page.getByTestId('reader-comment').fill('#');
    await page.getByTestId('reader-header').selectOption('true');
    await page.getByTestId('reader-reload').click();

    await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema"] tbody tr').length === 3, undefined, { timeout: 30_000 });
    const facts = await shownTable(page, 'till');
    assert.equal(facts['row-count'], '3');
    assert.deepEqual(await schemaRows(page), [
      ['id', 'int', 'true'],
      ['item', 'string', 'true'],
      ['amount', 'double', 'true'],
    ]);
    assert.deepEqual(await gridRows(page, 3), [
      ['1', '1', 'bread', '2.5'],
      ['2', '2', 'milk', '1.25'],
      ['3', '3', 'cheese; aged', '12.75'],
    ]);
    // One table, in place; the new panel shows the options it was read with.
    assert.deepEqual(await page.$$eval('li[data-table]', (items) => items.map((i) => i.getAttribute('data-table'))), ['till']);
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-sep').inputValue(), ';');
    assert.equal(await page.getByTestId('reader-comment').inputValue(), '#');

    // A schema with too few columns: refused with its code, the table unchanged.
    await page.getByTestId('reader-schema').fill('id INT, item STRING');
    await page.getByTestId('reader-reload').click();
    const error = page.getByTestId('reader-error');
    await error.waitFor({ timeout: 30_000 });
    const text = (await error.textContent()) ?? '';
    assert.match(text, /the schema has 2 columns but the file's first record has 3 fields/);
    assert.match(text, /CSV_SCHEMA/);
    assert.equal((await schemaRows(page)).length, 3);

    // A schema that fits: the columns take its names and types.
    await page.getByTestId('reader-schema').fill('id BIGINT, what STRING, amount DOUBLE');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="schema"] tbody tr td')?.nextElementSibling?.textContent === 'bigint', undefined, { timeout: 30_000 });
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['id', 'bigint'], ['what', 'string'], ['amount', 'double']]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads European dates with dateFormat and timestampFormat set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'euro.csv', path: path.join(FIXTURES, 'csv/options/date_format.csv') }]);
    await shownTable(page, 'euro');
    // Without the patterns, as in Spark: text.
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['id', 'int'], ['d', 'string'], ['t', 'string']]);
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-dateFormat').fill('dd/MM/yyyy');
    await page.getByTestId('reader-timestampFormat').fill('dd.MM.yyyy HH:mm');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema"] tbody tr')[1]?.children[1]?.textContent === 'date', undefined, { timeout: 30_000 });
    // Spark's answer (spark_csv_options.json, case date_format).
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['id', 'int'], ['d', 'date'], ['t', 'timestamp']]);
    assert.deepEqual(await gridRows(page, 2), [
      ['1', '1', '2024-01-31', '2024-01-31 10:30:00'],
      ['2', '2', '2024-02-29', '2024-03-01 00:00:00'],
    ]);
    // A pattern Spark cannot parse with is refused by name; the table stays.
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-dateFormat').fill('EEE dd');
    await page.getByTestId('reader-reload').click();
    const error = page.getByTestId('reader-error');
    await error.waitFor({ timeout: 30_000 });
    const text = (await error.textContent()) ?? '';
    assert.match(text, /dateFormat/);
    assert.match(text, /CSV_BAD_OPTION/);
    assert.equal((await schemaRows(page))[1][1], 'date');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads records ended by lineSep, and quoted empty fields as emptyValue, set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'bars.csv', path: path.join(FIXTURES, 'csv/options/line_sep_multi_line.csv') }]);
    await shownTable(page, 'bars');
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-lineSep').inputValue(), '');
    await page.getByTestId('reader-lineSep').fill('|');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.textContent === '5', undefined, { timeout: 30_000 });
    // Spark's answer (spark_csv_options.json, case line_sep_multi_line).
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['id', 'int'], ['text', 'string']]);
    assert.deepEqual((await gridRows(page, 2)), [['1', '1', 'a'], ['2', '2', 'b|c']]);
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-lineSep').inputValue(), '|');

    await dropFiles(page, [{ name: 'empties.csv', path: path.join(FIXTURES, 'csv/options/empty_value.csv') }]);
    await shownTable(page, 'empties');
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-emptyValue').fill('EMPTY');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema"] tbody tr')[2]?.children[1]?.textContent === 'string', undefined, { timeout: 30_000 });
    // Spark's answer (case empty_value): "" reads as EMPTY, which makes `n` a string.
    assert.deepEqual((await gridRows(page, 2)), [['1', '1', 'EMPTY', 'EMPTY'], ['2', '2', 'null', 'null']]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a JSON file again with mode and columnNameOfCorruptRecord set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'malformed.jsonl', path: path.join(FIXTURES, 'json/malformed.jsonl') }]);
    // PERMISSIVE, as Spark: every line a row, the malformed ones' text in _corrupt_record.
    assert.equal((await shownTable(page, 'malformed'))['row-count'], '7');
    assert.deepEqual((await schemaRows(page)).map((r) => r[0]), ['_corrupt_record', 'a', 'b']);
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-mode').inputValue(), 'PERMISSIVE');
    assert.equal(await page.getByTestId('reader-multiLine').inputValue(), 'auto');
    assert.equal(await page.getByTestId('reader-columnNameOfCorruptRecord').inputValue(), '_corrupt_record');

    await page.getByTestId('reader-columnNameOfCorruptRecord').fill('bad');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="schema"] tbody tr td:first-child')].some((td) => td.textContent === 'bad'), undefined, { timeout: 30_000 });
    assert.equal((await shownTable(page, 'malformed'))['row-count'], '7');
    // Fields sorted by name, as Spark sorts them.
    assert.deepEqual((await schemaRows(page)).map((r) => r[0]), ['a', 'b', 'bad']);

    // DROPMALFORMED leaves the 4 malformed records out (Spark keeps 3 rows).
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-columnNameOfCorruptRecord').inputValue(), 'bad');
    await page.getByTestId('reader-mode').selectOption('DROPMALFORMED');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema"] tbody tr').length === 2, undefined, { timeout: 30_000 });
    assert.equal((await shownTable(page, 'malformed'))['row-count'], '3');

    // FAILFAST stops at the first malformed line, with its code; the table stays.
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-mode').selectOption('FAILFAST');
    await page.getByTestId('reader-reload').click();
    const error = page.getByTestId('reader-error');
    await error.waitFor({ timeout: 30_000 });
    const text = (await error.textContent()) ?? '';
    assert.match(text, /JSON_MALFORMED/);
    assert.match(text, /line 2/);
    assert.equal((await shownTable(page, 'malformed'))['row-count'], '3');
    assert.deepEqual(await page.$$eval('li[data-table]', (items) => items.map((i) => i.getAttribute('data-table'))), ['malformed']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads JSON records ended by lineSep set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'piped.json', path: path.join(FIXTURES, 'json/line_sep.json') }]);
    await shownTable(page, 'piped');
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-lineSep').inputValue(), '');
    await page.getByTestId('reader-lineSep').fill('|');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.textContent === '6', undefined, { timeout: 30_000 });
    // Spark's answer (spark_json_expected.json, case line_sep_pipe): the `|` inside a
    // string ends its record too, so its halves are malformed.
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [
      ['_corrupt_record', 'string'], ['a', 'bigint'], ['s', 'string'], ['t', 'array<bigint>'],
    ]);
    assert.deepEqual((await gridRows(page, 3)).map((r) => r.slice(1)), [
      ['null', '1', 'x', 'null'],
      ['null', '2', 'y', 'null'],
      ['{"a": "p', 'null', 'null', 'null'],
    ]);
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-lineSep').inputValue(), '|');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('infers a JSON schema from a sample of the records with samplingRatio set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'sampled.jsonl', path: path.join(FIXTURES, 'json/sampled.jsonl') }]);
    await shownTable(page, 'sampled');
    const fields = async () => (await schemaRows(page)).map((r) => r.slice(0, 2));
    // Spark's answers (spark_json_expected.json): every record (sampled_above_one), then
    // the lines Spark's sample draws at 0.3 (sampled_third): `extra` is never drawn and
    // `n` is a double, so the record whose `n` is "zero" is malformed, its other fields kept.
    assert.deepEqual(await fields(), [
      ['_corrupt_record', 'string'], ['extra', 'boolean'], ['id', 'bigint'], ['n', 'string'], ['s', 'string'], ['t', 'string'],
    ]);
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-samplingRatio').inputValue(), '1');
    await page.getByTestId('reader-samplingRatio').fill('0.3');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="schema"] tbody tr')].some((r) => r.textContent?.startsWith('extra')), undefined, { timeout: 30_000 });
    assert.deepEqual(await fields(), [
      ['_corrupt_record', 'string'], ['id', 'bigint'], ['n', 'double'], ['s', 'string'], ['t', 'string'],
    ]);
    assert.deepEqual((await gridRows(page, 1)).map((r) => r.slice(1)), [['{"id": 0, "n": "zero", "s": "v0"}', '0', 'null', 'v0', 'null']]);
    await page.getByTestId('load-warnings').filter({ hasText: 'the schema was inferred from 13 of the 39 records (samplingRatio 0.3' }).waitFor();
    // Spark's own check: a ratio must be above 0.
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-samplingRatio').inputValue(), '0.3');
    await page.getByTestId('reader-samplingRatio').fill('0');
    await page.getByTestId('reader-reload').click();
    const failure = page.getByTestId('reader-error');
    await failure.waitFor();
    assert.match((await failure.textContent()) ?? '', /samplingRatio \(0\) should be greater than 0/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a UTF-16 JSON file by its byte-order mark, and a Latin-1 one with encoding set in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    const dir = mkdtempSync(path.join(tmpdir(), 'brasa-encoding-'));
    const text = '{"name": "Zoë", "n": 1}\n{"name": "日本", "n": 2}\n';
    const utf16 = path.join(dir, 'wide.jsonl');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await dropFiles(page, [{ name: 'wide.jsonl', path: utf16 }]);
    await shownTable(page, 'wide');
    assert.deepEqual((await gridRows(page, 2)).map((r) => r.slice(1)), [['1', 'Zoë'], ['2', '日本']]);

    const latin1 = path.join(dir, 'legacy.jsonl');
    writeFileSync(latin1, Buffer.from('{"name": "Jos\u00e9"}\n', 'latin1'));
    await dropFiles(page, [{ name: 'legacy.jsonl', path: latin1 }]);
    await shownTable(page, 'legacy');
    // Read as UTF-8 the record is not JSON text: kept in _corrupt_record, as Spark keeps it.
    assert.deepEqual((await schemaRows(page)).map((r) => r[0]), ['_corrupt_record']);
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-encoding').fill('ISO-8859-1');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="schema"] tbody tr td')?.textContent === 'name', undefined, { timeout: 30_000 });
    assert.deepEqual((await gridRows(page, 1))[0].slice(1), ['José']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads Spark\'s lenient JSON by default, and more with the allow* options ticked in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'python.jsonl', path: path.join(FIXTURES, 'json/lenient.jsonl') }]);
    await shownTable(page, 'python');
    // Spark's answer (spark_json_expected.json, case lenient_defaults): single quotes and
    // NaN / Infinity / +INF read without any option, as Spark reads them.
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['_corrupt_record', 'string'], ['a', 'string'], ['b', 'double'], ['m', 'string'], ['s', 'string']]);
    assert.equal((await shownTable(page, 'python'))['row-count'], '20');
    const rows = await gridRows(page, 9);
    assert.deepEqual([rows[0][2], rows[1][2], rows[6][4], rows[8][4]], ['it\'s', 'say "hi"', 'NaN', '+INF']);
    // Shown as Spark's show() writes them.
    assert.deepEqual([rows[2][1], rows[5][3], rows[8][3]], ['{"a": "p", "b": INF}', 'Infinity', '-Infinity']);

    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-allowSingleQuotes').isChecked(), true);
    assert.equal(await page.getByTestId('reader-allowComments').isChecked(), false);
    for (const name of ['allowUnquotedFieldNames', 'allowNumericLeadingZeros', 'allowBackslashEscapingAnyCharacter', 'allowUnquotedControlChars', 'allowComments']) {
      await page.getByTestId(`reader-${name}`).check();
    }
    await page.getByTestId('reader-reload').click();
    // Case lenient_all: `{a_1: 1, ...}` gives a column, the comment-only line no row.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema"] tbody tr').length === 6, undefined, { timeout: 30_000 });
    assert.deepEqual((await schemaRows(page)).map((r) => r[0]), ['_corrupt_record', 'a', 'a_1', 'b', 'm', 's']);
    assert.equal((await shownTable(page, 'python'))['row-count'], '19');

    // primitivesAsString: every number a string holding its text as written.
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-primitivesAsString').check();
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="schema"] tbody tr')].some((r) => r.textContent?.startsWith('bstring')), undefined, { timeout: 30_000 });
    const texts = await gridRows(page, 9);
    assert.deepEqual([texts[0][4], texts[8][4], texts[8][5]], ['1', '-INF', '+INF']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('infers decimals and timestamps from JSON with prefersDecimal and inferTimestamp ticked in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'types.jsonl', path: path.join(FIXTURES, 'json/types.jsonl') }]);
    await shownTable(page, 'types');
    const typesOf = async () => Object.fromEntries((await schemaRows(page)).map((r) => [r[0], r[1]]));
    // Spark's answers (spark_json_expected.json): types_defaults, then types_both.
    let types = await typesOf();
    assert.deepEqual([types.a, types.big, types.f, types.s, types.t], ['bigint', 'decimal(20,0)', 'double', 'string', 'string']);
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-prefersDecimal').check();
    await page.getByTestId('reader-inferTimestamp').check();
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="schema"] tbody tr')].some((r) => r.textContent?.startsWith('ttimestamp')), undefined, { timeout: 30_000 });
    types = await typesOf();
    assert.deepEqual([types.f, types.g, types.s, types.t, types.u, types.y], ['decimal(21,1)', 'decimal(4,3)', 'decimal(5,1)', 'timestamp', 'string', 'timestamp']);
    assert.equal(types.nested, 'struct<arr:array<decimal(22,2)>,d:decimal(21,1),when:timestamp>');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a JSON file with a schema, dateFormat and timestampFormat given in the panel', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'events.jsonl', path: path.join(FIXTURES, 'json/schema_formats.jsonl') }]);
    await shownTable(page, 'events');
    // Inferred, as Spark: text.
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['d', 'string'], ['ts', 'string']]);
    await page.getByTestId('reader-options').locator('summary').click();
    await page.getByTestId('reader-schema').fill('d DATE, ts TIMESTAMP, _corrupt_record STRING');
    await page.getByTestId('reader-dateFormat').fill('dd/MM/yyyy');
    await page.getByTestId('reader-timestampFormat').fill('dd.MM.yyyy HH:mm');
    await page.getByTestId('reader-reload').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="schema"] tbody tr').length === 3, undefined, { timeout: 30_000 });
    // Spark's answer (spark_json_expected.json, case schema_with_formats).
    assert.deepEqual((await schemaRows(page)).map((r) => r.slice(0, 2)), [['d', 'date'], ['ts', 'timestamp'], ['_corrupt_record', 'string']]);
    assert.equal((await shownTable(page, 'events'))['row-count'], '4');
    const rows = await gridRows(page, 4);
    assert.deepEqual(rows[0].slice(1), ['2024-01-31', '2024-01-31 10:30:00', 'null']);
    assert.deepEqual(rows[1].slice(1), ['null', 'null', '{"d": "2024-01-31", "ts": "31.01.2024 10:30:00"}']);
    assert.deepEqual(rows[3].slice(1), ['null', '2024-02-01 00:00:00', 'null']);
    await page.getByTestId('load-warnings').filter({ hasText: '2 records do not fit the schema' }).waitFor();

    // A schema that cannot be used is refused with its code; the table stays.
    await page.getByTestId('reader-options').locator('summary').click();
    assert.equal(await page.getByTestId('reader-schema').inputValue(), 'd DATE, ts TIMESTAMP, _corrupt_record STRING');
    await page.getByTestId('reader-schema').fill('d DATE, _corrupt_record INT');
    await page.getByTestId('reader-reload').click();
    const error = page.getByTestId('reader-error');
    await error.waitFor({ timeout: 30_000 });
    const text = (await error.textContent()) ?? '';
    assert.match(text, /JSON_BAD_OPTION/);
    assert.match(text, /must be a STRING/);
    assert.equal((await schemaRows(page))[1][1], 'timestamp');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
