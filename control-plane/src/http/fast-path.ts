/**
 * A second transport for THE request pipeline (http/request-pipeline.ts), for the API's hot
 * paths: authenticated requests without a query string — the GET reads, and the writes with a
 * small JSON body such as minting a key.
 *
 * Express's router, body reader and request/response decoration cost more than much of what the
 * control plane itself does for a request (for a GET: HMAC, cached key, constraint, scope, one
 * indexed row; for a mint, about a fifth of the server's CPU time), so requests are first matched
 * here against the same route table and run through the same pipeline object — authenticate, IP
 * allowlist, rate limit, resolve, authorize, validate, idempotency, handler, audit — and
 * answered, success or problem, byte for byte as Express would answer them. Only what is decided
 * before the pipeline starts is handed to Express untouched (a query string, a path no route of
 * the method matches or whose parameters do not decode, a public route, a body that is chunked,
 * content-encoded or over the size limit, a trusted proxy to interpret), so no step ever runs
 * twice for one request.
 *
 * Every request runs through here, so it allocates as little as it can: routes are found by a
 * walk over a tree of path segments built once per method (not by trying each route's regex in
 * turn), and headers go to `writeHead` as a flat list.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import { ApiError } from '../domain/errors';
import type { AppServices } from '../services/app-services';
import { databaseUnavailableProblem } from './database-unavailable';
import { PROBLEM_CONTENT_TYPE, problemDocument } from './problem';
import { noteRequest } from './request-log';
import type { AnyRouteDefinition, RouteResponse } from './route-definition';
import { badRequest } from '../domain/errors';
import { IncomingCall, MAX_BODY_BYTES, PipelineRoute, RequestPipeline, pipelineRoute } from './request-pipeline';

interface CompiledRoute {
  readonly route: AnyRouteDefinition;
  readonly prepared: PipelineRoute;
  /** Position in the route table: when two routes match a path, the earlier one wins, as in Express. */
  readonly order: number;
  /** The route's path segments (after the leading "/"); a parameter segment is null. */
  readonly segments: ReadonlyArray<string | null>;
  readonly paramNames: readonly string[];
  /** Whether this path serves the route; a public route (rate-limited by address in Express) is left to Express. */
  readonly served: boolean;
}

/** One level of the segment tree: literal next segments, and the branch where a parameter stands. */
interface SegmentNode {
  readonly literals: Map<string, SegmentNode>;
  parameter: SegmentNode | undefined;
  /** The earliest route (of the tree's method) whose path ends exactly here. */
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
  return { route, prepared: pipelineRoute(route), order, segments, paramNames, served: !route.public };
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

/**
 * Whether the body (if any) is one this path reads: a Content-Length within MAX_BODY_BYTES, no
 * Transfer-Encoding and no Content-Encoding. Chunked, compressed and oversized bodies go to
 * Express, whose body reader inflates them or answers 413 as it always has.
 */
function plainBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  // Node's parser has already refused a Content-Length that is not a number.
  return length === undefined || Number(length) <= MAX_BODY_BYTES;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The pipeline's view of a request served here: never a query string, and a body only as plainBody allows. */
class FastCall implements IncomingCall {
  readonly query = undefined;

  constructor(
    readonly path: string,
    readonly sourceIp: string,
    readonly params: Readonly<Record<string, string>>,
    private readonly request: IncomingMessage,
  ) {}

  /** As Express's request.secure without a trusted proxy: the connection itself is TLS. */
  get secure(): boolean {
    return (this.request.socket as { encrypted?: boolean }).encrypted === true;
  }

  header(name: string): string | undefined {
    return firstHeader(this.request.headers[name]);
  }

  contentTypeCount(): number {
    return this.request.headersDistinct['content-type']?.length ?? 0;
  }

  /** As create-app.ts decides it for Express: a non-zero Content-Length (chunked bodies never come here). */
  hasBody(): boolean {
    const length = this.request.headers['content-length'];
    return length !== undefined && length !== '0';
  }

