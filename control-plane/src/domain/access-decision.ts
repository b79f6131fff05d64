/**
 * The one authorization decision for a request on a resource (docs/guides/api.md#authorization-one-decision, docs/guides/api.md#endpoints). Pure.
 *
 * Order matters for existence hiding: the target is checked before the scope, so a key without
 * the scope still cannot tell an existing-but-invisible resource from a missing one (both 404),
 * and only a caller that can see the target learns which scope it lacks (403).
 */
import { intersectScopes, Role, roleCeiling } from '@managed-dev/contract';
import { KeyConstraint, PrincipalReach, TargetAncestry, visibility } from './visibility';

export interface AccessRequest {
  readonly principal: PrincipalReach;
  /** Concrete scopes the key holds (preset and patterns expanded), before the role ceiling. */
  readonly keyScopes: readonly string[];
  readonly constraint: KeyConstraint | null;
  /**
   * The resource the request acts on: its ancestry, `'missing'` when the id resolves to nothing,
   * or `null` for account-level routes that have no resource in the tree (whoami, keys, audit…).
   */
  readonly target: TargetAncestry | 'missing' | null;
  /** The scope the route needs, or null for routes any valid key may call. */
  readonly neededScope: string | null;
}

export type NotFoundCause = 'missing' | 'other_account' | 'outside_reach' | 'outside_constraint';

export type AccessDecision =
  | { readonly outcome: 'allow' }
  | { readonly outcome: 'not_found'; readonly cause: NotFoundCause }
  | { readonly outcome: 'insufficient_scope'; readonly neededScope: string };

const ALLOW: AccessDecision = Object.freeze({ outcome: 'allow' });

// Role ceilings are expanded once per role: the decision runs on every request.
const ceilingCache = new Map<Role, ReadonlySet<string>>();
export function ceilingSet(role: Role): ReadonlySet<string> {
  let ceiling = ceilingCache.get(role);
  if (!ceiling) {
    ceiling = new Set(roleCeiling(role));
    ceilingCache.set(role, ceiling);
  }
  return ceiling;
}

/** Key scopes ∩ ceiling(current role): demoting a principal shrinks every key it owns at once. */
export function effectiveScopes(keyScopes: readonly string[], role: Role): string[] {
  return intersectScopes(keyScopes, ceilingSet(role));
}

export function holdsScope(keyScopes: readonly string[], role: Role, scope: string): boolean {
  return ceilingSet(role).has(scope) && keyScopes.includes(scope);
}

export function decideAccess(request: AccessRequest): AccessDecision {
  const { target } = request;
  if (target === 'missing') return { outcome: 'not_found', cause: 'missing' };
  if (target !== null) {
    const verdict = visibility(request.principal, request.constraint, target);
    if (!verdict.visible) return { outcome: 'not_found', cause: verdict.reason };
  }
  if (request.neededScope !== null && !holdsScope(request.keyScopes, request.principal.role, request.neededScope)) {
    return { outcome: 'insufficient_scope', neededScope: request.neededScope };
  }
  return ALLOW;
}
