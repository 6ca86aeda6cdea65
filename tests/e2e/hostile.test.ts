/**
 * The hostile-input corpus (tests/hostile/manifest.json) in the page: every malformed
 * file is dropped, every query typed in the SQL editor, every training job set up in the
 * Train tab, one after another in one page. Each must show its error (code and message
 * words, with where) or its documented result; the engine must never restart, the
 * tables loaded before must survive, and a query must still run at the end.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { ROOT, dropFiles, gridRows, openApp, runSql, schemaRows, shownTable, sqlRows, useApp } from './harness';

const HOSTILE = path.join(ROOT, 'tests/hostile');

type Generate =
  | { kind: 'wideCsv'; columns: number }
  | { kind: 'longLine'; bytes: number }
  | { kind: 'bigCell'; bytes: number }
  | { kind: 'gzipBomb'; bytes: number }
  | { kind: 'chain'; prefix: string; item: string; separator: string; count: number; suffix: string }
  | { kind: 'nest'; prefix: string; open: string; middle: string; close: string; count: number; suffix: string };

interface Entry {
  id: string;
  kind: 'csv' | 'parquet' | 'json' | 'arrow' | 'excel' | 'folder' | 'sql' | 'train';
  what: string;
  file?: string;
  generate?: Generate;
  options?: Record<string, unknown>;
  setup?: string;
  sql?: string;
  prepare?: string;
  spec?: TrainSpec;
  pageOnly?: boolean;
  expect: Expect;
}

interface TrainSpec {
  features: string[];
  label: string;
  handleInvalid?: string;
  grid?: { param: string; values: unknown[] }[];
  tuning?: { kind: string; numFolds?: number };
}

interface Expect {
  error?: string;
  message?: string;
  row?: number;
  column?: string;
  position?: [number, number];
  rows?: number;
  columns?: number;
  names?: string[];
  types?: string[];
  firstRow?: (string | null)[];
  warning?: string;
  /** A dependency panics on this input: the page restarts the engine (see README). */
  upstreamPanic?: string;
  /** What an `upstreamPanic` input gives when a corrupt column that fails cleanly is decoded first. */
  orError?: string;
  coefficients?: number[];
  intercept?: number;
}

const manifest: Entry[] = JSON.parse(readFileSync(path.join(HOSTILE, 'manifest.json'), 'utf8'));

const app = useApp();

/** Text of a generated query (as crate/tests/hostile.rs makes it). */
function generatedText(g: Generate): string {
  if (g.kind === 'chain') return `${g.prefix}${Array(g.count).fill(g.item).join(g.separator)}${g.suffix}`;
  if (g.kind === 'nest') return `${g.prefix}${g.open.repeat(g.count)}${g.middle}${g.close.repeat(g.count)}${g.suffix}`;
  throw new Error(`${g.kind} does not make text`);
}

