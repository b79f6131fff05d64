/**
 * Down-scoping at mint and update time (SPEC §3, §5.1). Pure.
 *
 * A new or updated key may hold only what its minter could itself use right now:
 *   scopes ⊆ minting key's scopes ∩ ceiling(minting principal's role) ∩ ceiling(owning principal's role)
 *   constraint ⊆ the minting key's constraint, and inside what the minting principal reaches.
 * The owning principal differs from the minter only when an owner/admin mints for a service account.
 *
 * Every violation is reported (not just the first) so a caller can fix the request in one go.
 */
import { Role, ROLES } from './scope-catalog';
import { intersectScopes, roleCeiling } from './scopes';
import { KeyConstraint, PrincipalReach, TargetAncestry, constraintNode, visibility } from './visibility';

export interface Offender {
  /** JSON pointer into the request body. */
  readonly pointer: string;
  /** The concrete catalog scope that is out of reach, for scope offenders. */
  readonly scope?: string;
  readonly detail: string;
}

export interface Minter extends PrincipalReach {
  /** Concrete scopes the minting key holds (its preset and patterns expanded). */
  readonly keyScopes: readonly string[];
  readonly constraint: KeyConstraint | null;
}

export interface MintCheck {
  readonly minter: Minter;
  /** Role of the principal the key belongs to (the minter itself unless principal_id was given). */
  readonly ownerRole: Role;
  readonly ownerIsMinter: boolean;
  /** Concrete scopes requested (preset and patterns expanded). */
  readonly requestedScopes: readonly string[];
  readonly requestedConstraint: KeyConstraint | null;
  /** Where the requested constraint node sits, or null when it does not exist (in this account). */
  readonly constraintTarget: TargetAncestry | null;
}

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** The scopes the minter may hand out to a key owned by a principal with `ownerRole`. */
export function grantableScopes(minter: Minter, ownerRole: Role): string[] {
  return intersectScopes(intersectScopes(minter.keyScopes, roleCeiling(minter.role)), roleCeiling(ownerRole));
}

function scopeOffenders(check: MintCheck): Offender[] {
  const keyScopes = new Set(check.minter.keyScopes);
  const minterCeiling = new Set(roleCeiling(check.minter.role));
  const ownerCeiling = new Set(roleCeiling(check.ownerRole));
  const offenders: Offender[] = [];
  for (const scope of [...new Set(check.requestedScopes)].sort()) {
    const reasons: string[] = [];
    if (!minterCeiling.has(scope)) reasons.push(`the minting principal's role "${check.minter.role}" does not include it`);
    if (!keyScopes.has(scope)) reasons.push('the key making this request does not hold it');
    if (!check.ownerIsMinter && !ownerCeiling.has(scope)) {
      reasons.push(`the owning principal's role "${check.ownerRole}" does not include it`);
    }
    if (reasons.length > 0) offenders.push({ pointer: '/scopes', scope, detail: `${scope}: ${reasons.join('; ')}` });
  }
  return offenders;
}

function constraintPointer(constraint: KeyConstraint): string {
  const node = constraintNode(constraint);
  return `/constraint/${node.kind}_id`;
}

function constraintOffenders(check: MintCheck): Offender[] {
  const { minter, requestedConstraint, constraintTarget } = check;
  if (!requestedConstraint) {
    if (!minter.constraint) return [];
    const node = constraintNode(minter.constraint);
    return [
      {
        pointer: '/constraint',
        detail: `the key making this request is constrained to ${node.kind} ${node.id}; a key it mints must be constrained within it`,
      },
    ];
  }
  // Missing, in another account, outside the principal's teams or outside the minting key's
  // constraint all read the same, so this answer cannot be used to probe for ids.
  const reachable = constraintTarget !== null && visibility(minter, minter.constraint, constraintTarget).visible;
  if (reachable) return [];
  const node = constraintNode(requestedConstraint);
  return [
    {
      pointer: constraintPointer(requestedConstraint),
      detail: `${node.kind} ${node.id} is not within what the key making this request can reach (or does not exist)`,
    },
  ];
}

/** Every reason the requested key would exceed its minter; empty when it may be minted. */
export function mintOffenders(check: MintCheck): Offender[] {
  const offenders = [...scopeOffenders(check), ...constraintOffenders(check)];
  if (!check.ownerIsMinter && roleRank(check.ownerRole) > roleRank(check.minter.role)) {
    offenders.push({
      pointer: '/principal_id',
      detail: `the owning principal's role "${check.ownerRole}" is above the minting principal's role "${check.minter.role}"`,
    });
  }
  return offenders;
}
