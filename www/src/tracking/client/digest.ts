/**
 * A dataset's content digest is `EngineClient.tableDigest`: SHA-256 (hex) of the table as
 * the engine writes it to CSV (header, then every row in order, Spark's text forms). The
 * same rows, columns and values give the same digest whichever file or format they were
 * loaded from; any changed cell, row order or column name changes it. The recorder asks
 * for it after the training (never before, so a long job starts at once).
 */

/** What people see: the first 8 hex digits, as MLflow shows dataset digests. */
export function shortDigest(digest: string): string {
  return digest ? digest.slice(0, 8) : 'unknown';
}
