import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

/**
 * Cross-origin isolation lets the page share memory with workers (wasm threads). Any
 * static host can serve the built `dist/` with these headers; without them the page
 * falls back to the single-thread build and says so.
 */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The page talks to nothing but its own origin. `wasm-unsafe-eval` compiles the engine;
 * `blob:` workers are how the thread pool spawns its workers; inline styles (not
 * scripts) are allowed because the SQL editor (CodeMirror) sets style attributes.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  // The dev server injects inline styles for hot reload, so it gets no CSP.
  server: { headers: isolationHeaders },
  preview: {
    port: 4173,
    headers: { ...isolationHeaders, 'Content-Security-Policy': contentSecurityPolicy },
  },
});
