/** The header's engine status: which build runs, on how many threads, and its memory. */
import type { EngineStatus } from '../engine/shared/api';
import type { ServiceWorkerState } from '../offline/client/service-worker';
import { h, replaceChildren } from '../ui/dom';
import { formatBytes } from '../ui/format';

export class StatusBar {
  /** What the service worker did for isolation, when it ran. */
  serviceWorker?: ServiceWorkerState;

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
    const byWorker = status.crossOriginIsolated && this.serviceWorker?.isolatedByServiceWorker;
    const isolation = status.crossOriginIsolated
      ? `cross-origin isolated${byWorker ? ' by the service worker' : ''}`
      : 'not cross-origin isolated';
    const problem = this.serviceWorker?.problem;
    replaceChildren(
      this.element,
      h('span', { className: `badge badge-${status.flavour}` }, status.flavour === 'threads' ? 'threads build' : 'single-thread build'),
      h('span', { attrs: { 'data-testid': 'thread-count' } }, threads),
      h('span', { attrs: { 'data-testid': 'isolation' } }, isolation),
      h('span', {
        attrs: {
          'data-testid': 'engine-memory',
          'data-in-use': String(status.memoryInUseBytes),
          'data-limit': String(status.memoryLimitBytes),
          title:
            `The engine holds ${formatBytes(status.memoryInUseBytes)} (tables, results, jobs) and may use up to ` +
            `${formatBytes(status.memoryLimitBytes)}; its WebAssembly memory has grown to ${formatBytes(status.memoryBytes)}. ` +
            'Work that would not fit is refused with a message.',
        },
      }, `memory ${formatBytes(status.memoryInUseBytes)} of ${formatBytes(status.memoryLimitBytes)}`),
      status.fallbackReason &&
        h('span', { className: 'fallback-reason', attrs: { 'data-testid': 'fallback-reason' } },
          `(${status.fallbackReason}${problem ? `; ${problem}` : ''})`),
    );
  }

  /**
   * The engine's rehearsal before the first file is over (`App.warmUp`): its engine time,
   * as a tooltip and for tests.
   */
  warmedUp(spentMs: number): void {
    this.element.dataset.warmUpMs = spentMs.toFixed(0);
    this.element.title = `The engine rehearsed a load, a profile and queries on generated rows in ${spentMs.toFixed(0)} ms, so the browser compiled its code before your first file.`;
  }

  /** The page is reloading so the service worker can make it cross-origin isolated. */
  reloading(): void {
    replaceChildren(this.element, 'Reloading with cross-origin isolation (for threads)…');
  }

  failed(message: string): void {
    this.element.dataset.state = 'failed';
    replaceChildren(this.element, h('span', { className: 'badge badge-error' }, 'engine failed'), message);
  }
}
