/**
 * Security headers (and `Cache-Control: no-store`) on every response, dashboard and API alike, set before any dispatcher runs
 * (the fast path's writeHead merges them). The dashboard is a Vite build with hashed external
 * scripts and stylesheets only, so the policy needs no 'unsafe-inline' anywhere.
 */
import type { RequestListener } from 'node:http';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  // For browsers that predate frame-ancestors.
  ['X-Frame-Options', 'DENY'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  // API responses carry secrets (minted and rotated keys, credential passwords) and CSRF tokens:
  // no browser or proxy cache may keep them. The dashboard's own files replace this with their
  // caching (dashboard-assets.ts); everything else, errors included, is never stored.
  ['Cache-Control', 'no-store'],
];

export function withSecurityHeaders(listener: RequestListener): RequestListener {
  return (request, response) => {
    for (const [name, value] of SECURITY_HEADERS) response.setHeader(name, value);
    listener(request, response);
  };
}
