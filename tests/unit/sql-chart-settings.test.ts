import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ChartData } from '../../www/src/contract/ChartData';
import { chartNotes, chartTitle, defaultChart, reconcile } from '../../www/src/sql/shared/chart-settings';

const telecom = [
  { name: 'customer_id', dataType: 'int' },
  { name: 'signup_date', dataType: 'date' },
  { name: 'region', dataType: 'string' },
  { name: 'monthly_spend', dataType: 'double' },
];

test('the first chart follows the result types', () => {
  assert.deepEqual(defaultChart(telecom), { kind: 'bar', x: 'region', y: ['customer_id'], aggregation: 'sum' });
  assert.deepEqual(defaultChart(telecom.slice(0, 2)), { kind: 'line', x: 'signup_date', y: ['customer_id'], aggregation: 'sum' });
  assert.deepEqual(defaultChart([telecom[0], telecom[3]]), { kind: 'scatter', x: 'customer_id', y: ['monthly_spend'], aggregation: 'none' });
  assert.deepEqual(defaultChart([telecom[2]]), { kind: 'bar', x: 'region', y: [], aggregation: 'count' });
  assert.deepEqual(defaultChart([{ name: 'd', dataType: 'decimal(10,2)' }, { name: 's', dataType: 'string' }]), {
    kind: 'bar', x: 's', y: ['d'], aggregation: 'sum',
  });
  assert.equal(defaultChart([]), undefined);
});

test('remembered settings are kept while their columns are there', () => {
  const saved = { kind: 'pie' as const, x: 'region', y: ['monthly_spend'], series: 'signup_date', aggregation: 'avg' as const };
  assert.deepEqual(reconcile(saved, telecom), saved);
  assert.deepEqual(reconcile(saved, telecom.slice(0, 3)), defaultChart(telecom.slice(0, 3)));
  assert.deepEqual(reconcile(undefined, telecom), defaultChart(telecom));
});

test('a chart says what it left out', () => {
  const data: ChartData = {
    kind: 'bar', aggregation: 'sum', x: 'id', xKind: 'category', labels: [], datasets: [{ label: 'sum(v)', y: 'sum(v)', values: [] }],
    xShown: 100, xTotal: 5000, picked: 'largest', seriesShown: 10, seriesTotal: 12, leftOut: 0,
  };
  assert.equal(chartTitle(data), 'sum(v) by id');
  assert.deepEqual(chartNotes(data, (n) => n.toLocaleString('en-US')), [
    'Showing 100 of 5,000 id values: the ones with the largest sum(v).',
    'Showing 10 of 12 series: the largest.',
  ]);
  const rows = { ...data, aggregation: 'none' as const, picked: 'evenlySpaced' as const, seriesShown: 0, seriesTotal: 0 };
  assert.deepEqual(chartNotes(rows, String), ['Showing 100 of 5000 rows, evenly spaced.']);
  const histogram = { ...data, kind: 'histogram' as const, xShown: 20, xTotal: 20, seriesShown: 0, seriesTotal: 0, leftOut: 1 };
  assert.equal(chartTitle(histogram), 'Histogram of id');
  assert.deepEqual(chartNotes(histogram, String), ['1 NULL or non-finite value is not binned.']);
});
