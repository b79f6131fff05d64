/**
 * Everything that hangs off a site (docs/guides/api.md, "Site sub-resources"), each with real
 * state in SQLite so every scope can be exercised: deploys, domains, env vars, the activity log,
 * metrics counted from stored state, configuration backups, WordPress plugins and cache flushes,
 * credentials (encrypted at rest, plaintext only to credentials:read) and exec jobs, which are
 * recorded for a runner and never executed here. Every change writes its activity-log line in the
 * same transaction.
 */
import { randomBase62, type BackupCreate, type CredentialCreate, type DeployCreate } from '@managed-dev/contract';
import type { CredentialCipher } from '../domain/credential-cipher';
import { conflict, notFound } from '../domain/errors';
import { decodeCursor } from '../domain/page-cursor';
import type { SqlDatabase } from '../storage/sql-database';
import type { Backup, Deploy, Domain, ExecJob, SiteEvent, SiteResourceRepository, StoredCredential, WpPlugin } from '../storage/site-resource-repository';
import type { Site } from '../storage/tree-repository';
import type { PageRequest } from './tree-service';

const childId = (prefix: string) => `${prefix}_${randomBase62(22)}`;
const afterOf = (page: PageRequest) => (page.cursor !== undefined ? { after: decodeCursor(page.cursor) } : {});

export interface SiteMetrics {
  readonly deploysTotal: number;
  readonly lastDeployAt: number | null;
  readonly domainsTotal: number;
  readonly envVarsTotal: number;
  readonly backupsTotal: number;
  readonly backupBytesTotal: number;
  readonly cacheFlushesTotal: number;
  readonly logLinesTotal: number;
}

export interface CacheFlush {
  readonly id: string;
  readonly siteId: string;
  readonly paths: readonly string[];
  readonly createdAt: number;
}

export class SiteService {
  constructor(
    private readonly db: SqlDatabase,
    private readonly resources: SiteResourceRepository,
    private readonly cipher: CredentialCipher,
  ) {}

  private async logged(site: Site, at: number, level: 'info' | 'warn', message: string, write: () => Promise<void>): Promise<void> {
    await this.db.transaction(async () => {
      await write();
      await this.resources.logEvent(site.id, at, level, message);
    });
  }

  listDeploys(site: Site, page: PageRequest): Promise<Deploy[]> {
    return this.resources.listDeploys(site.id, { limit: page.limit, ...afterOf(page) });
  }

  async recordDeploy(site: Site, keyId: string, body: DeployCreate, now: Date): Promise<Deploy> {
    const deploy: Deploy = {
      id: childId('dep'),
      siteId: site.id,
      ref: body.ref,
      message: body.message ?? null,
      status: 'recorded',
      createdByKeyId: keyId,
      createdAt: now.getTime(),
    };
    await this.logged(site, deploy.createdAt, 'info', `deploy ${deploy.id} of ${deploy.ref} recorded`, () => this.resources.insertDeploy(deploy));
    return deploy;
  }

  domains(site: Site): Promise<Domain[]> {
    return this.resources.listDomains(site.id);
  }

  /** Attaching an attached domain changes nothing and says so (`added: false`). */
  async attachDomain(site: Site, hostname: string, now: Date): Promise<{ domain: Domain; added: boolean }> {
    const added = await this.resources.addDomain(site.id, hostname, now.getTime());
    if (added) await this.resources.logEvent(site.id, now.getTime(), 'info', `domain ${hostname} attached`);
    return { domain: (await this.resources.findDomain(site.id, hostname))!, added };
  }

  async detachDomain(site: Site, hostname: string, now: Date): Promise<void> {
    if (!(await this.resources.removeDomain(site.id, hostname))) throw notFound();
    await this.resources.logEvent(site.id, now.getTime(), 'info', `domain ${hostname} detached`);
  }

  env(site: Site): Promise<Record<string, string>> {
    return this.resources.env(site.id);
  }

  async replaceEnv(site: Site, variables: Readonly<Record<string, string>>, now: Date): Promise<Record<string, string>> {
    // Names only in the log: values may be sensitive and logs:read is a weaker scope than env:read.
    const names = Object.keys(variables).sort();
    await this.logged(site, now.getTime(), 'info', `environment replaced (${names.length} variable(s): ${names.join(', ') || 'none'})`, () =>
      this.resources.replaceEnv(site.id, variables),
    );
    return this.resources.env(site.id);
  }

