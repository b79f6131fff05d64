/**
 * The one authorization decision (docs/guides/scopes.md, docs/guides/api.md#authorization-one-decision). Every route goes through `authorize`; the scope a
 * route needs comes from the route table (http/route-table.ts), never from the handler.
 *
 * Order matters for existence hiding: visibility (account, constraint, principal reach) is decided
 * before the scope, so a resource the caller cannot see is a 404 whatever scopes the key has, and
 * only a visible resource can produce 403 insufficient_scope.
 */
import { NotFoundCause, decideAccess, effectiveScopes as effectiveScopesOf } from './access-decision';
import { Role } from '@managed-dev/contract';
import type { KeyConstraint } from './visibility';
import type { PrincipalReach, TargetAncestry } from './visibility';

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

/**
 * What a decision needs of a caller beyond its fields: the reach its principal has in the tree,
 * and the "allow" answer with its effective scopes. Both depend only on the caller.
 */
interface CallerFacts {
  readonly reach: PrincipalReach;
  readonly allow: AuthorizationDecision & { readonly outcome: 'allow' };
}

// A cached authentication hands out the same Caller object until the database changes, so what
// follows from it is worked out once per caller, not once per request: a request then allocates
// neither the reach nor the decision. Both are frozen, as they are shared by every request that
// caller makes; a Caller is immutable, so the memo can never disagree with a fresh computation.
const factsByCaller = new WeakMap<Caller, CallerFacts>();
function factsOf(caller: Caller): CallerFacts {
  let facts = factsByCaller.get(caller);
  if (!facts) {
    facts = {
      reach: Object.freeze({ accountId: caller.accountId, role: caller.role, teamIds: caller.teamIds ?? [] }),
      allow: Object.freeze({ outcome: 'allow', effectiveScopes: Object.freeze(effectiveScopes(caller.keyScopes, caller.role)) }),
    };
    factsByCaller.set(caller, facts);
  }
  return facts;
}

/** What the caller's principal reaches in the tree (role and, for members/viewers, their teams). Shared and frozen. */
export function reachOf(caller: Caller): PrincipalReach {
  return factsOf(caller).reach;
}

/**
 * Where a target sits in the tree; null for account-level resources outside the tree (keys, audit…).
 * Written out field by field rather than spread: one object of one shape on every request.
 */
function ancestryOf(target: TargetResource): TargetAncestry | null {
  const { placement } = target;
  if (placement) return { accountId: target.accountId, teamId: placement.teamId, projectId: placement.projectId, siteId: placement.siteId };
  if (target.accountWide) return { accountId: target.accountId };
  return null;
}

export function authorize(request: AuthorizationRequest): AuthorizationDecision {
  const { caller, requiredScope, target } = request;
  if (target === null) return { outcome: 'not_found', cause: 'missing' };
  if (target !== undefined && target.accountId !== caller.accountId) return { outcome: 'not_found', cause: 'other_account' };
  const facts = factsOf(caller);
  const decision = decideAccess({
    principal: facts.reach,
    keyScopes: caller.keyScopes,
    constraint: caller.constraint,
    target: target === undefined ? null : ancestryOf(target),
    neededScope: requiredScope,
  });
  if (decision.outcome === 'not_found') return decision;
  if (decision.outcome === 'insufficient_scope') return { outcome: 'insufficient_scope', scope: decision.neededScope };
  return facts.allow;
}
