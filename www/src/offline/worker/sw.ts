/**
 * Brasa's service worker: the page keeps working offline after its first load, and a
 * static host that cannot set headers still gets cross-origin isolation (threads).
 *
 * - Install: every file of the build (the list is written into this script at build
 *   time, so a new build is a new service worker) goes into a cache named after it.
 * - Fetch: same-origin GET requests are answered from that cache, else from the network;
 *   either way the response gets the isolation headers and the Content-Security-Policy
 *   (the coi-serviceworker pattern), which the page needs for `crossOriginIsolated`.
 * - Activate: caches of older builds are deleted and open pages are taken over.
 */
import { CONTENT_SECURITY_POLICY, ISOLATION_HEADERS } from '../shared/isolation';

interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}

interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

interface ServiceWorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}

/** The build's files, relative to the scope; replaced by the build (vite.config.ts). */
declare const __BRASA_PRECACHE__: string[];

const worker = self as unknown as ServiceWorkerScope;
const files = __BRASA_PRECACHE__;
const cacheName = `brasa-${hash(files.join('\n'))}`;
const scope = worker.registration.scope;

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      await cache.addAll(['./', ...files].map((file) => new URL(file, scope).href));
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith('brasa-') && n !== cacheName).map((n) => caches.delete(n)));
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  const sameOrigin = new URL(request.url).origin === location.origin;
  if (request.method !== 'GET' || !sameOrigin) return;
  // A Chromium quirk: such requests fail unless they are same-origin mode.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(respond(request));
});

async function respond(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  // A page is the app shell whatever its query string (`?threads=2`).
  const cached =
    request.mode === 'navigate'
      ? await cache.match(new URL('./', scope).href)
      : // Module scripts are requested with an Origin header; the cached copies were not
        // (the server may answer `Vary: Origin`).
        await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  return withIsolation(cached ?? (await fetch(request)));
}

/**
 * The response with the isolation headers and the policy added. A response that has them
 * already (the host sent them) is returned as it is: a rebuilt response is a new body to
 * the browser, which then cannot reuse the engine's compiled code on the next visit.
 */
function withIsolation(response: Response): Response {
  if (response.status === 0) return response; // opaque: its headers cannot be changed
  const complete = Object.entries(ISOLATION_HEADERS).every(([name, value]) => response.headers.get(name) === value);
  if (complete && response.headers.has('Content-Security-Policy')) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  if (!headers.has('Content-Security-Policy')) headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** A short stable hash (FNV-1a) naming the cache of this build. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
