/**
 * Registers the service worker (built pages only): it caches the app for offline use and
 * adds the isolation headers a static host may not send. On such a host the page loads
 * once without isolation; once the worker controls it, it reloads, and the reloaded page
 * is cross-origin isolated, so the threads build runs (the coi-serviceworker pattern). It
 * reloads at most once per tab: if isolation still fails, the single-thread build runs
 * and the status bar says why.
 */

/** Where the built service worker is, relative to the page (its scope is the app). */
const SERVICE_WORKER_URL = './sw.js';
/** Set in this tab's session storage before the reload that asks for isolation. */
const RELOADED_FOR_ISOLATION = 'brasa-reloaded-for-isolation';
/**
 * How long the first visit waits for the worker to cache the app and take control before
 * giving up on isolation for this visit (the next visit will have it).
 */
const CONTROL_TIMEOUT_MS = 10_000;

export interface ServiceWorkerState {
  /** The page is isolated thanks to the service worker (the host sent no headers). */
  isolatedByServiceWorker: boolean;
  /** Why the service worker could not help, when it could not. */
  problem?: string;
}

/**
 * Sets up the service worker; resolves to `reloading` when the page is about to reload.
 *
 * A page the host (or an earlier reload) already isolates needs the worker only for
 * offline use, so it is not registered here: `registerForOffline` does it once the page
 * is interactive, and caching both engine builds then does not compete with starting one.
 */
export async function setUpServiceWorker(): Promise<ServiceWorkerState | 'reloading'> {
  if (!import.meta.env.PROD) return { isolatedByServiceWorker: false };
  const reloaded = sessionStorage.getItem(RELOADED_FOR_ISOLATION) !== null;
  if (self.crossOriginIsolated) return { isolatedByServiceWorker: reloaded };
  const problem = await register();
  if (problem) return { isolatedByServiceWorker: false, problem };
  if (reloaded) {
    return { isolatedByServiceWorker: false, problem: 'reloading under the service worker did not isolate the page' };
  }
  if (!(await controlled(CONTROL_TIMEOUT_MS))) {
    return { isolatedByServiceWorker: false, problem: 'the service worker did not take over the page in time' };
  }
  sessionStorage.setItem(RELOADED_FOR_ISOLATION, '1');
  location.reload();
  return 'reloading';
}

/**
 * Registers the worker that caches the app for offline use (built pages only); resolves
 * to why it could not, if it could not. Registering again is a no-op for the browser.
 */
export async function registerForOffline(): Promise<string | undefined> {
  if (!import.meta.env.PROD) return undefined;
  return register();
}

async function register(): Promise<string | undefined> {
  if (!('serviceWorker' in navigator)) return 'service workers are not available (not a secure context?)';
  try {
    await navigator.serviceWorker.register(SERVICE_WORKER_URL, { type: 'module' });
    return undefined;
  } catch (error) {
    return `the service worker did not register (${String(error)})`;
  }
}

/** Whether a service worker controls the page within `timeoutMs`. */
function controlled(timeoutMs: number): Promise<boolean> {
  if (navigator.serviceWorker.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    navigator.serviceWorker.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}
