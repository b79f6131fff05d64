/**
 * A second dispatcher over THE route table for the API's hot path: successful, authenticated GETs.
 *
 * Express's router and its request/response decoration cost more than everything the control
 * plane itself does for a GET (HMAC, cached key, constraint, scope, one indexed row), so GET
 * requests are first tried here with exactly the same steps as http/create-app.ts — authenticate,
 * IP allowlist, resolve target, the one `authorize` decision, handler — and answered the way
 * Express's `res.json` would. Anything that is not a plain success (no or bad credentials, wrong
 * network, hidden or missing target, missing scope, a query string, a handler error, a trusted
 * proxy to interpret) is handed to Express untouched, which then produces the response, the
 * problem document and the audit entry. Nothing here writes before it knows it succeeds, so the
 * hand-over repeats no side effect.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { authorize } from '../domain/authorization';
import { isAllowed } from '../domain/cidr';
import type { AppServices } from '../services/app-services';
import type { AnyRouteDefinition, RouteRequest, RouteResponse } from './route-definition';

interface CompiledRoute {
  readonly route: AnyRouteDefinition;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
}

function compile(route: AnyRouteDefinition): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part) => {
      const param = /^\{(.+)\}$/.exec(part);
      if (param) {
        paramNames.push(param[1]!);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  // Express's router here is case-sensitive and tolerates one trailing slash; so is this.
  return { route, pattern: new RegExp(`^${source}/?$`), paramNames };
}

/** Which GET routes may be served here: authenticated, no body, no idempotency replay. */
function eligible(route: AnyRouteDefinition): boolean {
  return route.method === 'get' && !route.public && !route.bodySchema && !route.idempotent;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function withFastPath(expressApp: RequestListener, services: AppServices, routes: readonly AnyRouteDefinition[]): RequestListener {
  // With a trusted proxy the peer comes from X-Forwarded-For, which Express interprets; leave it all to Express.
  if (services.config.trustProxy.length > 0) return expressApp;
  const compiled = routes.filter(eligible).map(compile);

  function tryServe(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET') return false;
    const url = request.url ?? '';
    if (url.includes('?')) return false; // query strings are validated by the Express pipeline
    let match: RegExpExecArray | null = null;
    let found: CompiledRoute | undefined;
    for (const candidate of compiled) {
      match = candidate.pattern.exec(url);
      if (match) {
        found = candidate;
        break;
      }
    }
    if (!found || !match) return false;

    const params: Record<string, string> = {};
    try {
      found.paramNames.forEach((name, index) => (params[name] = decodeURIComponent(match![index + 1]!)));
    } catch {
      return false;
    }
    const sourceIp = request.socket.remoteAddress ?? '';
    const now = services.clock.now();
    let authentication;
    try {
      authentication = services.authenticator.authenticate(firstHeader(request.headers.authorization), now);
    } catch {
      return false;
    }
    const caller = authentication.caller;
    if (!isAllowed(sourceIp, caller.ipAllowlist)) return false;
    const base = {
      params,
      query: {},
      caller,
      sourceIp,
      now,
      services,
      header: (name: string) => firstHeader(request.headers[name.toLowerCase()]),
    };
    const { route } = found;
    const resolved = route.resolveTarget ? route.resolveTarget(base) : undefined;
    const decision = authorize({
      caller,
      requiredScope: route.scope,
      ...(route.resolveTarget ? { target: resolved ? resolved.resource : null } : {}),
    });
    if (decision.outcome !== 'allow') return false;
    const routeRequest: RouteRequest = { ...base, body: undefined, target: resolved?.value, effectiveScopes: decision.effectiveScopes };
    let result: RouteResponse | Promise<RouteResponse>;
    try {
      result = route.handler(routeRequest);
    } catch {
      return false;
    }
    if (result instanceof Promise || result.status >= 300 || result.body === undefined) return false;

    services.lastUsed.touch(caller.keyId, now.getTime(), sourceIp);
    // Byte for byte what Express's res.json sends (no ETag, no X-Powered-By: both disabled there).
    const json = JSON.stringify(result.body);
    response.writeHead(result.status, {
      ...result.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
    });
    response.end(json);
    return true;
  }

  return (request, response) => {
    let served = false;
    try {
      served = tryServe(request, response);
    } catch {
      served = false;
    }
    if (!served) expressApp(request, response);
  };
}
