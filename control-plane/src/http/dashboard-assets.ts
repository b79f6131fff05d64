/**
 * Serves the dashboard (the Vite build of dashboard/, see dashboard/README.md) at "/" in front
 * of the API: "/" is its index.html, "/assets/…" its content-hashed files (cached for a year,
 * immutable). Every other path — the whole /v1 API — goes to the API dispatcher untouched.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import serveStatic from 'serve-static';

function isDashboardPath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === '/' || path === '/index.html' || path.startsWith('/assets/');
}

export function withDashboard(api: RequestListener, dashboardDir: string): RequestListener {
  const built = existsSync(join(dashboardDir, 'index.html'));
  const serve = serveStatic(dashboardDir, {
    index: ['index.html'],
    dotfiles: 'ignore',
    fallthrough: true,
    redirect: false,
    setHeaders: (response: ServerResponse, path: string) => {
      response.setHeader('Cache-Control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
  return (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? 'GET';
    if (!built || (method !== 'GET' && method !== 'HEAD') || !isDashboardPath(request.url ?? '')) {
      api(request, response);
      return;
    }
    serve(request, response, () => api(request, response));
  };
}
