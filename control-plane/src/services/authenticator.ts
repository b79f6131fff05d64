/**
 * Bearer-key authentication (docs/guides/api.md): turns an Authorization header into a Caller or a 401.
 * The secret is checked offline first (shape and checksum), so garbage never reaches the database.
 */
import type { KeyObject } from 'node:crypto';
import type { Caller } from '../domain/authorization';
import { ApiError, invalidToken, missingCredentials } from '../domain/errors';
import { keyStatus } from '../domain/key-rules';
import { checkSecret, grantedScopes } from '@managed-dev/contract';
import { digestsEqual, hashSecret, pepperKey } from '../domain/secret-hash';
import type { KeyRepository, StoredKey } from '../storage/key-repository';
import type { Principal, PrincipalRepository } from '../storage/principal-repository';
import type { TreeRepository } from '../storage/tree-repository';
import { reachesEveryTeam } from '../domain/visibility';

/** A number that moves whenever the database changed (SqlDatabase.changeStamp). */
export type ChangeStamp = () => number;

/** What a secret resolved to, kept until the next database write (see storage/change-stamp.ts). */
interface CachedAuthentication {
  readonly authentication: Authentication | null;
  readonly key: StoredKey;
  readonly storedHash: Buffer;
  /** When this secret stops being accepted (rotation grace), or null. */
  readonly secretValidUntil: number | null;
  readonly principal: Principal | undefined;
}

/** Bounds memory under a flood of distinct valid keys; the cache only saves work, never decides. */
const MAX_CACHED_KEYS = 10_000;

export interface Authentication {
  readonly caller: Caller;
  readonly key: StoredKey;
  readonly principal: Principal;
  /** HMAC of the secret presented: what a dashboard session keeps to authenticate as this same secret. */
  readonly secretHash: Buffer;
}

const BEARER = /^Bearer +(\S+) *$/i;

export class Authenticator {
  private readonly pepperKey: KeyObject;

  constructor(
    pepper: Buffer,
    private readonly keys: KeyRepository,
    private readonly principals: PrincipalRepository,
    private readonly tree: TreeRepository,
    private readonly stamp: ChangeStamp = () => Math.random(),
  ) {
    this.pepperKey = pepperKey(pepper);
  }

  private readonly cache = new Map<string, CachedAuthentication>();
  private cacheStamp = Number.NaN;

  /**
   * The hot path: the key row, its principal and the expanded scopes are read once and reused
   * until anything is written to the database (a revocation, a role change, a new membership…),
   * so a busy key costs one HMAC and a stamp read instead of three queries, and no promise.
   */
  private cached(cacheKey: string, now: number): CachedAuthentication | undefined {
    const stamp = this.stamp();
    if (stamp !== this.cacheStamp) {
      this.cache.clear();
      this.cacheStamp = stamp;
    }
    const cached = this.cache.get(cacheKey);
    return cached && (cached.secretValidUntil === null || cached.secretValidUntil > now) ? cached : undefined;
  }

  /**
   * Reads the key, its principal and (for members and viewers) its teams. What was read is cached
   * only if nothing was written meanwhile: the stamp is read before the first query and compared
   * after the last, so a revocation that lands between the reads never leaves a stale entry behind.
   */
  private async load(cacheKey: string, hash: Buffer, now: number): Promise<CachedAuthentication | undefined> {
    const stampBefore = this.stamp();
    const found = await this.keys.findBySecretHash(hash, now);
    if (!found) return undefined;
    const principal = await this.principals.findById(found.key.principalId);
    const live = principal && principal.deletedAt === null ? principal : undefined;
    const entry: CachedAuthentication = {
      key: found.key,
      storedHash: found.storedHash,
      secretValidUntil: found.secretValidUntil,
      principal,
      authentication: live ? await this.buildAuthentication(found.key, live, hash) : null,
    };
    const stampAfter = this.stamp();
    if (stampAfter === stampBefore) {
      if (stampAfter !== this.cacheStamp) {
        this.cache.clear();
        this.cacheStamp = stampAfter;
      }
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
      this.cache.set(cacheKey, entry);
    }
    return entry;
  }

