/**
 * What end-to-end tests of tracked trainings share: sample files to predict on, and the
 * Runs tab's rows, details and actions.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Locator, Page } from 'playwright-core';

import { ROOT } from './harness';

export const SAMPLE = path.join(ROOT, 'www/public/sample/telecom.csv');

/** A temp copy of the first `rows` sample rows, with columns changed by `edit`. */
export function sampleSubset(name: string, rows: number, edit: (header: string[], cells: string[][]) => [string[], string[][]] = (h, c) => [h, c]): string {
  const [head, ...lines] = readFileSync(SAMPLE, 'utf8').trim().split('\n');
  const [header, cells] = edit(head.split(','), lines.slice(500, 500 + rows).map((l) => l.split(',')));
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'brasa-e2e-')), name);
  writeFileSync(file, [header.join(','), ...cells.map((c) => c.join(','))].join('\n') + '\n');
  return file;
}

/** The runs table's rows as {id, status, name}. */
export async function runRows(page: Page): Promise<{ id: string; status: string; name: string }[]> {
  return page.$$eval('[data-testid="run-row"]', (rows) =>
    rows.map((r) => ({ id: r.getAttribute('data-run-id') ?? '', status: r.getAttribute('data-status') ?? '', name: r.querySelector('[data-testid="run-open"]')?.textContent ?? '' })));
}

/** Waits until the runs table lists `runId` as FINISHED (its results, children included, are stored). */
export async function finishedRow(page: Page, runId: string): Promise<void> {
  await page.locator(`[data-testid="run-row"][data-run-id="${runId}"][data-status="FINISHED"]`).waitFor({ timeout: 30_000 });
}

export async function openRun(page: Page, runId: string): Promise<Locator> {
  await page.getByTestId('tab-runs').click();
  await page.locator(`[data-testid="run-row"][data-run-id="${runId}"] [data-testid="run-open"]`).click();
  const details = page.locator(`[data-testid="run-details"][data-run-id="${runId}"]`);
  await details.waitFor();
  return details;
}

/** Clicks a run action and waits until the run is shown again with its outcome. */
export async function runAction(details: Locator, testId: string): Promise<void> {
  await details.getByTestId(testId).click();
  await details.page().locator('[data-testid="run-details"]:not([data-busy])').waitFor();
}

export async function keyValues(table: Locator): Promise<Record<string, string>> {
  return table.evaluate((t) => Object.fromEntries([...t.querySelectorAll('tr')].map((r) => [r.getAttribute('data-key') ?? '', r.querySelectorAll('td')[1]?.textContent ?? ''])));
}

export async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await file.path())!);
}

/**
 * Registers the model of the run whose details are open as `name` (version 1), then
 * gives that version `alias` in the Models tab; returns the registered model's entry.
 */
export async function registerWithAlias(page: Page, details: Locator, name: string, alias = 'champion'): Promise<Locator> {
  await details.getByTestId('register-name').fill(name);
  await runAction(details, 'register-model');
  await page.getByTestId('run-message').filter({ hasText: `Registered ${name} version 1` }).waitFor();
  await page.getByTestId('tab-models').click();
  const model = page.locator(`[data-model="${name}"]`);
  await model.getByTestId('alias-name').fill(alias);
  await model.getByTestId('alias-set').click();
  await model.locator(`[data-alias="${alias}"]`).waitFor();
  return model;
}

/**
 * Loads `file` in Predict and scores it with the model at `uri` (the Models tab open);
 * fails with the page's message if scoring failed, else returns the summary.
 */
export async function predictFile(page: Page, file: string, uri: string, handleInvalid?: 'keep' | 'skip'): Promise<Locator> {
  const table = path.basename(file, '.csv');
  await page.getByTestId('deploy-file').setInputFiles(file);
  await page.getByTestId('deploy-status').filter({ hasText: `as ${table}` }).waitFor({ timeout: 60_000 });
  await page.getByTestId('deploy-model').fill(uri);
  if (handleInvalid) await page.getByTestId('deploy-handle-invalid').selectOption(handleInvalid);
  await page.getByTestId('deploy-run').click();
  await page.locator('[data-testid="deploy-summary"], [data-testid="deploy-error"]').first().waitFor({ timeout: 60_000 });
  const error = page.getByTestId('deploy-error');
  if (await error.count()) throw new Error(`scoring failed: ${await error.textContent()}`);
  return page.getByTestId('deploy-summary');
}
