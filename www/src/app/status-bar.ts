/** The header's engine status: which build runs, on how many threads, and its memory. */
import type { EngineStatus } from '../engine/shared/api';
import { h, replaceChildren } from '../ui/dom';
import { formatBytes } from '../ui/format';

export class StatusBar {
  readonly element = h('div', {
    className: 'engine-status',
    attrs: { 'data-testid': 'engine-status', 'data-state': 'starting', role: 'status' },
  });

  constructor() {
    replaceChildren(this.element, 'Starting the engine…');
  }

  show(status: EngineStatus): void {
    this.element.dataset.state = 'ready';
    this.element.dataset.flavour = status.flavour;
    this.element.dataset.threads = String(status.threads);
    this.element.dataset.isolated = String(status.crossOriginIsolated);
    const threads = `${status.threads} ${status.threads === 1 ? 'thread' : 'threads'}`;
    const isolation = status.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated';
    replaceChildren(
      this.element,
      h('span', { className: `badge badge-${status.flavour}` }, status.flavour === 'threads' ? 'threads build' : 'single-thread build'),
      h('span', { attrs: { 'data-testid': 'thread-count' } }, threads),
      h('span', { attrs: { 'data-testid': 'isolation' } }, isolation),
      h('span', { attrs: { title: 'WebAssembly memory in use / the most it can grow to' } },
        `memory ${formatBytes(status.memoryBytes)} / ${formatBytes(status.memoryLimitBytes)}`),
      status.fallbackReason && h('span', { className: 'fallback-reason' }, `(${status.fallbackReason})`),
    );
  }

  failed(message: string): void {
    this.element.dataset.state = 'failed';
    replaceChildren(this.element, h('span', { className: 'badge badge-error' }, 'engine failed'), message);
  }
}