  private async buildAuthentication(key: StoredKey, principal: Principal, secretHash: Buffer): Promise<Authentication> {
    // Members and viewers reach only their teams; owners and admins reach all, so skip the query.
    const teamIds = reachesEveryTeam(principal.role) ? undefined : await this.tree.teamIdsOf(principal.id);
    return {
      key,
      principal,
      secretHash,
      caller: {
        accountId: key.accountId,
        principalId: principal.id,
        role: principal.role,
        keyId: key.id,
        keyScopes: grantedScopes(key.preset, key.scopes),
        constraint: key.constraint,
        ipAllowlist: key.ipAllowlist,
        ...(teamIds ? { teamIds } : {}),
      },
    };
  }

  /**
   * Throws ApiError 401 (missing credentials or invalid_token); returns who is calling otherwise.
   * A cached secret is answered synchronously (no promise on the hot path); one that must be read
   * from the database comes as a promise, which rejects with the same 401s.
   */
  authenticate(authorization: string | undefined, now: Date): Authentication | Promise<Authentication> {
    if (authorization === undefined || authorization.trim() === '') throw missingCredentials();
    const match = BEARER.exec(authorization);
    if (!match) throw invalidToken('The Authorization header must be "Bearer <key>".');
    const secret = match[1]!;
    const hash = hashSecret(this.pepperKey, secret);
    const cacheKey = hash.toString('base64');
    // Only a secret that passed the offline check is ever cached, and an equal HMAC means the same
    // secret, so a cached one needs no second check; a new one is checked before its hash goes
    // anywhere near the database.
    const found = this.cached(cacheKey, now.getTime());
    if (found) return this.accept(found, hash, now);
    const check = checkSecret(secret);
    if (!check.ok) {
      throw invalidToken(
        check.reason === 'checksum'
          ? 'The key fails its checksum: it was mistyped or truncated.'
          : 'The key is malformed: expected "mdk_" followed by 46 letters and digits.',
      );
    }
    return this.load(cacheKey, hash, now.getTime()).then((loaded) => this.accept(loaded, hash, now));
  }

  /**
   * Authenticates by a secret's stored HMAC (a dashboard session keeps the one that signed in):
   * the same lookup, cache, status and principal checks as a bearer request, so a session can
   * never be more than its key — and ends when that secret is rotated out, revoked or expired.
   */
  authenticateSecretHash(hash: Buffer, now: Date): Authentication | Promise<Authentication> {
    const cacheKey = hash.toString('base64');
    const found = this.cached(cacheKey, now.getTime());
    if (found) return this.accept(found, hash, now);
    return this.load(cacheKey, hash, now.getTime()).then((loaded) => this.accept(loaded, hash, now));
  }

  private accept(found: CachedAuthentication | undefined, hash: Buffer, now: Date): Authentication {
    if (!found || !digestsEqual(found.storedHash, hash)) throw invalidToken('The key is unknown, or was rotated out.');
    const { key } = found;
    const status = keyStatus(key, now.getTime());
    if (status === 'revoked') {
      throw withAuditContext(invalidToken(`The key was revoked at ${new Date(key.revokedAt!).toISOString()}; mint a new key.`), key);
    }
    if (status === 'expired') {
      throw withAuditContext(invalidToken(`The key expired at ${new Date(key.expiresAt).toISOString()}; mint a new key.`), key);
    }
    if (!found.authentication) throw withAuditContext(invalidToken("The key's principal no longer exists."), key);
    return found.authentication;
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

export function withAuditContext(error: ApiError, key: StoredKey): ApiError {
  auditContexts.set(error, { accountId: key.accountId, keyId: key.id, principalId: key.principalId });
  return error;
}

export function auditContextOf(error: ApiError): AuditContext | undefined {
  return auditContexts.get(error);
}