/** Builds a generated file inside the page (1 GB never crosses from Node) and drops it. */
async function dropGenerated(page: Page, name: string, g: Generate): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    async ({ name, g }) => {
      // (No named helpers here: the test runner's transpiler would wrap them in `__name`,
      // which does not exist in the page.)
      let parts: BlobPart[];
      if (g.kind === 'wideCsv') {
        const header = Array.from({ length: g.columns }, (_, i) => `c${i}`).join(',');
        parts = [`${header}\n${Array(g.columns).fill('1').join(',')}\n`];
      } else if (g.kind === 'longLine') {
        const block = new Uint8Array(1 << 20).fill(0x78);
        parts = Array.from({ length: Math.ceil(g.bytes / block.length) }, () => block);
      } else if (g.kind === 'bigCell') {
        parts = ['id,text\n1,', new Uint8Array(g.bytes).fill(0x79), '\n2,short\n'];
      } else if (g.kind === 'gzipBomb') {
        // As crate/tests/hostile.rs makes it: a gzipped header `x`, then gzip members of
        // 64 MB of line breaks each (about 64 KB apiece).
        const member = 64 << 20;
        const header = await new Response(new Blob(['x\n']).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
        const breaks = await new Response(new Blob([new Uint8Array(member).fill(0x0a)]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
        parts = [header, ...Array.from({ length: Math.ceil(g.bytes / member) }, () => breaks)];
      } else {
        throw new Error(`cannot drop ${g.kind}`);
      }
      const transfer = new DataTransfer();
      transfer.items.add(new File(parts, name));
      return transfer;
    },
    { name, g },
  );
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}

/** Waits for the error notice of a load; returns its text. */
async function loadError(page: Page, fileName: string): Promise<string> {
  const notice = page.getByRole('alert').filter({ hasText: `Could not load ${fileName}` });
  await notice.waitFor({ timeout: 120_000 });
  return (await notice.textContent()) ?? '';
}

function checkError(text: string, expect: Expect, what: string): void {
  assert.ok(text.includes(expect.error!), `${what}: no ${expect.error} in "${text}"`);
  if (expect.message) assert.ok(text.includes(expect.message), `${what}: no "${expect.message}" in "${text}"`);
  if (expect.row !== undefined) assert.match(text, new RegExp(`row ${expect.row.toLocaleString('en-US')}\\b`), what);
  if (expect.column) assert.ok(text.includes(`column ${expect.column}`), `${what}: no column ${expect.column} in "${text}"`);
  if (expect.position) assert.ok(text.includes(`line ${expect.position[0]}, column ${expect.position[1]}`), `${what}: position in "${text}"`);
  assert.ok(!text.includes('INTERNAL'), what);
}

async function checkTable(page: Page, table: string, expect: Expect, what: string): Promise<void> {
  const facts = await shownTable(page, table);
  if (expect.rows !== undefined) assert.equal(facts['row-count'], expect.rows.toLocaleString('en-US'), what);
  if (expect.columns !== undefined) {
    assert.equal(facts['column-count'], expect.columns.toLocaleString('en-US'), what);
    // The grid shows the first 200 columns (GRID_COLUMNS) and says so.
    if (expect.columns > 200) await page.getByTestId('grid-more-columns').waitFor();
  }
  if (expect.names || expect.types) {
    const schema = await schemaRows(page);
    if (expect.names) assert.deepEqual(schema.map((r) => r[0]), expect.names, what);
    if (expect.types) assert.deepEqual(schema.map((r) => r[1]), expect.types, what);
  }
  if (expect.firstRow && expect.rows !== 0) {
    const [first] = await gridRows(page, 1);
    assert.deepEqual(first.slice(1), expect.firstRow.map((v) => v ?? 'null'), what);
  }
  if (expect.warning) {
    const warnings = (await page.getByTestId('load-warnings').textContent()) ?? '';
    assert.ok(warnings.includes(expect.warning), `${what}: no "${expect.warning}" in "${warnings}"`);
  }
}

/** Loads a file entry and checks what the page shows; says whether the engine was restarted. */
async function loadEntry(page: Page, entry: Entry): Promise<boolean> {
  // A workbook keeps its own extension (.xlsx, or .zip for the archive that is not one).
  const extension =
    entry.kind === 'excel' ? path.extname(entry.file!).slice(1) : ({ parquet: 'parquet', json: 'json', arrow: 'arrow', folder: 'zip' }[entry.kind as string] ?? 'csv');
  const fileName = `${entry.id}.${extension}`;
  // Earlier restarts left their notices: this one's is the next after them.
  const reloadedNotices = page.getByRole('status').filter({ hasText: 'The engine was restarted' }).filter({ hasText: /Reloaded/ });
  const restartsBefore = await reloadedNotices.count();
  if (entry.generate) await dropGenerated(page, fileName, entry.generate);
  else await dropFiles(page, [{ name: fileName, path: path.join(HOSTILE, entry.file!) }]);
  if (entry.expect.upstreamPanic) {
    const text = await loadError(page, fileName);
    if (!text.includes(entry.expect.error!)) {
      checkError(text, { error: entry.expect.orError }, entry.id);
      return false;
    }
    checkError(text, entry.expect, entry.id);
    // The engine was restarted: wait until the other tables are back.
    await reloadedNotices.nth(restartsBefore).waitFor({ timeout: 120_000 });
    return true;
  }
  if (entry.expect.error) checkError(await loadError(page, fileName), entry.expect, entry.id);
  else await checkTable(page, entry.id.replaceAll('-', '_'), entry.expect, entry.id);
  return false;
}

async function sqlEntry(page: Page, entry: Entry): Promise<void> {
  if (entry.setup) {
    await runSql(page, entry.setup);
    assert.equal(await page.getByTestId('sql-error').count(), 0, `${entry.id}: setup failed`);
  }
  await runSql(page, entry.sql ?? generatedText(entry.generate!));
  if (entry.expect.error) {
    checkError((await page.getByTestId('sql-error').textContent()) ?? '', entry.expect, entry.id);
    return;
  }
  const count = (await page.getByTestId('sql-row-count').textContent()) ?? '';
  if (entry.expect.rows !== undefined) {
    assert.equal(count, `${entry.expect.rows.toLocaleString('en-US')} ${entry.expect.rows === 1 ? 'row' : 'rows'}`, entry.id);
  }
  if (entry.expect.firstRow) {
    const [first] = await sqlRows(page);
    assert.deepEqual(first.slice(1), entry.expect.firstRow.map((v) => v ?? 'null'), entry.id);
  }
}

/** Options of a select, by value. */
async function optionValues(page: Page, testId: string): Promise<string[]> {
  return page.getByTestId(testId).locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
}

async function trainEntry(page: Page, entry: Entry): Promise<void> {
  const spec = entry.spec!;
  const fileName = `${entry.id}.csv`;
  await dropFiles(page, [{ name: fileName, path: path.join(HOSTILE, entry.file!) }]);
  let table = entry.id.replaceAll('-', '_');
  await shownTable(page, table);
  if (entry.prepare) {
    await runSql(page, `CREATE OR REPLACE TEMP VIEW data AS SELECT * FROM ${table}; CREATE TABLE ${table}_prepared AS ${entry.prepare}`);
    table = `${table}_prepared`;
    await page.locator(`[data-table="${table}"]`).waitFor();
  }
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-table').selectOption(table);
  // The Train tab offers numeric columns only: a text or missing column cannot be picked.
  const labels = await optionValues(page, 'train-label');
  const missing = [spec.label, ...spec.features].filter((c) => !labels.includes(c));
  if (missing.length > 0) {
    assert.equal(entry.expect.error, 'ML_INPUT', `${entry.id}: ${missing.join(', ')} not offered`);
    return;
  }
  await page.getByTestId('train-label').selectOption(spec.label);
  const boxes = page.getByTestId('train-features').locator('input[type=checkbox]');
  for (const box of await boxes.all()) {
    const name = await box.getAttribute('value');
    await box.setChecked(spec.features.includes(name ?? ''));
  }
  await page.getByTestId('train-handle-invalid').selectOption(spec.handleInvalid ?? 'error');
  const axis = (param: string) => (spec.grid ?? []).find((a) => a.param === param)?.values.join(', ') ?? '';
  await page.getByTestId('train-reg-params').fill(axis('regParam'));
  await page.getByTestId('train-elastic-net-params').fill(axis('elasticNetParam'));
  await page.getByTestId('train-num-folds').fill(String(spec.tuning?.numFolds ?? 3));
  await page.getByTestId('train-run').click();
  // The button is disabled while the job runs; the outcome replaces the status then.
  await page.locator('[data-testid="train-run"]:not([disabled])').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="train-error"], [data-testid="train-summary"]').first().waitFor({ timeout: 60_000 });
  if (entry.expect.error) {
    checkError((await page.getByTestId('train-error').textContent()) ?? '', entry.expect, entry.id);
    return;
  }
  const rows = await page.$$eval('[data-testid="train-coefficients"] tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
  const values = rows.map((r) => Number(r[1]));
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  if (entry.expect.coefficients) {
    entry.expect.coefficients.forEach((c, j) => assert.ok(close(values[j], c), `${entry.id}: coefficient ${j} ${values[j]}`));
  }
  if (entry.expect.intercept !== undefined) {
    assert.ok(close(values[values.length - 1], entry.expect.intercept), `${entry.id}: intercept ${values.at(-1)}`);
  }
}

describe('hostile inputs in the page', () => {
  it('explains every bad file, query and training job, and the engine survives them all', async () => {
    const { page, errors } = await openApp(app.browser, app.server.url, '?threads=2');
    await shownTable(page, 'telecom');
    await dropFiles(page, [{ name: 't.csv', path: path.join(HOSTILE, 'sql/t.csv') }]);
    await shownTable(page, 't');
    // CSV options (mode, header) have no control in the page: those entries run at the
    // engine layer only (crate/tests/hostile.rs).
    const inPage = manifest.filter((e) => !e.options);
    assert.ok(inPage.length >= 75, `${inPage.length} entries run in the page`);
    // Only the inputs a dependency panics on may restart the engine.
    let restarts = 0;
    for (const entry of inPage) {
      await page.getByTestId('tab-table').click();
      if (['csv', 'parquet', 'json', 'arrow', 'excel', 'folder'].includes(entry.kind)) {
        if (await loadEntry(page, entry)) restarts++;
      } else if (entry.kind === 'sql') await sqlEntry(page, entry);
      else await trainEntry(page, entry);
      const notices = await page.getByRole('status').filter({ hasText: 'The engine was restarted' }).filter({ hasText: /Reloaded/ }).count();
      assert.equal(notices, restarts, `${entry.id} restarted the engine`);
    }
    // Nothing was lost, and the engine still answers.
    await runSql(page, 'SELECT count(*) AS n FROM telecom JOIN t ON telecom.customer_id - 99999 = t.id');
    assert.equal(await page.getByTestId('sql-row-count').textContent(), '1 row');
    assert.equal(await page.getByTestId('engine-status').getAttribute('data-flavour'), 'threads');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    // An input the `parquet` crate panics on (in its own code or in an arrow-buffer kernel
    // it calls) logs the panic and the wasm trap before the page restarts the engine (when
    // its columns decode in the order that panics): those messages are expected then, and
    // nothing else is.
    const expected = (error: string) => restarts > 0 && (/^panicked at .*\/(parquet|arrow-buffer)-[\d.]+\//.test(error) || error === 'unreachable');
    assert.deepEqual(errors.filter((error) => !expected(error)), []);
    await page.context().close();
  });
});
