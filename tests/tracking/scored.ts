/**
 * Reading and comparing scored rows in the model tests: the engine's CSV output (plain
 * cells, no quoted commas) as records, and predictions equal to a reference's within
 * 1e-9 relative (NULL only where the reference has NULL).
 */
import assert from 'node:assert/strict';

/** CSV text with a header line as one record per row, cells as text. */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trim().split('\n');
  const names = header.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], v])));
}

/** Each value within 1e-9 relative of the expected one (absolute below 1). */
export function assertClose(actual: (number | null)[], expected: (number | null)[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (a === null || e === null) return assert.equal(a, e, `${what}: row ${i}`);
    assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${what}: row ${i}: ${a} vs ${e}`);
  });
}
