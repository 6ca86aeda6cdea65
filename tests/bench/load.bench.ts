/**
 * Load times in the page: the generated telecom table as CSV and Parquet, opened through
 * the file input, at 1 and 2 threads, several runs each. Prints the median engine time
 * (worker: from receiving the File to the table registered) and the median time from
 * the file input's change event to the table on screen, and the first load of a fresh
 * page on its own. Never fails on timing.
 *
 *   npx tsx tests/bench/load.bench.ts <data-dir> <rows> [runs]
 */
import { statSync } from 'node:fs';
import path from 'node:path';

import { launchBrowser, openApp, serveApp } from '../e2e/harness';
import { machine, median, writeResults } from './report';

const [dataDir, rowsArg, runsArg] = process.argv.slice(2);
if (!dataDir || !rowsArg) {
  console.error('usage: load.bench.ts <data-dir> <rows> [runs]');
  process.exit(2);
}
const rows = Number(rowsArg);
const runs = Number(runsArg ?? 5);
const files = ['csv', 'parquet'].map((format) => ({
  format,
  path: path.join(dataDir, `telecom_${rows}.${format}`),
}));

/**
 * In the page: time from the file input's `change` (the user has chosen the file; the
 * bytes are already the browser's) to the table's facts being on screen. Measured in the
 * page so that the harness's own file transfer is not counted.
 */
function startScreenClock(): void {
  const clock = { changed: 0, shown: 0 };
  (window as unknown as { __screenClock: typeof clock }).__screenClock = clock;
  window.addEventListener('change', () => (clock.changed = performance.now()), { capture: true, once: true });
  new MutationObserver((_, observer) => {
    if (clock.changed && document.querySelector('[data-testid="load-time"]')) {
      clock.shown = performance.now();
      observer.disconnect();
    }
  }).observe(document.body, { childList: true, subtree: true });
}

function readScreenClock(): number {
  const clock = (window as unknown as { __screenClock: { changed: number; shown: number } }).__screenClock;
  return clock.shown - clock.changed;
}


const server = await serveApp();
const browser = await launchBrowser();
const results: {
  format: string;
  threads: number;
  mb: number;
  firstMs: number;
  engineMs: number[];
  screenMs: number[];
}[] = [];
try {
  for (const threads of [1, 2]) {
    const { page } = await openApp(browser, server.url, `?threads=${threads}&sample=0`);
    for (const file of files) {
      const engineMs: number[] = [];
      const screenMs: number[] = [];
      let firstMs = 0;
      const table = `telecom_${rows}`;
      for (let run = 0; run < runs + 1; run++) {
        await page.evaluate(startScreenClock);
        await page.getByTestId('file-input').setInputFiles(file.path);
        const loadTime = page.locator(`[data-testid="table-title"]:text-is("${table}") ~ dl [data-testid="load-time"]`);
        await loadTime.waitFor({ timeout: 300_000 });
        const shown = await page.evaluate(readScreenClock);
        const ms = Number(await loadTime.getAttribute('data-ms'));
        if (run === 0) {
          // The first load of a page grows memory and warms caches: reported on its own.
          firstMs = ms;
        } else {
          engineMs.push(ms);
          screenMs.push(shown);
        }
        await page.getByRole('button', { name: `Drop table ${table}` }).click();
        await page.getByTestId('table-title').waitFor({ state: 'detached' });
      }
      const mb = statSync(file.path).size / 1e6;
      results.push({ format: file.format, threads, mb, firstMs, engineMs, screenMs });
      console.log(
        `${file.format.padEnd(8)} ${String(threads)} thread(s)  engine ${median(engineMs).toFixed(0)} ms ` +
          `(runs ${engineMs.map((m) => m.toFixed(0)).join(', ')}; first ${firstMs.toFixed(0)})  ` +
          `on screen ${median(screenMs).toFixed(0)} ms`,
      );
    }
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.close();
}

const lines = [
  `Load ${rows.toLocaleString('en-US')} rows in the page — ${machine()}, median of ${runs} runs after a warm-up`,
  '',
  '| file | size | threads | load (median) | first load in a fresh page | file chosen → table on screen |',
  '|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.format.toUpperCase()} | ${r.mb.toFixed(1)} MB | ${r.threads} | ${median(r.engineMs).toFixed(0)} ms | ` +
      `${r.firstMs.toFixed(0)} ms | ${median(r.screenMs).toFixed(0)} ms |`,
  ),
];
writeResults(`load_${rows}`, { machine: machine(), rows, runs, results }, lines);
