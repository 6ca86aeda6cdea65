/**
 * A dataset's content digest: SHA-256 (hex) of the table as the engine writes it to CSV
 * (header, then every row in order, Spark's text forms). The same rows, columns and
 * values give the same digest whichever file or format they were loaded from; any
 * changed cell, row order or column name changes it. It costs one CSV export of the
 * table, done after the training (never before, so a long job starts at once).
 */
import type { EngineClient } from '../../engine/client/engine-client';

export async function tableDigest(engine: EngineClient, table: string): Promise<string> {
  const csv = await engine.exportTable(table, 'csv');
  return sha256Hex(csv);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What people see: the first 8 hex digits, as MLflow shows dataset digests. */
export function shortDigest(digest: string): string {
  return digest ? digest.slice(0, 8) : 'unknown';
}
