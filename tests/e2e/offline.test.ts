/**
 * Offline: after the first visit the service worker has cached every file of the build,
 * so with the network gone the page reloads, starts the threads build, shows the sample
 * and loads a dropped file.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import { FIXTURES, dropFiles, openApp, shownTable, useApp } from './harness';

const app = useApp();

describe('offline', () => {
  it('works with no network after the first load', async () => {
    const { page, requests, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    // The worker has installed (every file cached) and controls the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
    });

    await page.context().setOffline(true);
    const before = requests.length;
    await page.reload();
    await page.locator('[data-testid="engine-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('engine-status').getAttribute('data-flavour'), 'threads');
    assert.equal((await shownTable(page, 'telecom'))['row-count'], '5,000');
    await dropFiles(page, [{ name: 'people.csv', path: path.join(FIXTURES, 'csv/people.csv') }]);
    assert.equal((await shownTable(page, 'people'))['row-count'], '4');
    // The reloaded page asked for its files again, and the worker answered.
    assert.ok(requests.length > before);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