  /** The whole body; plainBody() bounded it, and Node's parser stops at Content-Length. */
  readBody(): Promise<Buffer> {
    const request = this.request;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const fail = () => reject(badRequest('bad_request', 'The request body was incomplete.'));
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.once('aborted', fail);
      request.once('error', fail);
      request.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    });
  }

  noteKey(keyId: string): void {
    noteRequest(this.request, { keyId });
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

/** A problem exactly as http/problem.ts sendProblem has Express send it. */
function writeProblem(response: ServerResponse, error: ApiError, instance: string): void {
  const json = JSON.stringify(problemDocument(error, instance));
  response.writeHead(error.status, {
    ...error.headers,
    'Content-Type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(json),
  });
  response.end(json);
}

function writeResult(response: ServerResponse, result: RouteResponse): void {
  if (result.body === undefined) {
    response.writeHead(result.status, { ...result.headers });
    response.end();
    return;
  }
  // Byte for byte what Express's res.json sends (no ETag, no X-Powered-By: both disabled there).
  const json = jsonOfFrozenBodies.get(result.body as object) ?? JSON.stringify(result.body);
  response.writeHead(result.status, responseHeaders(result, Buffer.byteLength(json)));
  response.end(json);
}

function writeFailure(response: ServerResponse, error: unknown, call: FastCall, method: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof ApiError) {
    writeProblem(response, error, call.path);
    return;
  }
  const unavailable = databaseUnavailableProblem(error, method, call.path);
  if (unavailable) {
    writeProblem(response, unavailable, call.path);
    return;
  }
  process.stderr.write(`unexpected error on ${method} ${call.path}: ${error instanceof Error ? error.stack : String(error)}\n`);
  writeProblem(response, new ApiError({ code: 'internal_error', detail: 'The server failed to handle the request.' }), call.path);
}

export function withFastPath(
  expressApp: RequestListener,
  services: AppServices,
  routes: readonly AnyRouteDefinition[],
  pipeline = new RequestPipeline(services),
): RequestListener {
  // With a trusted proxy the peer comes from X-Forwarded-For, which Express interprets; leave it all to Express.
  if (services.config.trustProxy.length > 0) return expressApp;
  // One tree per method, holding every route of that method, so the earliest match in table order
  // is found even when it is one this path leaves to Express.
  const trees = new Map<string, SegmentNode>();
  const byMethod = new Map<string, CompiledRoute[]>();
  routes.forEach((route, order) => {
    const shaped = compile(route, order);
    if (!shaped) return;
    const method = route.method.toUpperCase();
    byMethod.set(method, [...(byMethod.get(method) ?? []), shaped]);
  });
  for (const [method, compiled] of byMethod) trees.set(method, buildTree(compiled));

  /** The request as the pipeline sees it, or undefined when Express must take it whole. */
  function match(request: IncomingMessage): { found: CompiledRoute; call: FastCall } | undefined {
    const tree = trees.get(request.method ?? '');
    if (!tree) return undefined;
    const url = request.url ?? '';
    if (url.includes('?')) return undefined; // query strings are parsed by Express's query parser
    const segments = pathSegments(url);
    const found = segments && findRoute(tree, segments, 1);
    if (!found || !found.served) return undefined;
    if (request.method !== 'GET' && !plainBody(request.headers)) return undefined;
    const params = paramsOf(found, segments);
    if (!params) return undefined; // Express answers a malformed parameter with its 400
    noteRequest(request, { route: found.route.path });
    return { found, call: new FastCall(url, request.socket.remoteAddress ?? '', params, request) };
  }

  return (request, response) => {
    // Date is the control plane's (injected) clock, as in the Express pipeline (create-app.ts).
    response.setHeader('Date', services.clock.now().toUTCString());
    const matched = match(request);
    if (!matched) {
      expressApp(request, response);
      return;
    }
    const { found, call } = matched;
    const fail = (error: unknown) => {
      try {
        writeFailure(response, error, call, request.method!);
      } catch {
        response.destroy(); // nothing more can be said on this connection
      }
    };
    try {
      const result = pipeline.handle(found.prepared, call);
      // Every rejection, and a failure to write the result, ends as the one problem (500 unless an ApiError).
      if (result instanceof Promise) result.then((done) => writeResult(response, done)).catch(fail);
      else writeResult(response, result);
    } catch (error) {
      fail(error);
    }
  };
}
