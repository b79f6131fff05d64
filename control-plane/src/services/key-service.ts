/**
 * The key lifecycle (docs/guides/api.md#keys, docs/guides/api.md#endpoints): mint, read, list, update, revoke, rotate. Handlers call this;
 * it applies the domain rules and the repositories. Bootstrap and the operator CLI use it too, so a
 * key minted by any path is the same kind of key.
 */
import type { Caller, TargetResource } from '../domain/authorization';
import { reachOf } from '../domain/authorization';
import { constraintOffenders, keyEscalation } from '../domain/down-scoping';
import { constraintNode, isVisible } from '../domain/visibility';
import type { TreeRepository } from '../storage/tree-repository';
import { ApiError, FieldError, notFound, validationFailed } from '../domain/errors';
import {
  DEFAULT_EPHEMERAL_TTL,
  DEFAULT_TTL,
  expiryFor,
  generateSecret,
  newId,
  normalizeScopeList,
  type KeyCreate,
  type KeyRotate,
  type KeyUpdate,
  type Role,
} from '@managed-dev/contract';
import { checkGrantsSomething, checkKeyFields, parseGracePeriod } from '../domain/key-input';
import { KeyRecord, KeyStatus, keyRecord } from '../domain/key-rules';
import { grantableScopes, offendingScopes, scopeEscalation } from '../domain/minting';
import { keyAuthority, keyAuthorityError, ownerRefusals } from '../domain/key-authority';
import { hashSecret, pepperKey } from '../domain/secret-hash';
import type { AccountRepository } from '../storage/account-repository';
import type { AuditRepository } from '../storage/audit-repository';
import type { SqlDatabase } from '../storage/sql-database';
import type { KeyRepository, NewKey, StoredKey } from '../storage/key-repository';
import type { Principal, PrincipalRepository } from '../storage/principal-repository';

/** Request bodies, as their JSON Schemas in schema/ define them (generated types). */
export type KeyCreateInput = KeyCreate;
export type KeyUpdateInput = KeyUpdate;
export type KeyRotateInput = KeyRotate;

export type KeyWithSecret = KeyRecord & { secret: string };

export interface KeyListQuery {
  readonly limit: number;
  readonly cursor?: string;
  readonly name?: string;
  readonly status?: KeyStatus;
}

export interface KeyPage {
  readonly items: KeyRecord[];
  readonly next_cursor: string | null;
}

export interface KeyServiceDependencies {
  readonly db: SqlDatabase;
  readonly pepper: Buffer;
  readonly keys: KeyRepository;
  readonly principals: PrincipalRepository;
  readonly accounts: AccountRepository;
  readonly tree: TreeRepository;
  /** Seals a new account's audit chain at its creation (storage/audit-repository.ts). */
  readonly auditHeads: Pick<AuditRepository, 'sealGenesis'>;
}

/** The patterns that grant a principal everything its role allows, for keys minted outside HTTP. */
const OWNER_KEY_SCOPES = ['*:*', 'credentials:*', 'exec:*', 'keys:*'];
/** Operator-minted owner keys live as long as keys may (docs/guides/api.md#keys caps TTL at 365 days). */
const OPERATOR_KEY_TTL = '365d';

function encodeCursor(key: StoredKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(decoded) && decoded.length === 2 && Number.isSafeInteger(decoded[0]) && typeof decoded[1] === 'string') {
      return { createdAt: decoded[0] as number, id: decoded[1] as string };
    }
  } catch {
    // fall through to the error below
  }
  throw validationFailed([{ parameter: 'cursor', detail: 'is not a cursor this API returned' }]);
}

export class KeyService {
  /** The pepper as a key object, made once: every mint and rotation hashes a new secret with it. */
  private readonly pepperKey;

  constructor(private readonly deps: KeyServiceDependencies) {
    this.pepperKey = pepperKey(deps.pepper);
  }

  /** The public record of a stored key, with effective scopes under its principal's current role. */
  async record(key: StoredKey, now: Date): Promise<KeyRecord> {
    const principal = await this.deps.principals.findById(key.principalId);
    const role = principal && principal.deletedAt === null ? principal.role : null;
    return keyRecord(key, role, now.getTime());
  }

  /** A key of the caller's account, or undefined (the route turns that into the one 404). */
  find(id: string): Promise<StoredKey | undefined> {
    return this.deps.keys.findById(id);
  }

