/**
 * Loading files into the engine with progress, cancel and clear messages, and reloading
 * them if the engine has to be restarted (the page keeps the `File`s it was given; the
 * engine's memory does not survive a restart).
 */
import type { EngineClient } from '../../engine/client/engine-client';
import type { DroppedFolder, ExcelOptions, LoadOptions, LoadProgress, LoadedTable } from '../../engine/shared/api';
import { CANCELLED, ENGINE_CRASHED, errorPlace, isCodedError } from '../../engine/shared/errors';
import type { Notices } from '../../ui/notices';
import { JobProgress } from '../../ui/progress';
import { formatBytes, formatCount } from '../../ui/format';

/** What a table is read from: a file, or a folder of files read as one table. */
export type LoadInput = File | DroppedFolder;

interface Source {
  file: LoadInput;
  options: LoadOptions;
}

function isFolder(input: LoadInput): input is DroppedFolder {
  return !(input instanceof File);
}

export class Loads {
  /** Where each loaded table came from, by table name. */
  private readonly sources = new Map<string, Source>();
  /** SQL statements that changed the catalog (views, `CREATE TABLE ... AS`), in order. */
  private readonly statements: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: EngineClient,
    private readonly notices: Notices,
    private readonly jobs: HTMLElement,
    private readonly onLoaded: (table: LoadedTable) => void,
  ) {}

  /** Loads files and folders one after another (each load already uses every thread). */
  load(files: LoadInput[], options: LoadOptions = {}): Promise<void> {
    const run = async () => {
      for (const file of files) await this.loadOne(file, options);
    };
    const next = this.queue.then(run, run);
    this.queue = next;
    return next;
  }

  /**
   * Reads the workbook table `name` was loaded from again with other options (another
   * sheet, a header row or none), into the same table (the one shown is replaced; if
   * reading fails it stays as it was).
   */
  reloadWorkbook(name: string, patch: Partial<ExcelOptions>): Promise<void> {
    const source = this.sources.get(name);
    if (!source) return Promise.resolve();
    const options: LoadOptions = { ...source.options, name, excel: { ...source.options.excel, ...patch }, replace: true };
    const run = async () => {
      await this.loadOne(source.file, options);
    };
    const next = this.queue.then(run, run);
    this.queue = next;
    return next;
  }

  /**
   * Reads the file table `name` was loaded from again with other reader options (`csv`
   * or `json`), into the same table. Resolves to the error's lines (the message, where,
   * the code) when it could not: the file is no longer at hand, cannot be read any more,
   * or the options do not fit it; the table is then left as it was.
   */
  reloadWith(name: string, patch: Pick<LoadOptions, 'csv' | 'json'>): Promise<string[] | undefined> {
    const source = this.sources.get(name);
    if (!source) {
      return Promise.resolve([`The file ${name} was read from is not at hand any more (the page was reloaded, or the table was replaced by SQL): drop the file again to read it with other options.`]);
    }
    const file = source.file;
    const options: LoadOptions = { ...source.options, ...patch, name, replace: true };
    const run = async (): Promise<string[] | undefined> => {
      try {
        await this.run(file, options);
        return undefined;
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name === 'NotReadableError') {
          return [`${file.name} cannot be read any more: it was moved, changed or deleted since it was dropped. Drop it again.`];
        }
        return explain(error);
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next;
    return next;
  }

  forget(name: string): void {
    this.sources.delete(name);
  }

  /** Remembers a statement that changed the catalog, to replay after a restart. */
  rememberStatement(sql: string): void {
    this.statements.push(sql);
  }

  /**
   * Loads every remembered file again under its table name, then replays the catalog
   * statements; returns what could not be restored.
   */
  async reloadAll(): Promise<string[]> {
    const sources = [...this.sources.entries()];
    this.sources.clear();
    const failed: string[] = [];
    for (const [name, source] of sources) {
      const table = await this.loadOne(source.file, { ...source.options, name });
      if (!table) failed.push(name);
    }
    for (const sql of this.statements) {
      try {
        await this.engine.runSql(sql, () => {}).done;
      } catch {
        failed.push(`the statement "${sql.slice(0, 40)}…"`);
      }
    }
    return failed;
  }

  /** Loads a file with progress and cancel, and remembers where the table came from. */
  private async run(file: LoadInput, options: LoadOptions): Promise<LoadedTable> {
    let cancel = () => {};
    const progress = new JobProgress(`Loading ${file.name}`, () => cancel());
    this.jobs.append(progress.element);
    try {
      const onProgress = (p: LoadProgress) => progress.update(fraction(p), describe(p));
      const job = isFolder(file) ? this.engine.loadFolder(file, options, onProgress) : this.engine.loadFile(file, options, onProgress);
      cancel = job.cancel;
      const table = await job.done;
      this.sources.set(table.name, { file, options: { ...options, name: table.name } });
      this.onLoaded(table);
      if (progress.cancelRequested) {
        this.notices.show(
          'info',
          `Loading ${file.name} finished before the cancel reached it, so ${table.name} is loaded. ` +
            'Drop it with the × beside its name if you do not want it.',
        );
      }
      return table;
    } finally {
      progress.element.remove();
    }
  }

  private async loadOne(file: LoadInput, options: LoadOptions): Promise<LoadedTable | undefined> {
    try {
      return await this.run(file, options);
    } catch (error) {
      if (isCodedError(error) && error.code === CANCELLED) {
        this.notices.show('info', `Loading ${file.name} was cancelled.`);
      } else if (isCodedError(error) && error.code === ENGINE_CRASHED) {
        this.notices.show('error', `Could not load ${file.name}`, [
          'The engine crashed while reading this file, so the file is probably corrupt (or uses ' +
            'something its reader cannot handle). The engine was restarted and your other tables reloaded.',
          ...explain(error),
        ]);
      } else {
        this.notices.show('error', `Could not load ${file.name}`, explain(error));
      }
      return undefined;
    }
  }
}

function fraction(p: LoadProgress): number | undefined {
  return p.bytesTotal > 0 && p.phase !== 'reading' ? p.bytesDone / p.bytesTotal : undefined;
}

function describe(p: LoadProgress): string {
  const phase = { reading: 'reading', decoding: 'decoding', finishing: 'finishing' }[p.phase];
  return `${phase}: ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}, ${formatCount(p.rows)} rows`;
}

/** An error as lines for a person: the message, then where, then the code. */
export function explain(error: unknown): string[] {
  if (!(error instanceof Error)) return [String(error)];
  const lines = [error.message];
  if (isCodedError(error)) {
    const where = errorPlace(error);
    if (where) lines.push(`Where: ${where}`);
    lines.push(`Code: ${error.code}`);
  }
  return lines;
}
