import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Plugin, defineConfig } from 'vite';

import { CONTENT_SECURITY_POLICY, ISOLATION_HEADERS, PAGE_POLICY } from './src/offline/shared/isolation';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Cross-origin isolation lets the page share memory with workers (wasm threads). Any
 * static host can serve the built `dist/` with these headers; without them the service
 * worker adds them (after one reload), and failing that the page runs the single-thread
 * build and says why.
 */
export const isolationHeaders = ISOLATION_HEADERS;

/**
 * The page talks to nothing but its own origin. `wasm-unsafe-eval` compiles the engine;
 * `blob:` workers are how the thread pool spawns its workers; inline styles (not
 * scripts) are allowed because the SQL editor (CodeMirror) sets style attributes.
 */
export const contentSecurityPolicy = CONTENT_SECURITY_POLICY;

/**
 * The same policy as a `<meta>` tag in the built page, so a static host that sets no
 * headers still enforces it (`frame-ancestors` only works as a header). The dev server's
 * hot reload injects inline scripts, so the tag is added to builds only.
 */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'brasa-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: PAGE_POLICY.join('; ') },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/** Files under `dir`, relative to it, with `/` separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/**
 * Writes the list of every file of the build (bundle and `public/`, e.g. both wasm
 * flavours and the sample) into the service worker, which caches them for offline use.
 * The list changes with every build that changes a file, and so does `sw.js`: browsers
 * then install the new worker.
 */
function precacheList(): Plugin {
  return {
    name: 'brasa-precache',
    apply: 'build',
    generateBundle(_, bundle) {
      const worker = bundle['sw.js'];
      if (worker?.type !== 'chunk') throw new Error('the service worker was not built as sw.js');
      const files = [
        ...Object.keys(bundle).filter((f) => f !== 'sw.js' && !f.endsWith('.map')),
        ...filesUnder(path.join(root, 'public')).filter((f) => !f.endsWith('.d.ts') && !f.endsWith('package.json')),
      ].sort();
      if (!worker.code.includes('__BRASA_PRECACHE__')) throw new Error('sw.js lost its precache placeholder');
      worker.code = worker.code.replaceAll('__BRASA_PRECACHE__', JSON.stringify(files));
    },
  };
}

export default defineConfig({
  root,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: { index: path.join(root, 'index.html'), sw: path.join(root, 'src/offline/worker/sw.ts') },
      output: {
        // The service worker must sit at the root of the app to control all of it.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  worker: { format: 'es' },
  plugins: [contentSecurityPolicyMeta(), precacheList()],
  // The dev server injects inline styles for hot reload, so it gets no CSP.
  server: { headers: isolationHeaders },
  preview: {
    port: 4173,
    headers: { ...isolationHeaders, 'Content-Security-Policy': contentSecurityPolicy },
  },
});
