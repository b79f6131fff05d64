/**
 * Builds the Express application from the route table. The per-route pipeline is the same for
 * every route: authenticate → resolve target → authorize → parse and validate the body and query →
 * (idempotency) → handler. Errors of every kind end as problem+json in the final handler.
 */
import express, { NextFunction, Request, Response } from 'express';
import { authorize } from '../domain/authorization';
import { isAllowed } from '@managed-dev/contract';
import { ApiError, badRequest, insufficientScope, ipNotAllowed, notFound, validationFailed } from '../domain/errors';
import type { AppServices } from '../services/app-services';
import { auditContextOf } from '../services/authenticator';
import { buildOpenApiDocument } from './openapi';
import { instanceOf, sendProblem } from './problem';
import type { AnyRouteDefinition, RouteRequest, RouteResponse } from './route-definition';
import { validateBody, validateQuery } from './validation';

export const MAX_BODY_BYTES = 64 * 1024;

/** "/v1/keys/{id}" → "/v1/keys/:id" */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

const jsonParser = express.json({
  limit: MAX_BODY_BYTES,
  strict: true,
  // The content type is checked before parsing (415 for anything but JSON), so parse whatever arrives.
  type: () => true,
});

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function unsupportedMediaType(detail: string): ApiError {
  return new ApiError({ status: 415, code: 'unsupported_media_type', title: 'Unsupported media type', detail });
}

/** Only JSON bodies are accepted; a body without a content type is refused too, never guessed. */
function checkJsonContentType(request: Request): void {
  const header = request.headers['content-type'];
  if (header === undefined) throw unsupportedMediaType('Send the body as "Content-Type: application/json".');
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim());
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(mediaType)) {
    throw unsupportedMediaType(`The Content-Type header "${header}" cannot be parsed; send "application/json".`);
  }
  if (mediaType.toLowerCase() !== 'application/json') {
    throw unsupportedMediaType(`Bodies must be "application/json", not "${mediaType}".`);
  }
  const charset = parameters
    .map((parameter) => /^charset\s*=\s*"?([^";]*)"?$/i.exec(parameter)?.[1]?.toLowerCase())
    .find((value) => value !== undefined);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw unsupportedMediaType(`Bodies must be UTF-8, not "${charset}".`);
  }
}

