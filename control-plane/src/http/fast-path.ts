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
 *
 * Every request runs through here, so it allocates as little as it can: routes are found by a
 * walk over a tree of path segments built once (not by trying each route's regex in turn), the
 * route request is one object, and headers go to `writeHead` as a flat list.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { Caller } from '../domain/authorization';
import { authorize } from '../domain/authorization';
import { isAllowed } from '@managed-dev/contract';
import type { AppServices } from '../services/app-services';
import type { Authentication } from '../services/authenticator';
import { noteRequest } from './request-log';
import type { AnyRouteDefinition, RouteRequest, RouteResponse } from './route-definition';

interface CompiledRoute {
  readonly route: AnyRouteDefinition;
  /** Position in the route table: when two routes match a path, the earlier one wins, as in Express. */
  readonly order: number;
  /** The route's path segments (after the leading "/"); a parameter segment is null. */
  readonly segments: ReadonlyArray<string | null>;
  readonly paramNames: readonly string[];
}

/** One level of the segment tree: literal next segments, and the branch where a parameter stands. */
interface SegmentNode {
  readonly literals: Map<string, SegmentNode>;
  parameter: SegmentNode | undefined;
  /** The earliest eligible route whose path ends exactly here. */
  route: CompiledRoute | undefined;
}

const PARAMETER = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * A route whose parameters each fill a whole segment ("/v1/sites/{id}/env"), or undefined for
 * any other shape ("/v1/files/{name}.json"), which is then left to Express.
 */
function compile(route: AnyRouteDefinition, order: number): CompiledRoute | undefined {
  if (!route.path.startsWith('/')) return undefined;
  const paramNames: string[] = [];
  const segments: Array<string | null> = [];
  for (const part of route.path.slice(1).split('/')) {
    const parameter = PARAMETER.exec(part);
    if (parameter) {
      paramNames.push(parameter[1]!);
      segments.push(null);
    } else if (part === '' || part.includes('{') || part.includes('}')) {
      return undefined;
    } else {
      segments.push(part);
    }
  }
  return { route, order, segments, paramNames };
}

function emptyNode(): SegmentNode {
  return { literals: new Map(), parameter: undefined, route: undefined };
}

function buildTree(routes: readonly CompiledRoute[]): SegmentNode {
  const root = emptyNode();
  for (const compiled of routes) {
    let node = root;
    for (const segment of compiled.segments) {
      if (segment === null) {
        node = node.parameter ??= emptyNode();
      } else {
        let next = node.literals.get(segment);
        if (!next) node.literals.set(segment, (next = emptyNode()));
        node = next;
      }
    }
    node.route ??= compiled;
  }
  return root;
}

/**
 * The earliest route (in table order) matching these segments. A parameter matches any non-empty
 * segment, a literal only itself (case-sensitive), exactly like the `^…([^/]+)…$` patterns
 * Express's router builds; both branches are followed so the table order decides, not the tree.
 */
function findRoute(node: SegmentNode, segments: readonly string[], index: number): CompiledRoute | undefined {
  if (index === segments.length) return node.route;
  const segment = segments[index]!;
  const literal = node.literals.get(segment);
  const viaLiteral = literal ? findRoute(literal, segments, index + 1) : undefined;
  const viaParameter = node.parameter && segment !== '' ? findRoute(node.parameter, segments, index + 1) : undefined;
  if (!viaLiteral) return viaParameter;
  if (!viaParameter) return viaLiteral;
  return viaLiteral.order < viaParameter.order ? viaLiteral : viaParameter;
}

/**
 * The URL split at "/": index 0 is the empty string before the leading "/", the path's segments
 * follow from index 1 (split once, no substring first), and the one trailing slash Express
 * tolerates is dropped.
 */
function pathSegments(url: string): string[] | undefined {
  if (url.charCodeAt(0) !== 0x2f /* "/" */) return undefined;
  const segments = url.split('/');
  if (segments.length > 2 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

/** Path parameters by name (from pathSegments' split), decoded as Express decodes them; undefined when one is malformed. */
function paramsOf(compiled: CompiledRoute, segments: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let next = 0;
  for (let index = 0; index < compiled.segments.length; index++) {
    if (compiled.segments[index] !== null) continue;
    const segment = segments[index + 1]!; // the URL's segments start at index 1 (see pathSegments)
    // Without a "%" there is nothing to decode (decodeURIComponent would return it unchanged).
    if (!segment.includes('%')) {
      params[compiled.paramNames[next++]!] = segment;
      continue;
    }
    try {
      params[compiled.paramNames[next++]!] = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  return params;
}

/** Which GET routes may be served here: authenticated, no body, no idempotency replay. */
function eligible(route: AnyRouteDefinition): boolean {
  return route.method === 'get' && !route.public && !route.bodySchema && !route.idempotent;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

// A GET served here never has a query string, so every handler sees the same empty query.
const NO_QUERY: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_SCOPES: readonly string[] = Object.freeze([]);

/**
 * What resolveTarget and the handler see: one object per request, filled in as the steps run
 * (target and scopes once the decision allowed), with `header` on the prototype so no closure is
 * made per request.
 */
class FastRouteRequest implements RouteRequest {
  readonly query = NO_QUERY;
  readonly body = undefined;
  target: unknown = undefined;
  effectiveScopes: readonly string[] = NO_SCOPES; // replaced by the decision's before the handler runs

  readonly caller: Caller;

  constructor(
    readonly params: Readonly<Record<string, string>>,
    readonly authentication: Authentication,
    readonly sourceIp: string,
    readonly now: Date,
    readonly services: AppServices,
    private readonly headers: IncomingHttpHeaders,
  ) {
    this.caller = authentication.caller;
  }

  header(name: string): string | undefined {
    return firstHeader(this.headers[name.toLowerCase()]);
  }
}

/**
 * JSON kept beside response bodies that can never change. A route that hands out the same body
 * object for as long as what it shows is unchanged (GET /v1/sites/{id} does, one per cached site)
 * marks it with `frozenJsonBody`, and its JSON is produced once instead of per request.
 */
const jsonOfFrozenBodies = new WeakMap<object, string>();

/**
 * Freezes a flat body (only primitive values, so freezing makes it wholly immutable), keeps its
 * JSON for the fast path, and returns it. Express's `res.json` serializes the same object to the
 * same bytes, so a body marked here is answered identically on either path.
 */
export function frozenJsonBody<Body extends Readonly<Record<string, string | number | boolean | null>>>(body: Body): Readonly<Body> {
  jsonOfFrozenBodies.set(Object.freeze(body), JSON.stringify(body));
  return body;
}

/**
 * The headers Express's `res.json` sends, as the flat name/value list `writeHead` takes (no object
 * to build and walk). A handler's own headers (none of the GET routes sets any today) are merged
 * into an object as before, so a same-named header still gives way to the JSON ones.
 */
function responseHeaders(result: RouteResponse, contentLength: number): OutgoingHttpHeaders | Array<string | number> {
  if (result.headers) return { ...result.headers, 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': contentLength };
  return ['Content-Type', JSON_CONTENT_TYPE, 'Content-Length', contentLength];
}

export function withFastPath(expressApp: RequestListener, services: AppServices, routes: readonly AnyRouteDefinition[]): RequestListener {
  // With a trusted proxy the peer comes from X-Forwarded-For, which Express interprets; leave it all to Express.
  if (services.config.trustProxy.length > 0) return expressApp;
  const compiled: CompiledRoute[] = [];
  routes.forEach((route, order) => {
    const shaped = eligible(route) ? compile(route, order) : undefined;
    if (shaped) compiled.push(shaped);
  });
  const tree = buildTree(compiled);

  function tryServe(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET') return false;
    const url = request.url ?? '';
    if (url.includes('?')) return false; // query strings are validated by the Express pipeline
    const segments = pathSegments(url);
    const found = segments && findRoute(tree, segments, 1);
    if (!found) return false;
    const params = paramsOf(found, segments);
    if (!params) return false;

    const sourceIp = request.socket.remoteAddress ?? '';
    const now = services.clock.now();
    let authentication: Authentication;
    try {
      authentication = services.authenticator.authenticate(firstHeader(request.headers.authorization), now);
    } catch {
      return false;
    }
    const { caller } = authentication;
    if (!isAllowed(sourceIp, caller.ipAllowlist)) return false;
    const routeRequest = new FastRouteRequest(params, authentication, sourceIp, now, services, request.headers);
    const { route } = found;
    let decision;
    if (route.resolveTarget) {
      const resolved = route.resolveTarget(routeRequest);
      decision = authorize({ caller, requiredScope: route.scope, target: resolved ? resolved.resource : null });
      routeRequest.target = resolved?.value;
    } else {
      decision = authorize({ caller, requiredScope: route.scope });
    }
    if (decision.outcome !== 'allow') return false;
    routeRequest.effectiveScopes = decision.effectiveScopes;
    let result: RouteResponse | Promise<RouteResponse>;
    try {
      result = route.handler(routeRequest);
    } catch {
      return false;
    }
    if (result instanceof Promise || result.status >= 300 || result.body === undefined) return false;

    services.lastUsed.touch(caller.keyId, now.getTime(), sourceIp);
    noteRequest(request, { route: route.path, keyId: caller.keyId });
    // Byte for byte what Express's res.json sends (no ETag, no X-Powered-By: both disabled there).
    const json = jsonOfFrozenBodies.get(result.body as object) ?? JSON.stringify(result.body);
    response.writeHead(result.status, responseHeaders(result, Buffer.byteLength(json)));
    response.end(json);
    return true;
  }

  return (request, response) => {
    let served: boolean;
    try {
      served = tryServe(request, response);
    } catch {
      served = false;
    }
    if (!served) expressApp(request, response);
  };
}
