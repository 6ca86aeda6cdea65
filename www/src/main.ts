/**
 * Entry point. Query parameters (for benchmarks and tests):
 * `?threads=N` pool size, `?single-thread` the fallback build, `?sample=0` no sample,
 * `?test-hooks` exposes `window.brasaTestHooks` (crash the engine on purpose).
 *
 * The service worker is set up before the engine starts: on a host without isolation
 * headers it reloads the page once, and the engine only starts in the page that stays.
 */
import './styles.css';

import { App } from './app/app';
import { EngineClient } from './engine/client/engine-client';
import type { CrashKind } from './engine/shared/api';
import { setUpServiceWorker } from './offline/client/service-worker';

const params = new URLSearchParams(location.search);
const threads = Number(params.get('threads')) || undefined;
const engine = new EngineClient({ threads, singleThread: params.has('single-thread') });
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
const sampleUrl =
  params.get('sample') === '0' ? undefined : new URL(`${import.meta.env.BASE_URL}sample/telecom.csv`, document.baseURI).href;
if (params.has('test-hooks')) {
  (window as unknown as { brasaTestHooks: unknown }).brasaTestHooks = {
    crash: (kind: CrashKind) => engine.crashForTest(kind),
  };
}
void new App(root, engine).start({ sampleUrl, serviceWorker: setUpServiceWorker() });
