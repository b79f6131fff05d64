/**
 * The one authorization decision (SPEC §3, §5). Every route goes through `authorize`; the scope a
 * route needs comes from the route table (http/route-table.ts), never from the handler.
 *
 * Order matters for existence hiding: visibility (account, constraint, principal reach) is decided
 * before the scope, so a resource the caller cannot see is a 404 whatever scopes the key has, and
 * only a visible resource can produce 403 insufficient_scope.
 */
import { NotFoundCause, decideAccess, effectiveScopes as effectiveScopesOf } from './access-decision';
import { Role } from './scope-catalog';
import type { KeyConstraint } from './visibility';
import { PrincipalReach, TargetAncestry, constraintCovers } from './visibility';

export type { KeyConstraint } from './visibility';

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
  /** Teams the principal belongs to; loaded for `member` and `viewer`, whose reach they bound. */
  readonly teamIds?: readonly string[];
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
  /**
   * The root of the account's tree itself (creating a team, managing principals): no constrained
   * key reaches it, so a key pinned to a team can neither create teams nor hand out roles.
   */
  readonly accountWide?: boolean;
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
  /** `cause` is for the audit log only; the response never depends on it (existence hiding). */
  | { readonly outcome: 'not_found'; readonly cause: NotFoundCause }
  | { readonly outcome: 'insufficient_scope'; readonly scope: string };

/** Key scopes ∩ ceiling(principal's current role). */
export function effectiveScopes(keyScopes: readonly string[], role: Role): string[] {
  return effectiveScopesOf(keyScopes, role);
}

// A cached authentication hands out the same Caller object until the database changes, so its
// effective scopes are computed once per caller rather than once per request.
const effectiveByCaller = new WeakMap<Caller, readonly string[]>();
function effectiveScopesOfCaller(caller: Caller): readonly string[] {
  let effective = effectiveByCaller.get(caller);
  if (!effective) {
    effective = effectiveScopes(caller.keyScopes, caller.role);
    effectiveByCaller.set(caller, effective);
  }
  return effective;
}

/** True when a key with this constraint may see a resource placed here. */
export function constraintReaches(constraint: KeyConstraint | null, target: TargetResource): boolean {
  const ancestry = ancestryOf(target);
  return ancestry === null || constraintCovers(constraint, ancestry);
}

/** What the caller's principal reaches in the tree (role and, for members/viewers, their teams). */
export function reachOf(caller: Caller): PrincipalReach {
  return { accountId: caller.accountId, role: caller.role, teamIds: caller.teamIds ?? [] };
}

/** Where a target sits in the tree; null for account-level resources outside the tree (keys, audit…). */
function ancestryOf(target: TargetResource): TargetAncestry | null {
  if (target.placement) return { accountId: target.accountId, ...target.placement };
  if (target.accountWide) return { accountId: target.accountId };
  return null;
}

export function authorize(request: AuthorizationRequest): AuthorizationDecision {
  const { caller, requiredScope, target } = request;
  if (target === null) return { outcome: 'not_found', cause: 'missing' };
  if (target !== undefined && target.accountId !== caller.accountId) return { outcome: 'not_found', cause: 'other_account' };
  const ancestry = target === undefined ? null : ancestryOf(target);
  const decision = decideAccess({
    principal: reachOf(caller),
    keyScopes: caller.keyScopes,
    constraint: caller.constraint,
    target: ancestry,
    neededScope: requiredScope,
  });
  if (decision.outcome === 'not_found') return decision;
  if (decision.outcome === 'insufficient_scope') return { outcome: 'insufficient_scope', scope: decision.neededScope };
  return { outcome: 'allow', effectiveScopes: effectiveScopesOfCaller(caller) };
}
