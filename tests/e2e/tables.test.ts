/**
 * One list of tables for the whole page: loading, making a table with SQL, dropping one
 * and restarting the engine reach every tab that offers tables — the table list, Profile,
 * Clean, SQL completion, Train and Predict — at once.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { FIXTURES, openApp, runSql, shownTable, useApp } from './harness';

const app = useApp();

async function options(page: Page, testId: string): Promise<string[]> {
  return page.getByTestId(testId).locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
}

/** The table names SQL completion offers after `FROM <prefix>`. */
async function completions(page: Page, prefix: string): Promise<string[]> {
  await page.getByTestId('tab-sql').click();
  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type(`SELECT * FROM ${prefix}`);
  await page.keyboard.press('Control+Space');
  const popup = page.locator('.cm-tooltip-autocomplete');
  await popup.waitFor({ timeout: 10_000 }).catch(() => {});
  const labels = await popup.locator('.cm-completionLabel').allTextContents();
  await page.keyboard.press('Escape');
  return labels;
}

/** What every tab offers, each as a sorted list of table names. */
async function everyTab(page: Page): Promise<Record<string, string[]>> {
  const sidebar = await page.locator('.table-list li[data-table]').evaluateAll((els) => els.map((e) => e.getAttribute('data-table') ?? ''));
  await page.getByTestId('tab-models').click();
  const predict = await options(page, 'deploy-table');
  const sorted = (names: string[]) => [...names].sort();
  return {
    sidebar: sorted(sidebar),
    profile: sorted(await options(page, 'profile-table')),
    clean: sorted(await options(page, 'clean-source')),
    train: sorted(await options(page, 'train-table')),
    predict: sorted(predict),
  };
}

function assertEveryTab(tabs: Record<string, string[]>, expected: string[]): void {
  for (const [tab, names] of Object.entries(tabs)) assert.deepEqual(names, [...expected].sort(), `the ${tab} tab`);
}

describe('One table list for every tab', () => {
  it('follows loads, SQL, drops and a restart in every tab', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    await page.getByTestId('tab-models').waitFor();
    await page.getByTestId('deploy-table').waitFor({ state: 'attached', timeout: 30_000 });
    await page.getByTestId('file-input').setInputFiles([
      path.join(FIXTURES, 'clean/customers.csv'),
      path.join(FIXTURES, 'sql/orders.csv'),
    ]);
    // Two CSV files picked together: the page asks whether they are one table.
    await page.getByTestId('load-as-tables').click();
    await shownTable(page, 'orders');
    await runSql(page, 'CREATE TABLE big_orders AS SELECT * FROM orders WHERE amount > 20');
    assertEveryTab(await everyTab(page), ['customers', 'orders', 'big_orders']);
    assert.ok((await completions(page, 'big_')).includes('big_orders'), 'SQL completion offers a table made by SQL');

    // Dropping a table removes it from every tab, SQL completion included.
    await page.locator('.table-list li[data-table="orders"] .icon-button').click();
    await page.locator('.table-list li[data-table="orders"]').waitFor({ state: 'detached' });
    assertEveryTab(await everyTab(page), ['customers', 'big_orders']);
    const offered = await completions(page, 'ord');
    assert.ok(!offered.includes('orders'), `SQL completion still offers orders: ${offered.join(', ')}`);
    assert.ok((await completions(page, 'cust')).includes('customers'));

    // After a restart the engine reloads the file it still holds, and every tab follows.
    await page.getByTestId('restart-engine').click();
    await page.getByText(/Reloaded (.*, )?customers/).waitFor({ timeout: 60_000 });
    const tabs = await everyTab(page);
    assert.ok(tabs.sidebar.includes('customers'));
    for (const [tab, names] of Object.entries(tabs)) assert.deepEqual(names, tabs.sidebar, `the ${tab} tab after the restart`);
    assert.deepEqual(errors, []);
  });
});
