/**
 * Entry point. Query parameters (for benchmarks and tests):
 * `?threads=N` pool size, `?single-thread` the fallback build, `?sample=0` no sample,
 * `?test-hooks` exposes `window.brasaTestHooks` (crash the engine on purpose), `?warm-up=N`
 * the rows of the engine's rehearsal before the first file (0: none; to measure it).
 *
 * The service worker is set up before the engine starts: on a host without isolation
 * headers it reloads the page once, and the engine only starts in the page that stays.
 * On an isolated page the engine starts first, and the worker registers (for offline
 * use) once the sample is on screen.
 */
import './styles.css';

import { fetchSample } from './app/sample';
import { EngineClient } from './engine/client/engine-client';
import type { CrashKind } from './engine/shared/api';
import { registerForOffline, setUpServiceWorker } from './offline/client/service-worker';

/**
 * Rows of the engine's rehearsal once the page is ready (`App.warmUp`): a few megabytes of
 * CSV, enough for the browser to compile the hot code optimised, and short enough not to
 * hold up a file dropped at once (BENCHMARKS.md, "The first run of a session").
 */
const WARM_UP_ROWS = 20_000;

const params = new URLSearchParams(location.search);
const threads = Number(params.get('threads')) || undefined;
const engine = new EngineClient({ threads, singleThread: params.has('single-thread') });
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
// The sample downloads while the engine compiles.
const sample =
  params.get('sample') === '0' ? undefined : fetchSample(new URL(`${import.meta.env.BASE_URL}sample/telecom.csv`, document.baseURI).href);
sample?.catch(() => {}); // the app reports a failure when it loads the sample
if (params.has('test-hooks')) {
  (window as unknown as { brasaTestHooks: unknown }).brasaTestHooks = {
    crash: (kind: CrashKind) => engine.crashForTest(kind),
  };
}
// An isolated page cannot be reloaded by the service worker, so the engine starts at
// once, compiling while the rest of the page (a separate chunk) downloads and renders.
if (self.crossOriginIsolated) engine.start().catch(() => {}); // the app reports a failure
const serviceWorker = setUpServiceWorker();
const { App } = await import('./app/app');
void new App(root, engine).start({ sample, serviceWorker, registerForOffline, warmUpRows: Number(params.get('warm-up') ?? WARM_UP_ROWS) });