  /** Log lines are ordered by their integer id; the cursor carries the last id seen. Reads limit + 1. */
  events(site: Site, page: PageRequest): Promise<SiteEvent[]> {
    const afterId = page.cursor !== undefined ? decodeCursor(page.cursor).createdAt : 0;
    return this.resources.events(site.id, afterId, page.limit);
  }

  async metrics(site: Site): Promise<SiteMetrics> {
    const deploys = await this.resources.deployStats(site.id);
    const backups = await this.resources.backupStats(site.id);
    return {
      deploysTotal: deploys.count,
      lastDeployAt: deploys.lastAt,
      domainsTotal: (await this.resources.listDomains(site.id)).length,
      envVarsTotal: Object.keys(await this.resources.env(site.id)).length,
      backupsTotal: backups.count,
      backupBytesTotal: backups.bytes,
      cacheFlushesTotal: await this.resources.cacheFlushCount(site.id),
      logLinesTotal: await this.resources.eventCount(site.id),
    };
  }

  listBackups(site: Site, page: PageRequest): Promise<Backup[]> {
    return this.resources.listBackups(site.id, { limit: page.limit, ...afterOf(page) });
  }

  /** A snapshot of the site's configuration: runtime, domains, env, plugins. */
  async takeBackup(site: Site, body: BackupCreate, now: Date): Promise<Backup> {
    const snapshot = JSON.stringify({
      site: { id: site.id, name: site.name, runtime: site.runtime },
      domains: (await this.resources.listDomains(site.id)).map((domain) => domain.hostname),
      env: await this.resources.env(site.id),
      wp_plugins: await this.resources.plugins(site.id),
    });
    const backup: Backup = {
      id: childId('bak'),
      siteId: site.id,
      label: body.label ?? null,
      status: 'completed',
      sizeBytes: Buffer.byteLength(snapshot),
      createdAt: now.getTime(),
    };
    await this.logged(site, backup.createdAt, 'info', `backup ${backup.id} taken (${backup.sizeBytes} bytes)`, () =>
      this.resources.insertBackup(backup, snapshot),
    );
    return backup;
  }

  plugins(site: Site): Promise<WpPlugin[]> {
    return this.resources.plugins(site.id);
  }

  async flushCache(site: Site, paths: readonly string[], now: Date): Promise<CacheFlush> {
    const flush: CacheFlush = { id: childId('flush'), siteId: site.id, paths, createdAt: now.getTime() };
    await this.logged(site, flush.createdAt, 'info', `cache flush ${flush.id} requested (${paths.length === 0 ? 'everything' : paths.join(' ')})`, () =>
      this.resources.recordCacheFlush(flush.id, site.id, paths, flush.createdAt),
    );
    return flush;
  }

  listCredentials(site: Site, page: PageRequest): Promise<StoredCredential[]> {
    return this.resources.listCredentials(site.id, { limit: page.limit, ...afterOf(page) });
  }

  /** The plaintext password: only for credentials:read. */
  passwordOf(credential: StoredCredential): string {
    return this.cipher.decrypt(credential.passwordCiphertext, credential.id);
  }

  /** Without a password one is generated; it is stored encrypted and never returned by this call. */
  async storeCredential(site: Site, body: CredentialCreate, now: Date): Promise<StoredCredential> {
    if (await this.resources.credentialNameTaken(site.id, body.name)) {
      throw conflict('name_taken', `The site already has a credential named "${body.name}".`);
    }
    const id = childId('cred');
    const credential: StoredCredential = {
      id,
      siteId: site.id,
      name: body.name,
      username: body.username,
      passwordCiphertext: this.cipher.encrypt(body.password ?? randomBase62(24), id),
      createdAt: now.getTime(),
    };
    await this.logged(site, credential.createdAt, 'info', `credential "${credential.name}" stored`, () => this.resources.insertCredential(credential));
    return credential;
  }

  /** Recorded for the site's runner; nothing runs on the control plane. */
  async recordExecJob(site: Site, keyId: string, command: readonly string[], now: Date): Promise<ExecJob> {
    const job: ExecJob = { id: childId('job'), siteId: site.id, command, status: 'recorded', createdByKeyId: keyId, createdAt: now.getTime() };
    await this.logged(site, job.createdAt, 'warn', `exec job ${job.id} recorded (${command[0]})`, () => this.resources.recordExecJob(job));
    return job;
  }
}
