/**
 * Rows for the grid, fetched from the engine in fixed blocks as Arrow IPC (already
 * formatted as text by the engine) and kept in a small LRU cache, so scrolling a table of
 * millions of rows only ever holds a few hundred rows in the page.
 */
import { tableFromIPC } from 'apache-arrow';

export type FetchRows = (offset: number, count: number) => Promise<Uint8Array>;

/** One cell as text; `null` is a SQL NULL. */
export type Cell = string | null;

export const BLOCK_ROWS = 256;
const MAX_BLOCKS = 64;

export class RowWindows {
  private blocks = new Map<number, Promise<Cell[][]>>();

  constructor(
    private readonly fetchRows: FetchRows,
    readonly rowCount: number,
  ) {}

  /** The row if its block is loaded, else `undefined` (and the block is requested). */
  peek(row: number, onLoaded: () => void): Cell[] | undefined {
    const block = Math.floor(row / BLOCK_ROWS);
    const cached = this.loaded.get(block);
    if (cached) {
      this.touch(block);
      return cached[row - block * BLOCK_ROWS];
    }
    void this.load(block).then(onLoaded, onLoaded);
    return undefined;
  }

  private loaded = new Map<number, Cell[][]>();

  private load(block: number): Promise<Cell[][]> {
    let pending = this.blocks.get(block);
    if (!pending) {
      const offset = block * BLOCK_ROWS;
      pending = this.fetchRows(offset, Math.min(BLOCK_ROWS, this.rowCount - offset)).then((ipc) => {
        const rows = decodeRows(ipc);
        this.loaded.set(block, rows);
        this.evict();
        return rows;
      });
      pending.catch(() => this.blocks.delete(block));
      this.blocks.set(block, pending);
    }
    return pending;
  }

  private touch(block: number): void {
    const rows = this.loaded.get(block);
    if (!rows) return;
    this.loaded.delete(block);
    this.loaded.set(block, rows);
  }

  private evict(): void {
    while (this.loaded.size > MAX_BLOCKS) {
      const oldest = this.loaded.keys().next().value as number;
      this.loaded.delete(oldest);
      this.blocks.delete(oldest);
    }
  }
}

/** Rows of an IPC stream whose columns are all text. */
export function decodeRows(ipc: Uint8Array): Cell[][] {
  const table = tableFromIPC(ipc);
  const columns = table.schema.fields.map((_, c) => table.getChildAt(c));
  const rows: Cell[][] = [];
  for (let r = 0; r < table.numRows; r++) {
    rows.push(columns.map((column) => (column?.get(r) as string | null | undefined) ?? null));
  }
  return rows;
}
