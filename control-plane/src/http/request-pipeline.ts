/**
 * THE request pipeline: the steps every API request takes, in one place, whichever transport
 * carried it (the Express app in create-app.ts, or the GET fast path in fast-path.ts):
 *
 *   authenticate → IP allowlist → rate limit → resolve the target → authorize → validate the
 *   query and body → idempotency → handler → audit
 *
 * A transport only says how to read its request (`IncomingCall`) and how to write a
 * `RouteResponse` or a problem; a new check added here applies to every path at once.
 *
 * The steps run synchronously as far as they can: a step that must wait (a database read, the
 * body) hands a promise to the next one, and only from there on does the request wait on promises.
 * A bearer key found in the authenticator's cache is checked without any, which is what keeps the
 * fast path fast.
 */
import type { Caller } from '../domain/authorization';
import { authorize } from '../domain/authorization';
import { auditablePath } from '../domain/audit-redaction';
import { isAllowed } from '@managed-dev/contract';
import { withNormalizedName } from '../domain/names';
import { ApiError, insufficientScope, ipNotAllowed, notFound, tooManyRequests, validationFailed } from '../domain/errors';
import type { AppServices } from '../services/app-services';
import type { AuditContext, Authentication } from '../services/authenticator';
import { auditContextOf } from '../services/authenticator';
import { checkJsonContentType, parseJsonBody, unsupportedMediaType } from './json-body';
import { type AnyRouteDefinition, type ResolvedTarget, type RouteRequest, type RouteResponse, routeNameOf, successActionOf } from './route-definition';
import { validateBody, validateQuery } from './validation';

/** What the pipeline needs to know about a request, whichever server received it. */
export interface IncomingCall {
  /** The request path as sent, without the query string (a problem's `instance`). */
  readonly path: string;
  /** The peer the request came from (through trusted proxies only). */
  readonly sourceIp: string;
  /** Path parameters by name, already percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Arrived over TLS (directly, or X-Forwarded-Proto from a trusted proxy); unset means no. */
  readonly secure?: boolean;
  /** The parsed query string; undefined when the request had none. */
  readonly query: Readonly<Record<string, unknown>> | undefined;
  /** A request header by lower-case name (the first, when it was sent more than once). */
  header(name: string): string | undefined;
  /** How many Content-Type headers the request carried (two are ambiguous: which one applies?). */
  contentTypeCount(): number;
  /** Whether the request carries a body (a non-zero Content-Length or chunked encoding). */
  hasBody(): boolean;
  /** The body's bytes, at most MAX_BODY_BYTES (413 beyond). Only called when hasBody(). */
  readBody(): Promise<Buffer>;
  /** Told the id of the key that authenticated the request, for the request log (http/request-log.ts). */
  noteKey?(keyId: string): void;
}

export const MAX_BODY_BYTES = 64 * 1024;

/** A route with what the pipeline derives from it once. */
export interface PipelineRoute {
  readonly route: AnyRouteDefinition;
  /** "POST /v1/keys": the audit action of a denial, and of a success without its own. */
  readonly name: string;
  /** What a success is audited as; undefined for reads. */
  readonly successAction: string | undefined;
}

export function pipelineRoute(route: AnyRouteDefinition): PipelineRoute {
  return { route, name: routeNameOf(route), successAction: successActionOf(route) };
}

const NO_QUERY: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_SCOPES: readonly string[] = Object.freeze([]);

/** What resolveTarget and the handler see, filled in as the steps run; `header` on the prototype. */
class PipelineRequest implements RouteRequest {
  query: Readonly<Record<string, unknown>> = NO_QUERY;
  body: unknown = undefined;
  target: unknown = undefined;
  effectiveScopes: readonly string[] = NO_SCOPES;
  caller: Caller | null = null;
  authentication: Authentication | null = null;

  constructor(
    private readonly call: IncomingCall,
    readonly now: Date,
    readonly services: AppServices,
  ) {}

  get params(): Readonly<Record<string, string>> {
    return this.call.params;
  }

  get sourceIp(): string {
    return this.call.sourceIp;
  }

  get secureTransport(): boolean {
    return this.call.secure === true;
  }

  header(name: string): string | undefined {
    return this.call.header(name.toLowerCase());
  }
}

/** The request's one Content-Type; two are refused rather than one picked (a proxy might have picked the other). */
function singleContentType(call: IncomingCall): string | undefined {
  const count = call.contentTypeCount();
  if (count > 1) throw unsupportedMediaType(`The request carries ${count} Content-Type headers; send one, "application/json".`);
  return call.header('content-type');
}

/** What a successful change's audit entry names as its target: the path's id, else the created resource's. */
function auditTarget(params: Readonly<Record<string, string>>, result: RouteResponse): string | null {
  if (result.audit?.target !== undefined) return result.audit.target;
  if (params.id !== undefined) return params.id;
  const body = result.body as { id?: unknown } | undefined;
  return body && typeof body.id === 'string' ? body.id : null;
}

