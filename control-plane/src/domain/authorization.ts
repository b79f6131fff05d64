/**
 * The one authorization decision (SPEC §3, §5). Every route goes through `authorize`; the scope a
 * route needs comes from the route table (http/route-table.ts), never from the handler.
 *
 * Order matters for existence hiding: visibility (account, constraint, principal reach) is decided
 * before the scope, so a resource the caller cannot see is a 404 whatever scopes the key has, and
 * only a visible resource can produce 403 insufficient_scope.
 */
import { Role } from './scope-catalog';
import { intersectScopes, roleCeiling } from './scopes';

export type KeyConstraint = { readonly team_id: string } | { readonly project_id: string } | { readonly site_id: string };

/** Who is calling: the authenticated key and its principal, as loaded for this request. */
export interface Caller {
  readonly accountId: string;
  readonly principalId: string;
  /** The principal's role now (not when the key was minted): demotion shrinks keys at once. */
  readonly role: Role;
  readonly keyId: string;
  /** The concrete catalog scopes the key's preset and patterns grant (already expanded). */
  readonly keyScopes: readonly string[];
  readonly constraint: KeyConstraint | null;
  readonly ipAllowlist: readonly string[];
}

/**
 * What the request touches. Account-level resources (keys, members, audit, the account) have no
 * `placement`; tree resources carry their ancestry so a constraint can be checked without a query.
 */
export interface TargetResource {
  readonly accountId: string;
  readonly placement?: {
    readonly teamId: string;
    readonly projectId?: string;
    readonly siteId?: string;
  };
}

export interface AuthorizationRequest {
  readonly caller: Caller;
  /** The scope the route needs; null = any valid key. */
  readonly requiredScope: string | null;
  /**
   * undefined: the route has no target (collections at account level, whoami).
   * null: the route has a target and it does not exist → 404.
   */
  readonly target?: TargetResource | null;
}

export type AuthorizationDecision =
  | { readonly outcome: 'allow'; readonly effectiveScopes: readonly string[] }
  | { readonly outcome: 'not_found' }
  | { readonly outcome: 'insufficient_scope'; readonly scope: string };

/** Key scopes ∩ ceiling(principal's current role). */
export function effectiveScopes(keyScopes: readonly string[], role: Role): string[] {
  return intersectScopes(keyScopes, roleCeiling(role));
}

/** True when a key with this constraint may see a resource placed here. */
export function constraintReaches(constraint: KeyConstraint | null, target: TargetResource): boolean {
  if (!constraint || !target.placement) return true;
  const placement = target.placement;
  if ('team_id' in constraint) return placement.teamId === constraint.team_id;
  if ('project_id' in constraint) return placement.projectId === constraint.project_id;
  return placement.siteId === constraint.site_id;
}

export function authorize(request: AuthorizationRequest): AuthorizationDecision {
  const { caller, requiredScope, target } = request;
  if (target === null) return { outcome: 'not_found' };
  if (target !== undefined) {
    if (target.accountId !== caller.accountId) return { outcome: 'not_found' };
    if (!constraintReaches(caller.constraint, target)) return { outcome: 'not_found' };
  }
  const effective = effectiveScopes(caller.keyScopes, caller.role);
  if (requiredScope !== null && !effective.includes(requiredScope)) {
    return { outcome: 'insufficient_scope', scope: requiredScope };
  }
  return { outcome: 'allow', effectiveScopes: effective };
}
