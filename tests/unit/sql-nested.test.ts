import assert from 'node:assert/strict';
import { test } from 'node:test';

import { csvNestedNote, isNestedType } from '../../www/src/sql/shared/nested';

test('nested Spark types are recognised', () => {
  assert.ok(isNestedType('array<string>'));
  assert.ok(isNestedType('struct<a:int,b:array<double>>'));
  assert.ok(isNestedType('map<string,int>'));
  assert.ok(!isNestedType('string'));
  assert.ok(!isNestedType('timestamp'));
});

test('the CSV note names the nested columns, and is absent without them', () => {
  assert.equal(csvNestedNote([{ name: 'id', dataType: 'int' }]), undefined);
  assert.equal(
    csvNestedNote([{ name: 'id', dataType: 'int' }, { name: 'parts', dataType: 'array<string>' }]),
    'CSV writes nested values (parts) as JSON text; Parquet keeps them nested.',
  );
  const many = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, dataType: 'map<string,int>' }));
  assert.match(csvNestedNote(many) ?? '', /\(a, b, c and 2 more\)/);
});
