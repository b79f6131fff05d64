/**
 * The shape of one API route. Every route of the product is a RouteDefinition in one list
 * (http/route-table.ts); Express routes, authentication, authorization, body validation,
 * idempotency and the OpenAPI document are all built from that list, so the scope a route needs
 * is written exactly once.
 */
import type { Caller, TargetResource } from '../domain/authorization';
import type { AppServices } from '../services/app-services';
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

export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides what the audit entry of a successful change records (default: the path's `id`, or the body's). */
  readonly audit?: { readonly target?: string; readonly detail?: string };
}

/** What `resolveTarget` returns for an existing resource; return null when it does not exist. */
export interface ResolvedTarget<Target> {
  /** Fed to the authorization decision (account, place in the tree). */
  readonly resource: TargetResource;
  /** Handed to the handler as `request.target`, so it need not load the row again. */
  readonly value: Target;
}

export interface ResponseDescription {
  readonly description: string;
  /** A JSON Schema (or `{ $ref }`) for the success body, used only in the OpenAPI document. */
  readonly schema?: JsonSchema;
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
   * Audit action recorded when the route succeeds (SPEC §6), e.g. "key.create". Every route but
   * GET is audited; without a name the action is "<METHOD> <path>".
   */
  readonly audit?: string;
  /** Honour an `Idempotency-Key` header (SPEC §4). */
  readonly idempotent?: boolean;
  /** Success responses for the OpenAPI document, by status code. */
  readonly responses: Readonly<Record<number, ResponseDescription>>;
  /**
   * Loads the resource the path names, before authorization, so a resource outside the caller's
   * account or constraint is a 404 (existence hiding) rather than a 403. Runs after authentication.
   */
  readonly resolveTarget?: (request: Omit<RouteRequest<unknown, undefined>, 'body' | 'target' | 'effectiveScopes'>) => ResolvedTarget<Target> | null;
  readonly handler: (request: RouteRequest<Body, Target>) => RouteResponse | Promise<RouteResponse>;
}

/** Identity helper that keeps Body/Target inference while the list stays RouteDefinition<any, any>[]. */
export function defineRoute<Body = unknown, Target = unknown>(route: RouteDefinition<Body, Target>): RouteDefinition<Body, Target> {
  return route;
}

// The table is heterogeneous in Body/Target; handlers are typed where they are defined.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRouteDefinition = RouteDefinition<any, any>;
