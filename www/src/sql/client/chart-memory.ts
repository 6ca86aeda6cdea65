/**
 * Chart settings remembered per query: running the same SQL text again shows the chart
 * as it was left (its settings, and whether the chart or the table was on screen).
 *
 * A UI preference, like the active experiment (`tracking/client/experiments-bar.ts`), so
 * it lives in `localStorage`, not in the tracking store's IndexedDB: it is small, read
 * synchronously when a result is shown, and losing it loses nothing but a view. The
 * newest {@link KEPT} queries are kept; the text is keyed by a hash, not stored.
 */
import type { ChartSpec } from '../../contract/ChartSpec';

const STORAGE_KEY = 'brasa.sql.charts';
/** Queries whose chart settings are kept (the least recently used go first). */
const KEPT = 100;

export interface RememberedChart {
  spec: ChartSpec;
  /** Whether the chart (not the table) was shown. */
  open: boolean;
}

interface Entry extends RememberedChart {
  usedAt: number;
}

/** The settings last used for `sql`, if any. */
export function recallChart(sql: string): RememberedChart | undefined {
  const entry = read()[queryKey(sql)];
  return entry ? { spec: entry.spec, open: entry.open } : undefined;
}

/** Remembers `chart` for `sql`, forgetting the least recently used past {@link KEPT}. */
export function rememberChart(sql: string, chart: RememberedChart): void {
  const all = read();
  all[queryKey(sql)] = { ...chart, usedAt: Date.now() };
  const keys = Object.keys(all).sort((a, b) => all[b].usedAt - all[a].usedAt);
  for (const key of keys.slice(KEPT)) delete all[key];
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(all));
  } catch {
    // Storage full or disabled (private windows): the chart works, it is just not kept.
  }
}

function read(): Record<string, Entry> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, Entry>) : {};
  } catch {
    return {};
  }
}

/**
 * The query's key: a 53-bit hash (cyrb53) of its text without surrounding whitespace, so
 * the same query typed again is found and a long query is not copied into storage.
 */
function queryKey(sql: string): string {
  const text = sql.trim();
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