  async create(caller: Caller, input: KeyCreateInput, now: Date): Promise<KeyWithSecret> {
    const errors: FieldError[] = checkKeyFields(input);
    const nothing = checkGrantsSomething(input.preset, input.scopes);
    if (nothing) errors.push(nothing);
    if (errors.length > 0) throw validationFailed(errors);

    const minter = await this.livePrincipal(caller.principalId);
    const owner = await this.keyOwner(caller, minter, input.principal_id);
    // The constraint's shape was validated by the schema. Whether the team/project/site exists
    // and is inside the minter's own constraint and reach is decided with the resource tree.
    const offenders = offendingScopes(input.preset, input.scopes, grantableScopes({ role: minter.role, keyScopes: caller.keyScopes }, owner.role));
    const requested = input.constraint ?? null;
    const node = requested ? constraintNode(requested) : null;
    const outOfReach = constraintOffenders({
      minter: { ...reachOf(caller), role: minter.role },
      minterConstraint: caller.constraint,
      requested,
      requestedTarget: node ? ((await this.deps.tree.liveAncestryOf(node.kind, node.id)) ?? null) : null,
    });
    if (offenders.length > 0 || outOfReach.length > 0) throw keyEscalation(offenders, outOfReach);

    const secret = generateSecret();
    const createdAt = now.getTime();
    const ephemeral = input.ephemeral === true;
    const ttl = input.ttl ?? (ephemeral ? DEFAULT_EPHEMERAL_TTL : DEFAULT_TTL);
    const key: NewKey = {
      id: newId('key'),
      accountId: caller.accountId,
      principalId: owner.id,
      createdBy: minter.id,
      createdByKeyId: caller.keyId,
      name: input.name,
      description: input.description ?? null,
      preset: input.preset ?? null,
      scopes: normalizeScopeList(input.scopes ?? []),
      constraint: input.constraint ?? null,
      ipAllowlist: normalizeScopeList(input.ip_allowlist ?? []),
      ttl,
      ephemeral,
      createdAt,
      expiresAt: expiryFor(now, ttl, ephemeral ? 'ephemeral' : 'standard').getTime(),
    };
    await this.deps.keys.insert(key, hashSecret(this.pepperKey, secret));
    // The owner was read (and found live) above, in this same transaction: no need to read it again.
    return { ...keyRecord({ ...key, revokedAt: null, lastUsedAt: null, lastUsedIp: null }, owner.role, createdAt), secret };
  }

  /**
   * Where a key sits for the authorization decision: a constrained key sits at its constraint's
   * node (deleted nodes included), an unconstrained one at the account root. So a constrained
   * caller sees only keys inside its own subtree, and a member only keys within its teams.
   */
  async targetOf(key: StoredKey): Promise<TargetResource> {
    if (!key.constraint) return { accountId: key.accountId, accountWide: true };
    const node = constraintNode(key.constraint);
    const ancestry = await this.deps.tree.ancestryOf(node.kind, node.id);
    if (!ancestry || ancestry.accountId !== key.accountId) return { accountId: key.accountId, accountWide: true };
    const { accountId, teamId, projectId, siteId } = ancestry;
    return { accountId, placement: { teamId: teamId!, ...(projectId ? { projectId } : {}), ...(siteId ? { siteId } : {}) } };
  }

  private async visibleTo(caller: Caller, key: StoredKey): Promise<boolean> {
    const target = await this.targetOf(key);
    return isVisible(reachOf(caller), caller.constraint, { accountId: target.accountId, ...target.placement });
  }

