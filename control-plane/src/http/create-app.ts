/**
 * Builds the Express application from the route table. Every route runs THE request pipeline
 * (http/request-pipeline.ts) — the same steps the GET fast path runs — and errors of every kind
 * end as problem+json in the final handler. This file only adapts Express to the pipeline:
 * reading params, query and body bytes, writing the response.
 */
import express, { NextFunction, Request, Response } from 'express';
import { ApiError, badRequest, notFound } from '../domain/errors';
import type { AppServices } from '../services/app-services';
import { unsupportedMediaType } from './json-body';
import { buildOpenApiDocument } from './openapi';
import { instanceOf, sendProblem } from './problem';
import { databaseUnavailableProblem } from './database-unavailable';
import { noteRequest } from './request-log';
import type { AnyRouteDefinition, RouteResponse } from './route-definition';
import { IncomingCall, MAX_BODY_BYTES, RequestPipeline, pipelineRoute } from './request-pipeline';

export { MAX_BODY_BYTES } from './request-pipeline';

/** "/v1/keys/{id}" → "/v1/keys/:id" */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

// The bytes only: the pipeline checks the content type first and decodes strictly (http/json-body.ts).
const rawBodyReader = express.raw({ limit: MAX_BODY_BYTES, type: () => true });

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function runMiddleware(middleware: express.RequestHandler, request: Request, response: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    middleware(request, response, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

export function sendResult(response: Response, result: RouteResponse): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
  response.status(result.status);
  if (result.body === undefined) response.end();
  else response.json(result.body);
}

/** The pipeline's view of an Express request. */
function incomingCall(request: Request, response: Response): IncomingCall {
  return {
    path: instanceOf(request),
    // request.ip is the socket peer unless MANAGED_TRUST_PROXY named the proxy ("trust proxy").
    sourceIp: request.ip ?? request.socket.remoteAddress ?? '',
    secure: request.secure,
    params: { ...(request.params as Record<string, string>) },
    query: request.query as Record<string, unknown>,
    header: (name) => request.get(name),
    contentTypeCount: () => request.headersDistinct['content-type']?.length ?? 0,
    hasBody: () => hasBody(request),
    readBody: async () => {
      await runMiddleware(rawBodyReader, request, response);
      return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    },
    noteKey: (keyId) => noteRequest(request, { keyId }),
  };
}

/** Errors thrown by body-parser and the router carry `type`/`status`; map them to problems. */
function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status } = error as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new ApiError({
        code: 'payload_too_large',
        detail: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
      });
    case 'entity.parse.failed':
      return badRequest('malformed_json', 'The request body is not valid JSON (a JSON object is expected).');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return unsupportedMediaType('The body must be UTF-8 JSON without a content encoding.');
    case 'request.aborted':
    case 'request.size.invalid':
      return badRequest('bad_request', 'The request body was incomplete.');
    default:
      break;
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError({ code: 'bad_request', detail: 'The request could not be understood.' });
  }
  return undefined;
}

export function createApp(services: AppServices, routes: readonly AnyRouteDefinition[], pipeline = new RequestPipeline(services)): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: a 404 must not differ by anything but its path (existence hiding), and the API is not cached.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // X-Forwarded-For counts only when it comes from a proxy MANAGED_TRUST_PROXY names (docs/guides/configuration.md);
  // otherwise request.ip is the real peer, which the IP allowlist is checked against.
  app.set('trust proxy', services.config.trustProxy.length > 0 ? [...services.config.trustProxy] : false);
  // Date is the control plane's clock (the injected one), so clients judge expiry windows
  // (the provider's rotate_before_expiry) by the server's time, not by their own, possibly skewed, clock.
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Date', services.clock.now().toUTCString());
    next();
  });

  const openApiDocument = JSON.stringify(buildOpenApiDocument(routes));
  // Public and outside the route table; limited like every other unauthenticated request.
  const limitAnonymous = (request: Request) => {
    try {
      pipeline.limitAnonymous(request.ip ?? request.socket.remoteAddress ?? '', services.clock.now());
    } catch (error) {
      services.denials.count('rate_limited');
      throw error;
    }
  };
  app.get('/openapi.json', (request, response) => {
    limitAnonymous(request);
    response.type('application/json').send(openApiDocument);
  });

  const router = express.Router({ caseSensitive: true, strict: false });
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const path = expressPath(route.path);
    const prepared = pipelineRoute(route);
    router[route.method](path, (request, response, next) => {
      noteRequest(request, { route: route.path });
      try {
        const result = pipeline.handle(prepared, incomingCall(request, response));
        // A rejection, or a failure to send the result, goes to the final handler: problem+json.
        if (result instanceof Promise) result.then((done) => sendResult(response, done)).catch(next);
        else sendResult(response, result);
      } catch (error) {
        next(error);
      }
    });
    const methods = methodsByPath.get(path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    methodsByPath.set(path, methods);
  }
  // Known path, unknown method → 405 with Allow; anything else → the one 404. Neither needs
  // credentials, so both count as unauthenticated traffic of the client's address.
  const pathMatchers = [...methodsByPath.entries()].map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}/?$`),
    methods,
  }));
  const unrouted = (request: Request, response: Response) => {
    limitAnonymous(request);
    const match = pathMatchers.find((matcher) => matcher.pattern.test(request.path));
    if (match) {
      const allow = [...match.methods].sort().join(', ');
      sendProblem(
        request,
        response,
        new ApiError({
          code: 'method_not_allowed',
          detail: `${request.method} is not supported here; use ${allow}.`,
          headers: { Allow: allow },
        }),
      );
      return;
    }
    sendProblem(request, response, notFound());
  };
  // No route answers OPTIONS, so it is an unsupported method like any other: 405 (or the 404)
  // as problem+json, not the router's automatic 200 text/plain.
  app.use((request: Request, response: Response, next: NextFunction) => (request.method === 'OPTIONS' ? unrouted(request, response) : next()));
  app.use(router);
  app.use(unrouted);

  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    const apiError = toApiError(error);
    if (apiError) return sendProblem(request, response, apiError);
    const unavailable = databaseUnavailableProblem(error, request.method, instanceOf(request));
    if (unavailable) return sendProblem(request, response, unavailable);
    process.stderr.write(`unexpected error on ${request.method} ${instanceOf(request)}: ${error instanceof Error ? error.stack : String(error)}\n`);
    sendProblem(request, response, new ApiError({ code: 'internal_error', detail: 'The server failed to handle the request.' }));
  });
  return app;
}
