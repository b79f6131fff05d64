/**
 * The shape of one API route. Every route of the product is a RouteDefinition in one list
 * (http/route-table.ts); Express routes, authentication, authorization, body validation,
 * idempotency and the OpenAPI document are all built from that list, so the scope a route needs
 * is written exactly once.
 */
import type { ErrorCode } from '@managed-dev/contract';
import type { Caller, TargetResource } from '../domain/authorization';
import type { AppServices } from '../services/app-services';
import type { ChangeResponse } from '../services/change-response';
import type { Authentication } from '../services/authenticator';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A JSON Schema document (draft 2020-12). Body schemas live in schema/*.schema.json and carry an `$id`. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What a handler gets: transport details already checked and parsed. */
export interface RouteRequest<Body = unknown, Target = unknown> {
  /** Path parameters, named as in the route's `{param}` placeholders. */
  readonly params: Readonly<Record<string, string>>;
  /** Query parameters after validation against `querySchema` (numbers coerced). */
  readonly query: Readonly<Record<string, unknown>>;
  /** The request body after validation against `bodySchema` (undefined for routes without one). */
  readonly body: Body;
  /** The authenticated caller; null only on `public` routes. */
  readonly caller: Caller | null;
  /**
   * The key and principal authentication loaded for `caller` (null only on `public` routes): as
   * current as a fresh read, since the authenticator's cache is dropped on every database write,
   * so a handler that shows them needs no second query.
   */
  readonly authentication: Authentication | null;
  /** The caller's effective scopes for this request (key scopes ∩ role ceiling); empty on public routes. */
  readonly effectiveScopes: readonly string[];
  /** What `resolveTarget` loaded (undefined when the route has none). */
  readonly target: Target;
  /** The peer address the request came from. */
  readonly sourceIp: string;
  /** Served over TLS (directly, or X-Forwarded-Proto from a trusted proxy); decides the cookie's Secure flag. */
  readonly secureTransport?: boolean;
  /** Request time, read once from the injected clock. */
  readonly now: Date;
  readonly services: AppServices;
  header(name: string): string | undefined;
}

/** What a handler answers (status, body, headers, audit overrides): services/change-response.ts. */
export type RouteResponse = ChangeResponse;

/** What `resolveTarget` returns for an existing resource; return null when it does not exist. */
export interface ResolvedTarget<Target> {
  /** Fed to the authorization decision (account, place in the tree). */
  readonly resource: TargetResource;
  /** Handed to the handler as `request.target`, so it need not load the row again. */
  readonly value: Target;
}

/** A response header as the OpenAPI document describes it. */
export interface ResponseHeader {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface ResponseDescription {
  readonly description: string;
  /**
   * A JSON Schema (or `{ $ref }`) for the success body, used in the OpenAPI document (and by the
   * tests' response validator). Object schemas without `required` require every property.
   */
  readonly schema?: JsonSchema;
  /** Default application/json. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, ResponseHeader>>;
}

export interface RouteDefinition<Body = unknown, Target = unknown> {
  readonly method: HttpMethod;
  /** OpenAPI-style path, e.g. "/v1/keys/{id}". */
  readonly path: string;
  /** The scope the route needs; null = any valid key. Ignored when `public`. */
  readonly scope: string | null;
  /** Public routes need no credentials at all (the scope catalog, presets). */
  readonly public?: boolean;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** JSON Schema the body must satisfy; routes without one ignore any body. */
  readonly bodySchema?: JsonSchema;
  /** Whether a body must be sent when `bodySchema` is set (default true). Without one, `{}` is validated. */
  readonly bodyRequired?: boolean;
  /** JSON Schema for the query string (an object schema; values arrive as strings and are coerced). */
  readonly querySchema?: JsonSchema;
  /**
   * Audit action recorded when the route succeeds (docs/guides/api.md#audit), e.g. "key.create". Every route but
   * GET is audited; without a name the action is "<METHOD> <path>".
   */
  readonly audit?: string;
  /** Honour an `Idempotency-Key` header (docs/guides/api.md#keys). */
  readonly idempotent?: boolean;
  /**
   * Before a stored response is replayed (idempotent routes): throws when the caller may no
   * longer be handed it. A replay of a secret is handing that secret out again, so it needs the
   * authority a fresh request would need today, not the authority the caller had when it first asked.
   */
  checkReplay?(request: RouteRequest<Body, Target>, stored: RouteResponse): void | Promise<void>;
  /**
   * Problem codes this route can answer with beyond those every route of its kind shares
   * (credentials, target, body, idempotency: see errorCodesOf in http/openapi.ts).
   */
  readonly errors?: readonly ErrorCode[];
  /** A request body the server accepts, shown in the OpenAPI document. */
  readonly bodyExample?: unknown;
  /** Success responses for the OpenAPI document, by status code. */
  readonly responses: Readonly<Record<number, ResponseDescription>>;
  /**
   * Loads the resource the path names, before authorization, so a resource outside the caller's
   * account or constraint is a 404 (existence hiding) rather than a 403. Runs after authentication.
   * A resolver that needs no database read (nothing to load) answers synchronously.
   */
  readonly resolveTarget?: (
    request: Omit<RouteRequest<unknown, undefined>, 'body' | 'target' | 'effectiveScopes'>,
  ) => ResolvedTarget<Target> | null | Promise<ResolvedTarget<Target> | null>;
  /**
   * Written as a method on purpose: methods compare their parameters bivariantly, which is what
   * lets a route typed for its own body sit in the table of all routes (AnyRouteDefinition). The
   * pipeline only ever passes a route the body its `bodySchema` validated. A change's handler
   * runs inside the change's transaction (services/change-committer.ts): every query it awaits
   * belongs to it.
   */
  handler(request: RouteRequest<Body, Target>): RouteResponse | Promise<RouteResponse>;
}

/** "POST /v1/keys": how logs and the audit log name a route. */
export function routeNameOf(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method.toUpperCase()} ${route.path}`;
}

/**
 * What a successful call of the route records as its audit action: its `audit` name, else its
 * route name for changes; GETs record nothing when they succeed.
 */
export function successActionOf(route: Pick<RouteDefinition, 'method' | 'path' | 'audit'>): string | undefined {
  return route.audit ?? (route.method === 'get' ? undefined : routeNameOf(route));
}

/** Every action the audit log can hold for these routes: success actions, and route names (denials). */
export function auditActionsOf(routes: ReadonlyArray<Pick<RouteDefinition, 'method' | 'path' | 'audit'>>): string[] {
  const actions = new Set<string>();
  for (const route of routes) {
    const success = successActionOf(route);
    if (success !== undefined) actions.add(success);
    actions.add(routeNameOf(route));
  }
  return [...actions].sort();
}

/** Identity helper that keeps Body/Target inference while the list stays RouteDefinition<any, any>[]. */
export function defineRoute<Body = unknown, Target = unknown>(route: RouteDefinition<Body, Target>): RouteDefinition<Body, Target> {
  return route;
}

/** A route of the table, whatever its body and target; handlers are typed where they are defined. */
export type AnyRouteDefinition = RouteDefinition<unknown, unknown>;
