/**
 * A crashed engine, for real: a panic in the engine's thread, a panic on a thread-pool
 * worker while the engine waits for it (the worker is stuck; only the panic channel can
 * tell), and an uncaught error in the worker. Each time the page restarts the engine,
 * says why, reloads the files and replays the statements that made tables, and the
 * reloaded tables answer queries. The experiment runs kept in IndexedDB are untouched.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { FIXTURES, chooseTraining, dropFiles, openApp, runSql, shownTable, sqlRows, useApp } from './harness';

const app = useApp();

async function crash(page: Page, kind: 'engine' | 'pool' | 'worker'): Promise<void> {
  await page.evaluate((k) => (window as unknown as { brasaTestHooks: { crash(k: string): void } }).brasaTestHooks.crash(k), kind);
}

/** The restart notice once the reload is done. */
async function restartNotice(page: Page): Promise<string> {
  const notice = page.getByRole('status').filter({ hasText: 'The engine was restarted' }).filter({ hasText: /Reloaded|could not reload/ });
  await notice.waitFor({ timeout: 60_000 });
  return (await notice.textContent()) ?? '';
}

// A panic on the engine's thread is seen twice, by the panic hook (which names it) and by
// the failed call (a wasm trap): whichever the page hears first is the reason given.
const enginePanic = /it panicked: [\s\S]*crash requested by a test\.|it failed while working: RuntimeError: unreachable/;
const cases = [
  { kind: 'engine', query: '?threads=2&test-hooks', reason: enginePanic },
  { kind: 'pool', query: '?threads=2&test-hooks', reason: /it panicked: [\s\S]*crash requested by a test \(on a pool thread\)/ },
  { kind: 'worker', query: '?threads=2&test-hooks', reason: /the worker crashed: Uncaught Error: the engine worker failed on request/ },
  { kind: 'engine', query: '?single-thread&test-hooks', reason: enginePanic },
] as const;

describe('when the engine crashes', () => {
  for (const { kind, query, reason } of cases) {
    it(`restarts after a crash (${kind}, ${query.includes('single') ? 'single-thread' : 'threads'} build) and reloads the tables`, async () => {
      const { page } = await openApp(app.browser, app.server.url, query);
      await shownTable(page, 'telecom');
      await dropFiles(page, [{ name: 'people.csv', path: path.join(FIXTURES, 'csv/people.csv') }]);
      await shownTable(page, 'people');
      await runSql(page, 'CREATE TABLE regions AS SELECT region, count(*) AS n FROM telecom GROUP BY region');
      await page.locator('[data-table="regions"]').waitFor();

      await crash(page, kind);
      const text = await restartNotice(page);
      assert.match(text, reason);
      const reloaded = /Reloaded ([^.]*)\./.exec(text)?.[1].split(', ').sort();
      assert.deepEqual(reloaded, ['people', 'regions', 'telecom']);
      for (const table of ['telecom', 'people', 'regions']) await page.locator(`[data-table="${table}"]`).waitFor();
      // The reloaded tables answer, and the replayed CREATE TABLE has its rows back.
      await runSql(page, 'SELECT (SELECT count(*) FROM people) AS people, (SELECT sum(n) FROM regions) AS customers');
      const [row] = await sqlRows(page);
      assert.deepEqual(row.slice(1), ['4', '5000']);
      await page.context().close();
    });
  }

  it('keeps the experiment runs stored before the crash', async () => {
    const { page } = await openApp(app.browser, app.server.url, '?threads=2&test-hooks');
    await shownTable(page, 'telecom');
    await chooseTraining(page, 'telecom', 'monthly_spend', ['age', 'income', 'data_gb']);
    await page.getByTestId('train-run').click();
    await page.locator('[data-testid="train-status"][data-run-id]').waitFor({ timeout: 60_000 });
    const runId = (await page.getByTestId('train-status').getAttribute('data-run-id'))!;

    await crash(page, 'pool');
    await restartNotice(page);
    const stored = page.locator(`[data-testid="run-row"][data-run-id="${runId}"][data-status="FINISHED"]`);
    await page.getByTestId('tab-runs').click();
    await stored.waitFor();
    // Still there for the next visit, read back from IndexedDB.
    await page.reload();
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('tab-runs').click();
    await stored.waitFor();
    // The sample finishing its load afterwards leaves the user on the tab they chose.
    await page.locator('[data-table="telecom"]').waitFor();
    assert.equal(await stored.isVisible(), true);
    await page.context().close();
  });
});
