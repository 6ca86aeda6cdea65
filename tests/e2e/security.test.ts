/**
 * Privacy and safety in the page: every request stays on the page's origin while a user
 * loads, queries, trains, scores and downloads; the Content-Security-Policy is strict
 * (header and meta tag, no inline script) and never violated; HTML and script in file
 * names, column names, cells and the messages that quote them are shown as text and
 * never run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { FIXTURES, ROOT, dropFiles, foreignRequests, loadedRows, openApp, runSql, shownTable, useApp } from './harness';

const app = useApp();

/** Every `alert`, `confirm` or `prompt` the page opens, and every CSP violation. */
async function watchForTrouble(page: Page): Promise<{ dialogs: string[]; violations: () => Promise<string[]> }> {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
  return {
    dialogs,
    violations: () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
  };
}

const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

describe('privacy and safety', () => {
  it('serves a strict CSP in the header and in the built page, with no inline script', async () => {
    const response = await fetch(app.server.url);
    const header = response.headers.get('content-security-policy') ?? '';
    const html = readFileSync(path.join(ROOT, 'www/dist/index.html'), 'utf8');
    const meta = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '').replaceAll('&#39;', "'");
    for (const policy of [header, meta]) {
      assert.match(policy, /default-src 'self'/);
      assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
      assert.match(policy, /connect-src 'self'/);
      assert.match(policy, /object-src 'none'/);
      assert.doesNotMatch(policy, /'unsafe-eval'|script-src[^;]*'unsafe-inline'|https?:|\*/);
    }
    // No inline script or handler in the page itself: every <script> has a src.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
  });

  it('makes no request outside its origin while loading, querying, training, scoring and downloading', async () => {
    const { page, requests, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    const trouble = await watchForTrouble(page);
    await shownTable(page, 'telecom');
    await dropFiles(page, [
      { name: 'types_zstd.parquet', path: path.join(FIXTURES, 'parquet/types_zstd.parquet') },
      { name: 'regression.csv', path: path.join(FIXTURES, 'ml/regression.csv') },
    ]);
    await shownTable(page, 'regression');
    await runSql(page, 'SELECT region, avg(monthly_spend) FROM telecom GROUP BY region');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-parquet').click()]);
    assert.ok((await download.path()).length > 0);
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-table').selectOption('regression');
    await page.getByTestId('train-label').selectOption('spend');
    await page.getByTestId('train-run').click();
    await page.getByTestId('train-summary').waitFor({ timeout: 60_000 });
    await page.getByTestId('predict-run').click();
    await shownTable(page, 'regression_predictions');
    await page.getByTestId('restart-engine').click();
    await page.getByText(/Reloaded telecom, types_zstd, regression/).waitFor({ timeout: 60_000 });

    const origin = new URL(app.server.url).origin;
    assert.deepEqual(foreignRequests(requests, origin), []);
    assert.ok(requests.some((r) => r.endsWith('brasa_bg.wasm')), 'the engine was fetched from the origin');
    assert.deepEqual(trouble.dialogs, []);
    assert.deepEqual(await trouble.violations(), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('shows HTML and script from names, cells and messages as text and runs none of it', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2&sample=0');
    const trouble = await watchForTrouble(page);
    const payloadName = '<img src=x onerror="window.__pwned=1;alert(1)">.csv';
    // A file whose name, header and cells are payloads.
    await dropFiles(page, [{ name: payloadName, path: path.join(ROOT, 'tests/hostile/csv/html_payloads.csv') }]);
    await page.locator('[data-testid="table-title"]').waitFor();
    const title = (await page.getByTestId('table-title').textContent()) ?? '';
    assert.match(title, /^img_src_x_onerror_window_pwned_1_alert_1/);
    assert.equal(await page.getByTestId('source').textContent(), `${payloadName} (CSV, 188 B)`);
    const schema = await page.$$eval('[data-testid="schema"] tbody td.mono', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(schema, ['<img src=x onerror="window.__pwned=1;alert(1)">', '<b>bold</b>']);
    // The grid's cells, once its rows have come from the engine.
    const cells = (await loadedRows(page, '[data-testid="table-view"]')).flat();
    assert.ok(cells.includes('<script>window.__pwned=2;alert(2)</script>'));
    assert.ok(cells.includes('<svg onload=alert(3)>'));
    assert.ok(cells.includes('javascript:alert(4)'));

    // The same payloads quoted back in a SQL result and a SQL error.
    await runSql(page, `SELECT \`<b>bold</b>\` AS \`<i onmouseover=alert(6)>x</i>\` FROM ${title}`);
    const header = (await page.locator('[data-testid="sql-output"] .grid-header').textContent()) ?? '';
    assert.ok(header.includes('<i onmouseover=alert(6)>x</i>'));
    await runSql(page, `SELECT \`<img src=y onerror=alert(7)>\` FROM ${title}`);
    assert.ok(((await page.getByTestId('sql-error').textContent()) ?? '').includes('column `<img src=y onerror=alert(7)>` does not exist'));

    // A file that fails to load, named as a payload: the error notice quotes its name.
    const badName = '<svg onload="window.__pwned=8;alert(8)">.parquet';
    await dropFiles(page, [{ name: badName, path: path.join(ROOT, 'tests/hostile/parquet/magic_only.parquet') }]);
    const notice = page.getByRole('alert').filter({ hasText: 'Could not load' });
    await notice.waitFor();
    assert.ok(((await notice.textContent()) ?? '').includes(`Could not load ${badName}`));

    // Nothing was parsed as markup, nothing ran.
    assert.equal(await page.locator('#app img, #app script:not([src]), #app svg[onload], #app iframe, #app b, #app i').count(), 0);
    assert.equal(await pwned(page), undefined);
    assert.deepEqual(trouble.dialogs, []);
    assert.deepEqual(await trouble.violations(), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
