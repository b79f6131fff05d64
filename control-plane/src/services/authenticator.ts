/**
 * Bearer-key authentication (SPEC §5): turns an Authorization header into a Caller or a 401.
 * The secret is checked offline first (shape and checksum), so garbage never reaches the database.
 */
import type { Caller } from '../domain/authorization';
import { ApiError, invalidToken, missingCredentials } from '../domain/errors';
import { keyStatus } from '../domain/key-rules';
import { grantedScopes } from '../domain/scopes';
import { checkSecret } from '../domain/secret';
import { digestsEqual, hashSecret } from '../domain/secret-hash';
import type { KeyRepository, StoredKey } from '../storage/key-repository';
import type { Principal, PrincipalRepository } from '../storage/principal-repository';
import type { TreeRepository } from '../storage/tree-repository';
import { reachesEveryTeam } from '../domain/visibility';

export interface Authentication {
  readonly caller: Caller;
  readonly key: StoredKey;
  readonly principal: Principal;
}

const BEARER = /^Bearer +(\S+) *$/i;

export class Authenticator {
  constructor(
    private readonly pepper: Buffer,
    private readonly keys: KeyRepository,
    private readonly principals: PrincipalRepository,
    private readonly tree: TreeRepository,
  ) {}

  /** Throws ApiError 401 (missing credentials or invalid_token); returns who is calling otherwise. */
  authenticate(authorization: string | undefined, now: Date): Authentication {
    if (authorization === undefined || authorization.trim() === '') throw missingCredentials();
    const match = BEARER.exec(authorization);
    if (!match) throw invalidToken('The Authorization header must be "Bearer <key>".');
    const secret = match[1]!;
    const check = checkSecret(secret);
    if (!check.ok) {
      throw invalidToken(
        check.reason === 'checksum'
          ? 'The key fails its checksum: it was mistyped or truncated.'
          : 'The key is malformed: expected "mdk_" followed by 46 letters and digits.',
      );
    }
    const hash = hashSecret(this.pepper, secret);
    const found = this.keys.findBySecretHash(hash, now.getTime());
    if (!found || !digestsEqual(found.storedHash, hash)) throw invalidToken('The key is unknown, or was rotated out.');
    const { key } = found;
    const status = keyStatus(key, now.getTime());
    if (status !== 'active') throw withAuditContext(invalidToken(`The key is ${status}.`), key);
    const principal = this.principals.findById(key.principalId);
    if (!principal || principal.deletedAt !== null) throw withAuditContext(invalidToken("The key's principal no longer exists."), key);
    return {
      key,
      principal,
      caller: {
        accountId: key.accountId,
        principalId: principal.id,
        role: principal.role,
        keyId: key.id,
        keyScopes: grantedScopes(key.preset, key.scopes),
        constraint: key.constraint,
        ipAllowlist: key.ipAllowlist,
        // Members and viewers reach only their teams; owners and admins reach all, so skip the query.
        ...(reachesEveryTeam(principal.role) ? {} : { teamIds: this.tree.teamIdsOf(principal.id) }),
      },
    };
  }
}

/**
 * Who a refused-but-known key belonged to, for the audit log (a revoked key's use is recorded in
 * its own account's chain). Kept off the problem body, which must not say whose key it was.
 */
export interface AuditContext {
  readonly accountId: string;
  readonly keyId: string;
  readonly principalId: string;
}

const auditContexts = new WeakMap<ApiError, AuditContext>();

function withAuditContext(error: ApiError, key: StoredKey): ApiError {
  auditContexts.set(error, { accountId: key.accountId, keyId: key.id, principalId: key.principalId });
  return error;
}

export function auditContextOf(error: ApiError): AuditContext | undefined {
  return auditContexts.get(error);
}

export function isAuthenticationError(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 401;
}
