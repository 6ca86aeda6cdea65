/**
 * The headers that make the page cross-origin isolated (so wasm threads can share
 * memory) and the policy that keeps it talking only to its own origin. The preview
 * server sends them; the service worker adds them on hosts that cannot.
 */
export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The page's Content-Security-Policy, less what only a header can carry. */
export const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // wasm-bindgen-rayon starts its pool workers from blob: URLs.
  "worker-src 'self' blob:",
  // CodeMirror sets style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
];

/** The full policy, as a header. */
export const CONTENT_SECURITY_POLICY = [...PAGE_POLICY, "frame-ancestors 'none'"].join('; ');
