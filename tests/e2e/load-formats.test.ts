/**
 * JSON and Arrow files dropped on the page: JSON lines and a multiLine document read as
 * Spark reads them (tests/fixtures/json, made with PySpark), malformed records kept in
 * `_corrupt_record` with a warning, a gzipped JSON file, and Arrow IPC / Feather files
 * written by pyarrow (tests/fixtures/arrow); Feather v1 is refused with a message.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { FIXTURES, dropFiles, foreignRequests, gridRows, openApp, runSql, schemaRows, shownTable, sqlRows, useApp } from './harness';

const app = useApp();
const JSON_DIR = path.join(FIXTURES, 'json');
const ARROW_DIR = path.join(FIXTURES, 'arrow');

describe('JSON and Arrow files in the page', () => {
  it('reads JSON lines as Spark does, nested values as JSON text and payloads as text', async () => {
    const { page, requests, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'people.jsonl', path: path.join(JSON_DIR, 'people.jsonl') }]);
    const facts = await shownTable(page, 'people');
    assert.equal(facts['row-count'], '8');
    assert.match(facts.source, /^people\.jsonl \(JSON, /);
    // Spark's schema for this file (spark_json_expected.json): fields sorted by name.
    assert.deepEqual(
      (await schemaRows(page)).map(([name, type]) => `${name} ${type}`),
      [
        'Upper bigint',
        'address struct<city:string,zip:bigint>',
        'always_null string',
        'big bigint',
        'day string',
        'id bigint',
        'mixed string',
        'name string',
        'nested array<struct<k:bigint,v:string>>',
        'score double',
        'seen string',
        'tags array<string>',
        'vip boolean',
      ],
    );
    const rows = await gridRows(page, 6);
    assert.deepEqual(rows[0], [
      '1', 'null', '{"city":"Lisboa","zip":1000}', 'null', 'null', 'null', '1', 'null', 'Ana', 'null', '12.5', 'null', '["a","b"]', 'true',
    ]);
    assert.equal(rows[4][7], '{"deep": [1, 2]}');
    assert.equal(rows[5][8], '<script>alert(1)</script>');
    assert.equal(await page.locator('.grid script').count(), 0);
    assert.deepEqual(foreignRequests(requests, new URL(app.server.url).origin), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads a multiLine document, keeps malformed records in _corrupt_record, and reads .json.gz', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'array.json', path: path.join(JSON_DIR, 'array.json') }]);
    assert.equal((await shownTable(page, 'array'))['row-count'], '3');
    assert.deepEqual((await gridRows(page, 1))[0], ['1', '1', '["p","q"]', 'null', '{"x":1.5,"y":-2}']);

    await dropFiles(page, [{ name: 'malformed.jsonl', path: path.join(JSON_DIR, 'malformed.jsonl') }]);
    assert.equal((await shownTable(page, 'malformed'))['row-count'], '7');
    assert.deepEqual((await schemaRows(page)).map((r) => r[0]), ['_corrupt_record', 'a', 'b']);
    assert.deepEqual((await gridRows(page, 2))[1], ['2', '{"a": 2, "b": ', 'null', 'null']);
    const warnings = (await page.getByTestId('load-warnings').textContent()) ?? '';
    assert.match(warnings, /4 records are not JSON objects \(line 2: /);

    const packed = path.join(os.tmpdir(), 'brasa-e2e-people.jsonl.gz');
    writeFileSync(packed, gzipSync(readFileSync(path.join(JSON_DIR, 'people.jsonl'))));
    await dropFiles(page, [{ name: 'people.jsonl.gz', path: packed }]);
    const facts = await shownTable(page, 'people');
    assert.equal(facts['row-count'], '8');
    assert.match(facts.source, /^people\.jsonl\.gz \(JSON, gzip, /);
    await page.context().close();
  });

  it('reads big JSON lines while they arrive, and a field only the last line has', async () => {
    // 1,000,000 lines (40 MB): the engine surveys and decodes the first slices' lines while
    // the rest is read; a malformed line midway and a new field on the last line change the
    // schema after much was decoded, so those pieces are decoded again with Spark's schema.
    const lines: string[] = [];
    for (let i = 0; i < 1_000_000; i++) lines.push(i === 500_000 ? 'not json' : `{"id": ${i}, "name": "n${i % 97}", "x": ${i / 4}}`);
    lines.push('{"id": 1000000, "late": true}');
    const file = path.join(os.tmpdir(), 'brasa-e2e-lines.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await dropFiles(page, [{ name: 'lines.jsonl', path: file }]);
    assert.equal((await shownTable(page, 'lines'))['row-count'], '1,000,001');
    assert.deepEqual(
      (await schemaRows(page)).map(([name, type]) => `${name} ${type}`),
      ['_corrupt_record string', 'id bigint', 'late boolean', 'name string', 'x double'],
    );
    await runSql(page, 'SELECT sum(id), count(late), count(_corrupt_record), CAST(sum(x) AS BIGINT), count(DISTINCT name) FROM lines');
    // sum(id): 0..999,999 without 500,000, plus 1,000,000; sum(x) is a quarter of the first part.
    assert.deepEqual(await sqlRows(page), [['1', '500000000000', '1', '1', '124999750000', '97']]);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('reads Arrow IPC files, streams and Feather written by pyarrow, and refuses Feather v1', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    // The stream's table is `types_2`: `types` is taken by the IPC file.
    for (const [file, name] of [['types.arrow', 'types'], ['types_lz4.feather', 'types_lz4'], ['types.arrows', 'types_2']]) {
      await dropFiles(page, [{ name: file, path: path.join(ARROW_DIR, file) }]);
      const facts = await shownTable(page, name);
      assert.match(facts.source, new RegExp(`^${file.replace('.', '\\.')} \\(ARROW, `));
      assert.equal(facts['row-count'], '1,000', name);
      assert.deepEqual(
        (await schemaRows(page)).map((row) => row[1]),
        ['bigint', 'int', 'double', 'string', 'boolean', 'date', 'timestamp', 'string', 'decimal(10,2)'],
      );
      // Row 2 as pyarrow reads it (see make_parquet_fixtures.py: the same table).
      assert.deepEqual((await gridRows(page, 2))[1], [
        '2', '1', '-99', '-299.25', 'name-1-é', 'false', '2020-01-02', '2024-01-01 01:00:07.000001', 'green', '0.37',
      ]);
    }
    await dropFiles(page, [{ name: 'old.feather', path: path.join(ARROW_DIR, 'feather_v1.feather') }]);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /Feather version 1/);
    await page.context().close();
  });
});
