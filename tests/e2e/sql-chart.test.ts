/**
 * Charts of a SQL result: the Chart view beside the grid, its settings, the values the
 * engine computed for it (read from the chart's data table and checked against pandas'
 * answers in tests/fixtures/chart/expected.json, made by make_chart_fixtures.py), what a
 * chart says it left out, a refused Y, the PNG download, and the settings restored when
 * the same query runs again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { FIXTURES, foreignRequests, openApp, runSql, shownTable, useApp } from './harness';

const app = useApp();

interface Expected {
  labels: string[];
  datasets: { label: string; values: (number | null)[] }[];
}

/** pandas' answer for the fixture case named `name`. */
function pandas(name: string): Expected {
  const cases = JSON.parse(readFileSync(path.join(FIXTURES, 'chart/expected.json'), 'utf8')) as { name: string; expected: Expected }[];
  const found = cases.find((c) => c.name === name);
  assert.ok(found, `no fixture case ${name}`);
  return found.expected;
}

/** Waits for the chart to be computed (or refused) after the last change of settings. */
async function chartSettled(page: Page): Promise<string> {
  const panel = page.locator('[data-testid="sql-chart-panel"]:is([data-state="ready"], [data-state="error"])');
  await panel.waitFor({ timeout: 60_000 });
  return (await panel.getAttribute('data-state')) ?? '';
}

/** The chart's data table: its header and, per row, the X label and each exact value. */
async function chartData(page: Page): Promise<Expected> {
  return page.getByTestId('sql-chart-data').evaluate((table) => ({
    labels: [...table.querySelectorAll('tbody th')].map((th) => th.textContent ?? ''),
    datasets: [...table.querySelectorAll('thead th')].slice(1).map((th, column) => ({
      label: th.textContent ?? '',
      values: [...table.querySelectorAll('tbody tr')].map((row) => {
        const text = row.querySelectorAll('td')[column]?.getAttribute('data-value') ?? '';
        return text === '' ? null : Number(text);
      }),
    })),
  }));
}

