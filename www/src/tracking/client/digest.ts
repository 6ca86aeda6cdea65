/**
 * A dataset's content digest: SHA-256 (hex) of the table as the engine writes it to CSV
 * (header, then every row in order, Spark's text forms). The same rows, columns and
 * values give the same digest whichever file or format they were loaded from; any
 * changed cell, row order or column name changes it. The engine formats and hashes the
 * text a few partitions at a time (never the whole file in memory, nothing copied to the
 * page), after the training (never before, so a long job starts at once).
 */
import type { EngineClient } from '../../engine/client/engine-client';

export async function tableDigest(engine: EngineClient, table: string): Promise<string> {
  return engine.tableDigest(table);
}

/** What people see: the first 8 hex digits, as MLflow shows dataset digests. */
export function shortDigest(digest: string): string {
  return digest ? digest.slice(0, 8) : 'unknown';
}
