/**
 * Down-scoping of a key's constraint at mint time (docs/guides/scopes.md, docs/guides/api.md#endpoints). Pure. The scope half of the
 * rule (minting key's scopes ∩ minter's ceiling ∩ owner's ceiling) lives in minting.ts; this is
 * the tree half: a new key's constraint must lie inside what the key minting it can reach.
 *
 * A constrained minter must constrain the new key within its own subtree, and any constraint must
 * name a node the minter can see. Missing, another account's, outside the principal's teams and
 * outside the minting key's constraint all read the same, so the answer cannot be used to probe ids.
 */
import { ApiError, FieldError } from './errors';
import type { Offender as ScopeOffender } from './minting';
import { scopeEscalation } from './minting';
import { KeyConstraint, PrincipalReach, TargetAncestry, constraintNode, visibility } from './visibility';

export interface ConstraintOffender {
  /** JSON pointer into the request body. */
  readonly pointer: string;
  readonly detail: string;
}

export interface ConstraintCheck {
  readonly minter: PrincipalReach;
  readonly minterConstraint: KeyConstraint | null;
  readonly requested: KeyConstraint | null;
  /** Where the requested node sits (live nodes only), or null when there is no such node. */
  readonly requestedTarget: TargetAncestry | null;
}

export function constraintOffenders(check: ConstraintCheck): ConstraintOffender[] {
  const { minter, minterConstraint, requested, requestedTarget } = check;
  if (!requested) {
    if (!minterConstraint) return [];
    const own = constraintNode(minterConstraint);
    return [
      {
        pointer: '/constraint',
        detail: `the key making this request is constrained to ${own.kind} ${own.id}; a key it mints must be constrained within it`,
      },
    ];
  }
  if (requestedTarget !== null && visibility(minter, minterConstraint, requestedTarget).visible) return [];
  const node = constraintNode(requested);
  return [
    {
      pointer: `/constraint/${node.kind}_id`,
      detail: `${node.kind} ${node.id} is not within what the key making this request can reach (or does not exist)`,
    },
  ];
}

/** One 403 listing every offender, scopes and constraint alike (docs/guides/scopes.md, down-scoping). */
export function keyEscalation(scopes: readonly ScopeOffender[], constraint: readonly ConstraintOffender[]): ApiError {
  if (constraint.length === 0) return scopeEscalation(scopes);
  const base = scopes.length > 0 ? scopeEscalation(scopes) : undefined;
  const errors: FieldError[] = [...(base?.errors ?? []), ...constraint.map((o) => ({ pointer: o.pointer, detail: o.detail }))];
  return new ApiError({
    code: 'scope_escalation',
    detail: [base?.detail, ...constraint.map((o) => `${o.pointer}: ${o.detail}`)].filter(Boolean).join(' '),
    errors,
    extensions: { offending_scopes: scopes.map((o) => o.scope), offending_constraint: constraint.map((o) => o.pointer) },
  });
}
