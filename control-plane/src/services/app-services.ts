/**
 * Everything a request handler may use, built once per server (or CLI run) over one database
 * connection. New areas add their repositories and services here.
 */
import type { Clock } from '../clock';
import type { ControlPlaneConfig } from '../config';
import { loadPepper } from '../storage/pepper';
import { verifyPepper } from '../storage/pepper-check';
import { AccountRepository } from '../storage/account-repository';
import type { SqlDatabase } from '../storage/sql-database';
import { IdempotencyRepository } from '../storage/idempotency-repository';
import { KeyRepository } from '../storage/key-repository';
import { PrincipalRepository } from '../storage/principal-repository';
import { CredentialCipher } from '../domain/credential-cipher';
import { AuditRepository } from '../storage/audit-repository';
import { auditSealKey } from '../domain/audit-chain';
import { SiteResourceRepository } from '../storage/site-resource-repository';
import { TreeRepository } from '../storage/tree-repository';
import { AuditLog } from './audit-log';
import { Authenticator } from './authenticator';
import { LastUsedRecorder } from './last-used-recorder';
import { ChangeCommitter } from './change-committer';
import { IdempotencyService } from './idempotency-service';
import { KeyService } from './key-service';
import { PrincipalService } from './principal-service';
import { SiteService } from './site-service';
import { TreeService } from './tree-service';
import { SessionRepository } from '../storage/session-repository';
import { SessionService } from './session-service';
import { DenialRecorder } from './denial-recorder';
import { RateLimiter } from './rate-limiter';
import { openConfiguredDatabase } from '../storage/open-database';

/** Buckets kept per limiter: ~100 bytes each, so a few MB at most whatever the traffic. */
const MAX_RATE_LIMITED_CALLERS = 50_000;

export interface AppServices {
  readonly config: ControlPlaneConfig;
  readonly clock: Clock;
  /** The database, whichever engine (storage/open-database.ts); closed by whoever created the services. */
  readonly db: SqlDatabase;
  readonly pepper: Buffer;
  readonly accounts: AccountRepository;
  readonly principals: PrincipalRepository;
  readonly keys: KeyRepository;
  readonly idempotencyRecords: IdempotencyRepository;
  readonly authenticator: Authenticator;
  readonly keyService: KeyService;
  readonly idempotency: IdempotencyService;
  /** Every change request: its effect, Idempotency-Key record and audit entry in one transaction. */
  readonly changes: ChangeCommitter;
  /** Resource tree, team membership, site sub-resources (docs/guides/api.md#domain). */
  readonly tree: TreeRepository;
  readonly siteResources: SiteResourceRepository;
  readonly credentialCipher: CredentialCipher;
  /** The rules of the tree, of principals and of site sub-resources, over the repositories above. */
  readonly treeService: TreeService;
  readonly principalService: PrincipalService;
  readonly siteService: SiteService;
  readonly auditRecords: AuditRepository;
  readonly audit: AuditLog;
  /** Throttled, deferred last-used writes (docs/guides/api.md#keys). */
  readonly lastUsed: LastUsedRecorder;
  /** Per-key and per-address (unauthenticated traffic) token buckets. */
  readonly keyRateLimiter: RateLimiter;
  readonly anonymousRateLimiter: RateLimiter;
  /** Denials: counted when anonymous, audited after the response otherwise. */
  readonly denials: DenialRecorder;
  /** Dashboard sessions; also the pipeline's one authentication step (bearer key or session cookie). */
  readonly sessions: SessionService;
}

/** Opens the configured database (migrated) and builds every service over it. */
export async function createServices(config: ControlPlaneConfig, clock: Clock): Promise<AppServices> {
  const db = await openConfiguredDatabase(config);
  try {
    return await servicesOver(db, config, clock);
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Every service over an open database (which the caller keeps and closes). */
export async function servicesOver(db: SqlDatabase, config: ControlPlaneConfig, clock: Clock): Promise<AppServices> {
  const pepper = loadPepper(config.dataDir, config.pepper);
  await verifyPepper(db, pepper); // before anything is sealed or answered under a wrong pepper
  const accounts = new AccountRepository(db);
  const principals = new PrincipalRepository(db);
  const keys = new KeyRepository(db);
  const idempotencyRecords = new IdempotencyRepository(db);
  const tree = new TreeRepository(db);
  const siteResources = new SiteResourceRepository(db);
  const credentialCipher = new CredentialCipher(pepper);
  const auditRecords = new AuditRepository(db, auditSealKey(pepper));
  await auditRecords.sealUnsealedChains();
  const audit = new AuditLog(auditRecords);
  const idempotency = new IdempotencyService(pepper, idempotencyRecords);
  // Every queued record in one transaction: one commit however many keys were used meanwhile.
  const writeLastUsed = (records: ReadonlyArray<{ keyId: string; at: number; ip: string }>) =>
    db.transaction(async () => {
      for (const record of records) await keys.recordLastUsed(record.keyId, record.at, record.ip);
    });
  const authenticator = new Authenticator(pepper, keys, principals, tree, () => db.changeStamp());
  return {
    config,
    clock,
    db,
    pepper,
    accounts,
    principals,
    keys,
    idempotencyRecords,
    authenticator,
    keyService: new KeyService({ db, pepper, keys, principals, accounts, tree, auditHeads: auditRecords }),
    idempotency,
    changes: new ChangeCommitter(db, idempotency, audit),
    tree,
    siteResources,
    credentialCipher,
    treeService: new TreeService(db, tree, siteResources),
    principalService: new PrincipalService(db, principals, tree),
    siteService: new SiteService(db, siteResources, credentialCipher),
    auditRecords,
    audit,
    lastUsed: new LastUsedRecorder({ writeLastUsed }),
    keyRateLimiter: new RateLimiter(config.keyRateLimit, MAX_RATE_LIMITED_CALLERS),
    anonymousRateLimiter: new RateLimiter(config.anonymousRateLimit, MAX_RATE_LIMITED_CALLERS),
    denials: new DenialRecorder({ audit, now: () => clock.now() }),
    sessions: new SessionService(pepper, new SessionRepository(db), authenticator),
  };
}