export class RequestPipeline {
  constructor(private readonly services: AppServices) {}

  /**
   * Runs every step for `call` on `route`. Returns the handler's response (or a promise of it when
   * a step must wait); throws (or rejects with) an ApiError for every refusal, already recorded.
   */
  handle(prepared: PipelineRoute, call: IncomingCall): RouteResponse | Promise<RouteResponse> {
    const request = new PipelineRequest(call, this.services.clock.now(), this.services);
    try {
      const result = this.run(prepared, call, request);
      if (!(result instanceof Promise)) return result;
      return result.catch((error: unknown) => {
        this.recordRefusal(prepared, call, request, error);
        throw error;
      });
    } catch (error) {
      this.recordRefusal(prepared, call, request, error);
      throw error;
    }
  }

  /**
   * Unauthenticated traffic is limited per client address: requests to public routes, requests
   * whose credentials fail, and requests for paths no route serves. Throws 429 when over.
   */
  limitAnonymous(sourceIp: string, now: Date): void {
    const decision = this.services.anonymousRateLimiter.take(sourceIp, now.getTime());
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds, 'Too many unauthenticated requests from this address.');
  }

  private run(prepared: PipelineRoute, call: IncomingCall, request: PipelineRequest): RouteResponse | Promise<RouteResponse> {
    if (prepared.route.public) {
      this.limitAnonymous(call.sourceIp, request.now);
      return this.validate(prepared, call, request);
    }
    const authentication = this.authenticate(call, prepared.route.method, request.now);
    if (authentication instanceof Promise) return authentication.then((done) => this.admit(prepared, call, request, done));
    return this.admit(prepared, call, request, authentication);
  }

  /** IP allowlist, rate limit and the target; then the authorization decision. */
  private admit(prepared: PipelineRoute, call: IncomingCall, request: PipelineRequest, authentication: Authentication): RouteResponse | Promise<RouteResponse> {
    const { route } = prepared;
    const { services, now } = request;
    const { caller } = authentication;
    request.authentication = authentication;
    request.caller = caller;
    call.noteKey?.(caller.keyId);
    // Before anything about the target is looked at: a key used from the wrong place learns nothing.
    if (!isAllowed(call.sourceIp, caller.ipAllowlist)) {
      // From the address's bucket, not the key's: a leaked key used elsewhere must not drain the
      // legitimate holder's bucket, yet each refusal is audited, so it must not be free either.
      this.limitAnonymous(call.sourceIp, now);
      throw ipNotAllowed();
    }
    const rate = services.keyRateLimiter.take(caller.keyId, now.getTime());
    if (!rate.allowed) throw tooManyRequests(rate.retryAfterSeconds, 'This key is over its rate limit.');
    services.lastUsed.touch(caller.keyId, now.getTime(), call.sourceIp);
    if (!route.resolveTarget) return this.decide(prepared, call, request, caller, undefined);
    const resolved = route.resolveTarget(request);
    if (resolved instanceof Promise) return resolved.then((target) => this.decide(prepared, call, request, caller, target));
    return this.decide(prepared, call, request, caller, resolved);
  }

  /** `resolved`: what resolveTarget found (null: nothing), or undefined when the route has no target. */
  private decide(
    prepared: PipelineRoute,
    call: IncomingCall,
    request: PipelineRequest,
    caller: Caller,
    resolved: ResolvedTarget<unknown> | null | undefined,
  ): RouteResponse | Promise<RouteResponse> {
    const { route } = prepared;
    const decision = authorize(
      resolved !== undefined ? { caller, requiredScope: route.scope, target: resolved ? resolved.resource : null } : { caller, requiredScope: route.scope },
    );
    if (decision.outcome === 'not_found') {
      // Only a constraint or the principal's reach is worth recording: a missing or foreign id
      // is not (it would tell the log's reader that a foreign id exists).
      if (decision.cause === 'outside_constraint' || decision.cause === 'outside_reach') {
        this.recordDenial(prepared, call, caller, `not_found (${decision.cause})`, request.now);
      }
      throw notFound();
    }
    if (decision.outcome === 'insufficient_scope') throw insufficientScope(decision.scope);
    request.effectiveScopes = decision.effectiveScopes;
    request.target = resolved?.value;
    return this.validate(prepared, call, request);
  }

  /** The query string and the body, then the handler. */
  private validate(prepared: PipelineRoute, call: IncomingCall, request: PipelineRequest): RouteResponse | Promise<RouteResponse> {
    const { route } = prepared;
    // Every route validates its query string: one without a schema takes no parameters at all.
    if (route.querySchema || call.query !== undefined) request.query = withNormalizedName(validateQuery(route.querySchema, { ...(call.query ?? {}) }));
    if (!route.bodySchema) {
      // GET bodies mean nothing in HTTP and the fast path never reads them; a change that takes no
      // body refuses one, so a client that thinks it is sending options learns that they were not applied.
      if (route.method === 'get' || !call.hasBody()) return this.execute(prepared, call, request);
      return call.readBody().then((bytes) => {
        if (bytes.length > 0) {
          checkJsonContentType(singleContentType(call));
          throw validationFailed([{ pointer: '', detail: 'this operation takes no request body; send none' }]);
        }
        return this.execute(prepared, call, request);
      });
    }
    if (!call.hasBody()) {
      if (route.bodyRequired ?? true) throw validationFailed([{ pointer: '', detail: 'a JSON body is required' }]);
      request.body = {};
      validateBody(route.bodySchema, request.body);
      return this.execute(prepared, call, request);
    }
    checkJsonContentType(singleContentType(call));
    const schema = route.bodySchema;
    return call.readBody().then((bytes) => {
      // Normalized before validation, so the length rules apply to what will be stored.
      request.body = withNormalizedName(parseJsonBody(bytes));
      validateBody(schema, request.body);
      return this.execute(prepared, call, request);
    });
  }

  /**
   * 401s are also unauthenticated traffic, and a CSRF refusal (audited one by one) is as cheap to
   * provoke: each takes a token from the address's bucket (429, only counted, when none is left).
   */
  private authenticate(call: IncomingCall, method: string, now: Date): Authentication | Promise<Authentication> {
    const refused = (error: unknown): never => {
      if (error instanceof ApiError && (error.status === 401 || error.code === 'csrf_token_invalid')) this.limitAnonymous(call.sourceIp, now);
      throw error;
    };
    try {
      // A bearer key, or the dashboard's session cookie (+ CSRF token on changes): services/session-service.ts.
      const authentication = this.services.sessions.authenticateRequest(
        { method: method.toUpperCase(), authorization: call.header('authorization'), cookie: call.header('cookie'), csrfToken: call.header('x-csrf-token') },
        now,
      );
      return authentication instanceof Promise ? authentication.catch(refused) : authentication;
    } catch (error) {
      return refused(error);
    }
  }

  /**
   * A read runs its handler. A change (every audited route, and any request with an
   * Idempotency-Key) goes through services.changes: the idempotency lookup, the handler's writes,
   * the idempotency record and the success's audit entry commit in one transaction, and the
   * response is released only once that has committed (services/change-committer.ts).
   */
  private execute(prepared: PipelineRoute, call: IncomingCall, request: PipelineRequest): RouteResponse | Promise<RouteResponse> {
    const { route } = prepared;
    const caller = request.caller;
    const idempotencyKey = route.idempotent && caller ? call.header('idempotency-key') : undefined;
    if (!caller || (prepared.successAction === undefined && idempotencyKey === undefined)) return route.handler(request);
    // A change's handler runs inside the change's transaction, and so every query it makes.
    return this.services.changes.commit(
      {
        caller,
        now: request.now,
        sourceIp: call.sourceIp,
        method: route.method,
        body: request.body,
        ...(idempotencyKey !== undefined ? { idempotency: { idempotencyKey, path: call.path } } : {}),
        ...(idempotencyKey !== undefined && route.checkReplay ? { checkReplay: (stored: RouteResponse) => route.checkReplay!(request, stored) } : {}),
        ...(prepared.successAction !== undefined
          ? { audit: { action: prepared.successAction, target: (result: RouteResponse) => auditTarget(call.params, result) } }
          : {}),
      },
      async () => route.handler(request),
    );
  }

  /**
   * Every refusal is recorded: a known key's 401, every 403 (audited, after the response), and
   * anonymous 401s and every 429 (counted only; see services/denial-recorder.ts).
   */
  private recordRefusal(prepared: PipelineRoute, call: IncomingCall, request: PipelineRequest, error: unknown): void {
    if (!(error instanceof ApiError)) return;
    const { denials } = this.services;
    if (error.status === 429) {
      denials.count('rate_limited');
      return;
    }
    if (error.status !== 401 && error.status !== 403) return;
    const known = request.caller ?? auditContextOf(error);
    if (!known) {
      denials.count(error.code === 'invalid_token' ? 'invalid_token' : 'missing_credentials');
      return;
    }
    const detail = error.code === 'insufficient_scope' ? `insufficient_scope (${String(error.extensions.required_scope)})` : error.code;
    this.recordDenial(prepared, call, known, detail, request.now);
  }

  private recordDenial(prepared: PipelineRoute, call: IncomingCall, known: Caller | AuditContext, detail: string, now: Date): void {
    this.services.denials.record(
      {
        accountId: known.accountId,
        actorPrincipalId: known.principalId,
        keyId: known.keyId,
        action: prepared.name,
        target: auditablePath(call.path),
        sourceIp: call.sourceIp,
        outcome: 'denied',
        detail,
      },
      now,
    );
  }
}