function assertClose(ours: Expected, theirs: Expected): void {
  assert.deepEqual(ours.labels, theirs.labels);
  assert.deepEqual(ours.datasets.map((d) => d.label), theirs.datasets.map((d) => d.label));
  ours.datasets.forEach((d, i) =>
    d.values.forEach((v, j) => {
      const expected = theirs.datasets[i].values[j];
      if (v === null || expected === null) assert.equal(v, expected, `${d.label}[${j}]`);
      else assert.ok(Math.abs(v - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${d.label}[${j}]: ${v} vs ${expected}`);
    }),
  );
}

/** Sets the chart's settings as a user would, one control after another. */
async function setChart(page: Page, spec: { kind: string; x: string; y: string[]; series?: string; aggregation: string }): Promise<void> {
  await page.getByTestId('chart-kind').selectOption(spec.kind);
  await page.getByTestId('chart-x').selectOption(spec.x);
  const boxes = page.locator('[data-testid="chart-y"] input[type="checkbox"]');
  for (const box of await boxes.all()) {
    if (await box.isDisabled()) continue; // a histogram has no Y
    const want = spec.y.includes((await box.getAttribute('value')) ?? '');
    if ((await box.isChecked()) !== want) await box.setChecked(want);
  }
  await page.getByTestId('chart-series').selectOption(spec.series ?? '');
  const aggregation = page.getByTestId('chart-aggregation');
  if (await aggregation.isEnabled()) await aggregation.selectOption(spec.aggregation);
}

describe('charts of a SQL result', () => {
  it('draws what the engine aggregated, refuses a text Y, saves a PNG and remembers the settings', async () => {
    const { page, errors, requests } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    const sql = 'SELECT * FROM telecom';
    await runSql(page, sql);
    await page.getByTestId('sql-view-chart').click();
    assert.equal(await chartSettled(page), 'ready');
    // The defaults the types suggest: the first text column along X, the first number summed.
    assert.equal(await page.getByTestId('chart-x').inputValue(), 'region');
    assert.equal(await page.getByTestId('chart-aggregation').inputValue(), 'sum');
    assert.equal(await page.locator('[data-testid="sql-output"] .grid-body').isVisible(), false);

    await setChart(page, { kind: 'bar', x: 'region', y: ['monthly_spend'], aggregation: 'avg' });
    assert.equal(await chartSettled(page), 'ready');
    // NULL regions are a bar of their own, labelled `null`, first as Spark orders them.
    assertClose(await chartData(page), pandas('bar: avg spend by region (NULL region first)'));
    assert.equal(await page.locator('[data-testid="sql-chart"] canvas').count(), 1);

    await setChart(page, { kind: 'bar', x: 'plan', y: ['income', 'monthly_spend'], series: 'region', aggregation: 'sum' });
    assert.equal(await chartSettled(page), 'ready');
    assertClose(await chartData(page), pandas('bar: sums of two Ys by plan, a series per region'));
    const legend = (await page.getByTestId('sql-chart').getAttribute('data-legend')) ?? '';
    assert.equal(legend.split(' | ').length, 12);

    // A Y of text cannot be summed: the panel says which column and why.
    await setChart(page, { kind: 'bar', x: 'region', y: ['plan'], aggregation: 'sum' });
    assert.equal(await chartSettled(page), 'error');
    assert.match((await page.getByTestId('sql-chart-error').textContent()) ?? '', /Y must be numeric, and `plan` is a string/);

    // Dates along X in time order, 1,000 of them kept evenly spaced, and the chart says so.
    await setChart(page, { kind: 'line', x: 'signup_date', y: [], aggregation: 'count' });
    assert.equal(await chartSettled(page), 'ready');
    assertClose(await chartData(page), pandas('line: rows per signup date (time order, 1,000 evenly spaced dates)'));
    assert.match((await page.getByTestId('sql-chart-notes').textContent()) ?? '', /Showing 1,000 of 2,698 signup_date values, evenly spaced\./);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sql-chart-png').click()]);
    const png = readFileSync(await download.path());
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.length > 2_000, `a PNG of ${png.length} bytes`);
    assert.equal(download.suggestedFilename().endsWith('-chart.png'), true);

    // Another query opens on its table, with its own default chart.
    await runSql(page, 'SELECT customer_id, monthly_spend FROM telecom');
    assert.equal(await page.getByTestId('sql-view-table').getAttribute('aria-selected'), 'true');
    await page.getByTestId('sql-view-chart').click();
    assert.equal(await chartSettled(page), 'ready');
    assert.equal(await page.getByTestId('chart-kind').inputValue(), 'scatter');
    assert.match((await page.getByTestId('sql-chart-notes').textContent()) ?? '', /Showing 2,000 of 5,000 rows, evenly spaced\./);

    // The first query again: its chart is back as it was left, with the same values.
    await runSql(page, sql);
    assert.equal(await page.getByTestId('sql-view-chart').getAttribute('aria-selected'), 'true');
    assert.equal(await chartSettled(page), 'ready');
    assert.equal(await page.getByTestId('chart-kind').inputValue(), 'line');
    assert.equal(await page.getByTestId('chart-x').inputValue(), 'signup_date');
    assert.equal(await page.getByTestId('chart-aggregation').inputValue(), 'count');
    assertClose(await chartData(page), pandas('line: rows per signup date (time order, 1,000 evenly spaced dates)'));

    assert.deepEqual(foreignRequests(requests, new URL(app.server.url).origin), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('bins a histogram in the engine, a series per value, as pandas does', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await runSql(page, 'SELECT support_tickets, churned FROM telecom');
    await page.getByTestId('sql-view-chart').click();
    await chartSettled(page);
    await setChart(page, { kind: 'histogram', x: 'support_tickets', y: [], series: 'churned', aggregation: 'count' });
    assert.equal(await chartSettled(page), 'ready');
    assert.equal(await page.getByTestId('chart-aggregation').isDisabled(), true);
    assertClose(await chartData(page), pandas('histogram: support tickets per integer, a series per churned'));
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
