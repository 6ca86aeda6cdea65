/**
 * Getting files into the page: drop them anywhere on the window, or pick them with the
 * "Open files" or "Open folder" buttons. A dropped or picked folder is one input (its
 * files become one table, as `spark.read.parquet(folder)`); every file and folder is
 * handed to `onFiles`; nothing is uploaded.
 */
import type { DroppedFolder } from '../../engine/shared/api';
import { h } from '../../ui/dom';
import type { LoadInput } from './loads';

/** What the file picker offers (the formats `data/shared/formats.ts` reads). */
const ACCEPT = [
  '.csv,.tsv,.txt,.dat,text/csv',
  '.json,.jsonl,.ndjson,application/json',
  '.parquet,.pq,.parq',
  '.arrow,.arrows,.feather,.ftr,.ipc',
  '.xlsx,.xlsm,.xlsb,.xls,.ods',
  '.gz,.zst,.zstd,.bz2',
  '.zip,application/zip',
].join(',');

export class DropZone {
  readonly button: HTMLElement;
  readonly overlay: HTMLElement;
  private depth = 0;

  constructor(
    private readonly onFiles: (files: LoadInput[]) => void,
    private readonly onUnreadable: (error: unknown) => void,
  ) {
    const input = h('input', {
      attrs: { type: 'file', multiple: '', accept: ACCEPT, 'data-testid': 'file-input', hidden: '' },
      on: {
        change: () => {
          this.onFiles([...(input.files ?? [])]);
          input.value = '';
        },
      },
    });
    const folderInput = h('input', {
      attrs: { type: 'file', webkitdirectory: '', 'data-testid': 'folder-input', hidden: '' },
      on: {
        change: () => {
          this.onFiles(pickedFolders([...(folderInput.files ?? [])]));
          folderInput.value = '';
        },
      },
    });
    this.button = h(
      'div',
      { className: 'open-files' },
      h('button', { className: 'primary', attrs: { type: 'button' }, on: { click: () => input.click() } }, 'Open files…'),
      h('button', { className: 'secondary', attrs: { type: 'button', title: 'A folder of Parquet files, Hive-partitioned (year=2024/…) or not, as one table' }, on: { click: () => folderInput.click() } }, 'Open folder…'),
      input,
      folderInput,
      h('p', { className: 'hint' }, 'or drop CSV, JSON, Parquet or Arrow files (compressed too), or a folder of Parquet, CSV or JSON files (or its zip), anywhere; several files of one format can be one table'),
    );
    this.overlay = h(
      'div',
      { className: 'drop-overlay', attrs: { 'aria-hidden': 'true' } },
      h('div', {}, 'Drop CSV, JSON, Parquet or Arrow files to load them'),
    );
    window.addEventListener('dragenter', (event) => this.onDragEnter(event));
    window.addEventListener('dragover', (event) => {
      if (hasFiles(event)) event.preventDefault();
    });
    window.addEventListener('dragleave', () => this.onDragLeave());
    window.addEventListener('drop', (event) => this.onDrop(event));
  }

  private onDragEnter(event: DragEvent): void {
    if (!hasFiles(event)) return;
    event.preventDefault();
    this.depth++;
    this.overlay.classList.add('visible');
  }

  private onDragLeave(): void {
    this.depth = Math.max(0, this.depth - 1);
    if (this.depth === 0) this.overlay.classList.remove('visible');
  }

  private onDrop(event: DragEvent): void {
    this.depth = 0;
    this.overlay.classList.remove('visible');
    // Entries must be taken while the event runs; the folders are read afterwards.
    const dropped = [...(event.dataTransfer?.items ?? [])]
      .filter((item) => item.kind === 'file')
      .map((item) => ({ entry: item.webkitGetAsEntry(), file: item.getAsFile() }));
    if (dropped.length === 0) return;
    event.preventDefault();
    void Promise.all(
      dropped.map(async ({ entry, file }): Promise<LoadInput | undefined> =>
        entry?.isDirectory ? readFolder(entry as FileSystemDirectoryEntry) : (file ?? undefined),
      ),
    ).then((inputs) => this.onFiles(inputs.filter((i): i is LoadInput => i !== undefined)), this.onUnreadable);
  }
}

/** The files a folder picker gave (each knows its path), as one input per top folder. */
function pickedFolders(files: File[]): DroppedFolder[] {
  const folders = new Map<string, DroppedFolder>();
  for (const file of files) {
    const path = file.webkitRelativePath || file.name;
    const name = path.split('/')[0];
    const folder = folders.get(name) ?? { name, files: [] };
    folder.files.push({ path, file });
    folders.set(name, folder);
  }
  return [...folders.values()];
}

/** Every file under a dropped folder, with its path from the folder's own name down. */
async function readFolder(root: FileSystemDirectoryEntry): Promise<DroppedFolder> {
  const files: DroppedFolder['files'] = [];
  const visit = async (dir: FileSystemDirectoryEntry, prefix: string): Promise<void> => {
    const reader = dir.createReader();
    for (;;) {
      // readEntries gives a batch at a time (100 in Chromium) until it gives none.
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) return;
      for (const entry of batch) {
        const path = `${prefix}/${entry.name}`;
        if (entry.isDirectory) await visit(entry as FileSystemDirectoryEntry, path);
        else {
          const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
          files.push({ path, file });
        }
      }
    }
  };
  await visit(root, root.name);
  return { name: root.name, files };
}

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}
