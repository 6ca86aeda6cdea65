/**
 * Getting files into the page: drop them anywhere on the window, or pick them with the
 * "Open files" button. Every file is handed to `onFiles`; nothing is uploaded.
 */
import { h } from '../../ui/dom';

/** What the file picker offers (the formats `data/shared/formats.ts` reads). */
const ACCEPT = [
  '.csv,.tsv,.txt,.dat,text/csv',
  '.json,.jsonl,.ndjson,application/json',
  '.parquet,.pq,.parq',
  '.arrow,.arrows,.feather,.ftr,.ipc',
  '.xlsx,.xlsm,.xlsb,.xls,.ods',
  '.gz,.zst,.zstd,.bz2',
].join(',');

export class DropZone {
  readonly button: HTMLElement;
  readonly overlay: HTMLElement;
  private depth = 0;

  constructor(private readonly onFiles: (files: File[]) => void) {
    const input = h('input', {
      attrs: { type: 'file', multiple: '', accept: ACCEPT, 'data-testid': 'file-input', hidden: '' },
      on: {
        change: () => {
          this.onFiles([...(input.files ?? [])]);
          input.value = '';
        },
      },
    });
    this.button = h(
      'div',
      { className: 'open-files' },
      h('button', { className: 'primary', attrs: { type: 'button' }, on: { click: () => input.click() } }, 'Open files…'),
      input,
      h('p', { className: 'hint' }, 'or drop CSV, JSON, Parquet or Arrow files (compressed too) anywhere'),
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
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    this.onFiles(files);
  }
}

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}