function runMiddleware(middleware: express.RequestHandler, request: Request, response: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    middleware(request, response, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

function sendResult(response: Response, result: RouteResponse): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
  response.status(result.status);
  if (result.body === undefined) response.end();
  else response.json(result.body);
}

/** What a successful change's audit entry names as its target: the path's id, else the created resource's. */
function auditTarget(request: Request, result: RouteResponse): string | null {
  if (result.audit?.target !== undefined) return result.audit.target;
  const params = request.params as Record<string, string>;
  if (params.id !== undefined) return params.id;
  const body = result.body as { id?: unknown } | undefined;
  return body && typeof body.id === 'string' ? body.id : null;
}

function routeHandler(route: AnyRouteDefinition, services: AppServices) {
  const routeName = `${route.method.toUpperCase()} ${route.path}`;
  const auditAction = route.audit ?? (route.method === 'get' ? undefined : routeName);
  return async (request: Request, response: Response): Promise<void> => {
    const now = services.clock.now();
    // request.ip is the socket peer unless MANAGED_TRUST_PROXY named the proxy ("trust proxy").
    const sourceIp = request.ip ?? request.socket.remoteAddress ?? '';
    const base = {
      params: { ...(request.params as Record<string, string>) },
      query: {} as Record<string, unknown>,
      caller: null as RouteRequest['caller'],
      authentication: null as RouteRequest['authentication'],
      sourceIp,
      now,
      services,
      header: (name: string) => request.get(name),
    };

    // Every denial (401, 403, and a 404 that a constraint or the principal's reach caused) is audited.
    const recordDenial = (error: ApiError, detail: string) => {
      const known = base.caller ?? auditContextOf(error);
      services.audit.record(
        {
          accountId: known?.accountId ?? null,
          actorPrincipalId: known ? ('principalId' in known ? known.principalId : null) : null,
          keyId: known?.keyId ?? null,
          action: routeName,
          target: instanceOf(request),
          sourceIp,
          outcome: 'denied',
          detail,
        },
        now,
      );
    };

    try {
      let effectiveScopes: readonly string[] = [];
      let target: unknown = undefined;
      if (!route.public) {
        const authentication = services.authenticator.authenticate(request.get('authorization'), now);
        const caller = authentication.caller;
        base.caller = caller;
        base.authentication = authentication;
        // Before anything about the target is looked at: a key used from the wrong place learns nothing.
        if (!isAllowed(sourceIp, caller.ipAllowlist)) throw ipNotAllowed();
        services.lastUsed.touch(caller.keyId, now.getTime(), sourceIp);
        const resolved = route.resolveTarget ? route.resolveTarget(base) : undefined;
        const decision = authorize({
          caller,
          requiredScope: route.scope,
          ...(route.resolveTarget ? { target: resolved ? resolved.resource : null } : {}),
        });
        if (decision.outcome === 'not_found') {
          const error = notFound();
          if (decision.cause === 'outside_constraint' || decision.cause === 'outside_reach') recordDenial(error, `not_found (${decision.cause})`);
          throw error;
        }
        if (decision.outcome === 'insufficient_scope') throw insufficientScope(decision.scope);
        effectiveScopes = decision.effectiveScopes;
        target = resolved?.value;
      }

      if (route.querySchema) base.query = validateQuery(route.querySchema, request.query as Record<string, unknown>);

      let body: unknown = undefined;
      if (route.bodySchema) {
        if (hasBody(request)) {
          checkJsonContentType(request);
          await runMiddleware(jsonParser, request, response);
          body = request.body;
        }
        if (body === undefined) {
          if (route.bodyRequired ?? true) throw validationFailed([{ pointer: '', detail: 'a JSON body is required' }]);
          body = {};
        }
        validateBody(route.bodySchema, body);
      }

      const routeRequest: RouteRequest = { ...base, body, target, effectiveScopes };
      const idempotencyKey = route.idempotent ? request.get('idempotency-key') : undefined;
      // A change commits its effect, its Idempotency-Key record and its audit entry in one transaction,
      // and is answered only once that has committed.
      const result =
        base.caller && (auditAction !== undefined || idempotencyKey !== undefined)
          ? await services.changes.commit(
              {
                caller: base.caller,
                now,
                sourceIp,
                method: route.method,
                body,
                ...(idempotencyKey !== undefined ? { idempotency: { idempotencyKey, path: instanceOf(request) } } : {}),
                ...(auditAction !== undefined ? { audit: { action: auditAction, target: (done: RouteResponse) => auditTarget(request, done) } } : {}),
              },
              () => route.handler(routeRequest),
            )
          : await route.handler(routeRequest);
      sendResult(response, result);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        recordDenial(error, error.code === 'insufficient_scope' ? `insufficient_scope (${String(error.extensions.required_scope)})` : error.code);
      }
      throw error;
    }
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
        status: 413,
        code: 'payload_too_large',
        title: 'Payload too large',
        detail: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
      });
    case 'entity.parse.failed':
      return badRequest('malformed_json', 'Malformed JSON', 'The request body is not valid JSON (a JSON object is expected).');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return unsupportedMediaType('The body must be UTF-8 JSON without a content encoding.');
    case 'request.aborted':
    case 'request.size.invalid':
      return badRequest('bad_request', 'Bad request', 'The request body was incomplete.');
    default:
      break;
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError({ status, code: 'bad_request', title: 'Bad request', detail: 'The request could not be understood.' });
  }
  return undefined;
}

export function createApp(services: AppServices, routes: readonly AnyRouteDefinition[]): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: a 404 must not differ by anything but its path (existence hiding), and the API is not cached.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // X-Forwarded-For counts only when it comes from a proxy MANAGED_TRUST_PROXY names (SPEC §5.2);
  // otherwise request.ip is the real peer, which the IP allowlist is checked against.
  app.set('trust proxy', services.config.trustProxy.length > 0 ? [...services.config.trustProxy] : false);

  const openApiDocument = JSON.stringify(buildOpenApiDocument(routes));
  app.get('/openapi.json', (_request, response) => {
    response.type('application/json').send(openApiDocument);
  });

  const router = express.Router({ caseSensitive: true, strict: false });
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const path = expressPath(route.path);
    const handler = routeHandler(route, services);
    router[route.method](path, (request, response, next) => {
      handler(request, response).catch(next);
    });
    const methods = methodsByPath.get(path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    methodsByPath.set(path, methods);
  }
  app.use(router);

  // Known path, unknown method → 405 with Allow; anything else → the one 404.
  const pathMatchers = [...methodsByPath.entries()].map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}/?$`),
    methods,
  }));
  app.use((request: Request, response: Response) => {
    const match = pathMatchers.find((matcher) => matcher.pattern.test(request.path));
    if (match) {
      const allow = [...match.methods].sort().join(', ');
      sendProblem(
        request,
        response,
        new ApiError({
          status: 405,
          code: 'method_not_allowed',
          title: 'Method not allowed',
          detail: `${request.method} is not supported here; use ${allow}.`,
          headers: { Allow: allow },
        }),
      );
      return;
    }
    sendProblem(request, response, notFound());
  });

  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    const apiError = toApiError(error);
    if (apiError) return sendProblem(request, response, apiError);
    process.stderr.write(`unexpected error on ${request.method} ${instanceOf(request)}: ${error instanceof Error ? error.stack : String(error)}\n`);
    sendProblem(
      request,
      response,
      new ApiError({ status: 500, code: 'internal_error', title: 'Internal error', detail: 'The server failed to handle the request.' }),
    );
  });
  return app;
}