  async list(caller: Caller, query: KeyListQuery, now: Date): Promise<KeyPage> {
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = await this.deps.keys.list({
      accountId: caller.accountId,
      now: now.getTime(),
      limit: query.limit + 1,
      ...(query.name !== undefined ? { name: query.name } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(after ? { after } : {}),
    });
    const page = rows.slice(0, query.limit);
    // Filtered after paging so the cursor stays a plain position; a page may hold fewer items.
    const items: KeyRecord[] = [];
    for (const key of page) if (await this.visibleTo(caller, key)) items.push(await this.record(key, now));
    return {
      items,
      next_cursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null,
    };
  }

  /**
   * The records of the keys among `ids` that the caller may see, in the order asked, each once.
   * An id of another account, outside the caller's constraint or reach, or of no key is simply
   * absent: the answer is the same as for a missing key, as GET /v1/keys/{id} answers 404 for both.
   */
  async listByIds(caller: Caller, ids: readonly string[], now: Date): Promise<KeyPage> {
    const wanted = [...new Set(ids)];
    const found = new Map((await this.deps.keys.findManyInAccount(caller.accountId, wanted)).map((key) => [key.id, key]));
    const items: KeyRecord[] = [];
    for (const id of wanted) {
      const key = found.get(id);
      if (key && (await this.visibleTo(caller, key))) items.push(await this.record(key, now));
    }
    return { items, next_cursor: null };
  }

  async update(caller: Caller, key: StoredKey, input: KeyUpdateInput, now: Date): Promise<KeyRecord> {
    const errors = checkKeyFields(input);
    const preset = input.preset !== undefined ? input.preset : key.preset;
    const scopes = input.scopes !== undefined ? input.scopes : key.scopes;
    const nothing = checkGrantsSomething(preset, scopes);
    if (nothing) errors.push(nothing);
    if (errors.length > 0) throw validationFailed(errors);

    if (input.preset !== undefined || input.scopes !== undefined) {
      const minter = await this.livePrincipal(caller.principalId);
      const owner = await this.deps.principals.findById(key.principalId);
      const ownerRole: Role = owner && owner.deletedAt === null ? owner.role : 'viewer';
      const grantable = grantableScopes({ role: minter.role, keyScopes: caller.keyScopes }, ownerRole);
      // Only what the change asks for is judged: patching the scopes of a key whose owner was
      // demoted must not fail because of a preset nobody is touching.
      const offenders = offendingScopes(input.preset ?? null, input.scopes, grantable);
      if (offenders.length > 0) throw scopeEscalation(offenders);
    }
    // Whatever the change, the key as stored must be one the caller could mint.
    await this.checkAuthorityOver(caller, key);

    await this.deps.keys.update(key.id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.preset !== undefined ? { preset: input.preset } : {}),
      ...(input.scopes !== undefined ? { scopes: normalizeScopeList(input.scopes) } : {}),
      ...(input.ip_allowlist !== undefined ? { ipAllowlist: normalizeScopeList(input.ip_allowlist) } : {}),
    });
    return this.record((await this.deps.keys.findById(key.id))!, now);
  }

  /** Idempotent: revoking a revoked key succeeds and keeps the first revocation time. */
  async revoke(caller: Caller, key: StoredKey, now: Date): Promise<KeyRecord> {
    await this.checkAuthorityOver(caller, key);
    await this.deps.keys.revoke(key.id, now.getTime());
    return this.record((await this.deps.keys.findById(key.id))!, now);
  }

  async rotate(caller: Caller, key: StoredKey, input: KeyRotateInput, now: Date): Promise<KeyWithSecret> {
    const grace = parseGracePeriod(input.grace_period ?? '0');
    if (!grace.ok) throw validationFailed([{ pointer: '/grace_period', detail: grace.message }]);
    await this.checkAuthorityOver(caller, key);
    const status = (await this.record(key, now)).status;
    if (status !== 'active') {
      throw new ApiError({
        code: 'key_not_active',
        detail: `The key is ${status}; only an active key can be rotated. Mint a new key instead.`,
      });
    }
    const secret = generateSecret();
    // A rotated key starts a fresh lifetime: expires_at becomes now + its ttl, so rotating
    // before expiry (the provider's rotate_before_expiry) keeps a key alive indefinitely.
    const expiresAt = expiryFor(now, key.ttl, key.ephemeral ? 'ephemeral' : 'standard').getTime();
    await this.deps.keys.rotate(key.id, hashSecret(this.pepperKey, secret), now.getTime(), now.getTime() + grace.milliseconds, expiresAt);
    return { ...(await this.record((await this.deps.keys.findById(key.id))!, now)), secret };
  }

  /**
   * Renewal of an ephemeral key (Terraform's RenewEphemeralResource): expires_at becomes
   * now + its ttl. Like rotation, it needs the authority to mint the key as stored
   * (domain/key-authority.ts), so a weaker key cannot keep a stronger key alive.
   */
  async renew(caller: Caller, key: StoredKey, now: Date): Promise<KeyRecord> {
    // Authority first, as rotate does: a weaker key must not learn whether a key is ephemeral or active.
    await this.checkAuthorityOver(caller, key);
    if (!key.ephemeral) {
      throw new ApiError({
        code: 'key_not_ephemeral',
        detail: 'Only ephemeral keys can be renewed; rotate an ordinary key to give it a new lifetime.',
      });
    }
    const status = (await this.record(key, now)).status;
    if (status !== 'active') {
      throw new ApiError({
        code: 'key_not_active',
        detail: `The key is ${status}; only an active key can be renewed. Mint a new key instead.`,
      });
    }
    await this.deps.keys.extendExpiry(key.id, expiryFor(now, key.ttl, 'ephemeral').getTime());
    return this.record((await this.deps.keys.findById(key.id))!, now);
  }

  /**
   * Before a stored create or rotate response (it carries the key's secret) is replayed: the
   * caller must still have the authority to act on that key (domain/key-authority.ts), judged on
   * what the caller holds now. A key whose scopes were narrowed after it minted a child must not
   * get the child's live secret again by replaying its Idempotency-Key.
   */
  async checkReplayOfSecret(caller: Caller, stored: { readonly body?: unknown }): Promise<void> {
    const body = stored.body as { id?: unknown; secret?: unknown } | undefined;
    if (typeof body?.secret !== 'string' || typeof body.id !== 'string') return;
    const key = await this.deps.keys.findById(body.id);
    // The key row is never deleted; a missing one means the stored response names nothing to guard.
    if (!key) throw notFound();
    await this.checkAuthorityOver(caller, key);
  }

  /**
   * Creates an account with an owner principal and an owner key, atomically (operator CLI and
   * first-start bootstrap). `secret` installs a given key instead of generating one.
   */
  async createAccountWithOwner(
    name: string,
    now: Date,
    secret: string = generateSecret(),
  ): Promise<{ accountId: string; principalId: string; keyId: string; secret: string }> {
    const accountId = newId('account');
    const principalId = newId('principal');
    const keyId = newId('key');
    const createdAt = now.getTime();
    await this.deps.db.transaction(async () => {
      await this.deps.accounts.insert({ id: accountId, name, createdAt });
      // Its audit chain is sealed from now on: deleting the whole chain later is a missing head.
      await this.deps.auditHeads.sealGenesis(accountId);
      await this.deps.principals.insert({ id: principalId, accountId, name: 'owner', kind: 'user', role: 'owner', createdAt });
      await this.deps.keys.insert(
        {
          id: keyId,
          accountId,
          principalId,
          createdBy: principalId,
          createdByKeyId: null,
          name: 'owner',
          description: 'Owner key minted by the operator; mint narrower keys with it and keep it out of CI.',
          preset: null,
          scopes: normalizeScopeList(OWNER_KEY_SCOPES),
          constraint: null,
          ipAllowlist: [],
          ttl: OPERATOR_KEY_TTL,
          ephemeral: false,
          createdAt,
          expiresAt: expiryFor(now, OPERATOR_KEY_TTL).getTime(),
        },
        hashSecret(this.pepperKey, secret),
      );
    });
    return { accountId, principalId, keyId, secret };
  }

  /**
   * Rotating, changing or revoking a key needs the authority to mint it as stored
   * (domain/key-authority.ts): otherwise the same 403 `scope_escalation` as POST /v1/keys. The
   * key is visible to the caller (the route's authorization hid it otherwise), so 403 reveals nothing.
   */
  private async checkAuthorityOver(caller: Caller, key: StoredKey): Promise<void> {
    const actor = await this.livePrincipal(caller.principalId);
    // A deleted owner keeps its last role and kind: its keys no longer authenticate, and deciding
    // on the stored facts keeps them manageable by exactly those who could have minted them.
    const owner = await this.deps.principals.findById(key.principalId);
    const node = key.constraint ? constraintNode(key.constraint) : null;
    const constraintTarget = node ? ((await this.deps.tree.ancestryOf(node.kind, node.id)) ?? null) : null;
    const verdict = keyAuthority(
      { principalId: actor.id, reach: { ...reachOf(caller), role: actor.role }, keyScopes: caller.keyScopes, constraint: caller.constraint },
      {
        preset: key.preset,
        scopes: key.scopes,
        constraint: key.constraint,
        constraintTarget,
        owner: owner ? { id: owner.id, kind: owner.kind, role: owner.role } : { id: key.principalId, kind: 'service', role: 'viewer' },
      },
    );
    if (verdict.scopes.length > 0 || verdict.principal.length > 0 || verdict.constraint.length > 0) throw keyAuthorityError(verdict);
  }

  private async livePrincipal(id: string): Promise<Principal> {
    const principal = await this.deps.principals.findById(id);
    // Authentication already refused keys of deleted principals; this guards a deletion racing the request.
    if (!principal || principal.deletedAt !== null) throw notFound();
    return principal;
  }

  /**
   * Who will own the new key: the minter, or (`principal_id`, docs/guides/api.md#keys) a service account of the
   * same account whose role is not above the minter's, when the minter is an owner or admin.
   */
  private async keyOwner(caller: Caller, minter: Principal, principalId: string | undefined): Promise<Principal> {
    if (principalId === undefined || principalId === minter.id) return minter;
    const owner = await this.deps.principals.findById(principalId);
    if (!owner || owner.deletedAt !== null || owner.accountId !== caller.accountId) throw notFound();
    const refusals = ownerRefusals(minter, owner);
    if (refusals.length > 0) {
      throw new ApiError({
        code: 'principal_not_allowed',
        detail: refusals.join('; '),
        errors: refusals.map((detail) => ({ pointer: '/principal_id', detail })),
      });
    }
    return owner;
  }
}
