/**
 * Everything hanging off a site (docs/guides/api.md#endpoints): deploys, domains, env vars, activity log lines,
 * backups, WordPress plugins and cache flushes, credentials (encrypted) and recorded exec jobs.
 * Callers have already authorized the site; these queries only take its id.
 */
import type { PagePosition } from '../domain/page-cursor';
import type { SqlDatabase } from './sql-database';

export interface Deploy {
  readonly id: string;
  readonly siteId: string;
  readonly ref: string;
  readonly message: string | null;
  readonly status: string;
  readonly createdByKeyId: string;
  readonly createdAt: number;
}

export interface Backup {
  readonly id: string;
  readonly siteId: string;
  readonly label: string | null;
  readonly status: string;
  readonly sizeBytes: number;
  readonly createdAt: number;
}

export interface Domain {
  readonly hostname: string;
  readonly createdAt: number;
}

export interface SiteEvent {
  readonly id: number;
  readonly createdAt: number;
  readonly level: string;
  readonly message: string;
}

export interface WpPlugin {
  readonly slug: string;
  readonly version: string;
  readonly active: boolean;
}

export interface StoredCredential {
  readonly id: string;
  readonly siteId: string;
  readonly name: string;
  readonly username: string;
  readonly passwordCiphertext: Buffer;
  readonly createdAt: number;
}

export interface ExecJob {
  readonly id: string;
  readonly siteId: string;
  readonly command: readonly string[];
  readonly status: string;
  readonly createdByKeyId: string;
  readonly createdAt: number;
}

export interface PageRequest {
  readonly limit: number;
  readonly after?: PagePosition;
}

const AFTER = '(created_at > @after_created_at OR (created_at = @after_created_at AND id > @after_id))';
const pageParams = (page: PageRequest) => ({
  limit: page.limit + 1,
  after_created_at: page.after?.createdAt ?? -1,
  after_id: page.after?.id ?? '',
});

const SQL = {
  insertDeploy: `INSERT INTO deploys (id, site_id, ref, message, status, created_by_key_id, created_at)
    VALUES (@id, @siteId, @ref, @message, @status, @createdByKeyId, @createdAt)`,
  listDeploys: `SELECT id, site_id, ref, message, status, created_by_key_id, created_at
    FROM deploys WHERE site_id = @site_id AND ${AFTER} ORDER BY created_at, id LIMIT @limit`,
  countDeploys: 'SELECT count(*) AS n, max(created_at) AS last FROM deploys WHERE site_id = ?',
  insertDomain: 'INSERT INTO domains (site_id, hostname, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  findDomain: 'SELECT hostname, created_at FROM domains WHERE site_id = ? AND hostname = ?',
  listDomains: 'SELECT hostname, created_at FROM domains WHERE site_id = ? ORDER BY hostname',
  deleteDomain: 'DELETE FROM domains WHERE site_id = ? AND hostname = ?',
  listEnv: 'SELECT name, value FROM env_vars WHERE site_id = ? ORDER BY name',
  clearEnv: 'DELETE FROM env_vars WHERE site_id = ?',
  insertEnv: 'INSERT INTO env_vars (site_id, name, value) VALUES (?, ?, ?)',
  insertEvent: 'INSERT INTO site_events (site_id, created_at, level, message) VALUES (?, ?, ?, ?)',
  listEvents: 'SELECT id, created_at, level, message FROM site_events WHERE site_id = ? AND id > ? ORDER BY id LIMIT ?',
  countEvents: 'SELECT count(*) AS n FROM site_events WHERE site_id = ?',
  insertBackup: `INSERT INTO backups (id, site_id, label, status, size_bytes, snapshot_json, created_at)
    VALUES (@id, @siteId, @label, @status, @sizeBytes, @snapshotJson, @createdAt)`,
  listBackups: `SELECT id, site_id, label, status, size_bytes, created_at
    FROM backups WHERE site_id = @site_id AND ${AFTER} ORDER BY created_at, id LIMIT @limit`,
  countBackups: 'SELECT count(*) AS n, sum(size_bytes) AS bytes FROM backups WHERE site_id = ?',
  insertPlugin: 'INSERT INTO wp_plugins (site_id, slug, version, active) VALUES (?, ?, ?, ?)',
  listPlugins: 'SELECT slug, version, active FROM wp_plugins WHERE site_id = ? ORDER BY slug',
  insertFlush: 'INSERT INTO wp_cache_flushes (id, site_id, paths_json, created_at) VALUES (?, ?, ?, ?)',
  countFlushes: 'SELECT count(*) AS n FROM wp_cache_flushes WHERE site_id = ?',
  insertCredential: `INSERT INTO site_credentials (id, site_id, name, username, password_ciphertext, created_at)
    VALUES (@id, @siteId, @name, @username, @passwordCiphertext, @createdAt)`,
  credentialNameTaken: 'SELECT 1 AS one FROM site_credentials WHERE site_id = ? AND name = ?',
  listCredentials: `SELECT id, site_id, name, username, password_ciphertext, created_at
    FROM site_credentials WHERE site_id = @site_id AND ${AFTER} ORDER BY created_at, id LIMIT @limit`,
  insertExec: `INSERT INTO exec_jobs (id, site_id, command_json, status, created_by_key_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?)`,
} as const;

interface DeployRow {
  id: string;
  site_id: string;
  ref: string;
  message: string | null;
  status: string;
  created_by_key_id: string;
  created_at: number;
}

interface BackupRow {
  id: string;
  site_id: string;
  label: string | null;
  status: string;
  size_bytes: number;
  created_at: number;
}

interface CredentialRow {
  id: string;
  site_id: string;
  name: string;
  username: string;
  password_ciphertext: Buffer;
  created_at: number;
}

// Column names are snake_case and mapped here (PostgreSQL folds unquoted aliases to lower case).
const toDeploy = (r: DeployRow): Deploy => ({
  id: r.id,
  siteId: r.site_id,
  ref: r.ref,
  message: r.message,
  status: r.status,
  createdByKeyId: r.created_by_key_id,
  createdAt: r.created_at,
});
const toBackup = (r: BackupRow): Backup => ({
  id: r.id,
  siteId: r.site_id,
  label: r.label,
  status: r.status,
  sizeBytes: Number(r.size_bytes),
  createdAt: r.created_at,
});
const toCredential = (r: CredentialRow): StoredCredential => ({
  id: r.id,
  siteId: r.site_id,
  name: r.name,
  username: r.username,
  passwordCiphertext: r.password_ciphertext,
  createdAt: r.created_at,
});

export class SiteResourceRepository {
  constructor(private readonly db: SqlDatabase) {}

  async insertDeploy(deploy: Deploy): Promise<void> {
    await this.db.run(SQL.insertDeploy, {
      id: deploy.id,
      siteId: deploy.siteId,
      ref: deploy.ref,
      message: deploy.message,
      status: deploy.status,
      createdByKeyId: deploy.createdByKeyId,
      createdAt: deploy.createdAt,
    });
  }

  async listDeploys(siteId: string, page: PageRequest): Promise<Deploy[]> {
    return (await this.db.all<DeployRow>(SQL.listDeploys, { site_id: siteId, ...pageParams(page) })).map(toDeploy);
  }

  async deployStats(siteId: string): Promise<{ count: number; lastAt: number | null }> {
    const row = (await this.db.get<{ n: number; last: number | null }>(SQL.countDeploys, [siteId]))!;
    return { count: Number(row.n), lastAt: row.last === null ? null : Number(row.last) };
  }

  /** Returns false when the site already had this hostname (attaching is idempotent). */
  async addDomain(siteId: string, hostname: string, now: number): Promise<boolean> {
    return (await this.db.run(SQL.insertDomain, [siteId, hostname, now])).changes === 1;
  }

  async findDomain(siteId: string, hostname: string): Promise<Domain | undefined> {
    const row = await this.db.get<{ hostname: string; created_at: number }>(SQL.findDomain, [siteId, hostname]);
    return row ? { hostname: row.hostname, createdAt: row.created_at } : undefined;
  }

  async listDomains(siteId: string): Promise<Domain[]> {
    const rows = await this.db.all<{ hostname: string; created_at: number }>(SQL.listDomains, [siteId]);
    return rows.map((r) => ({ hostname: r.hostname, createdAt: r.created_at }));
  }

  async removeDomain(siteId: string, hostname: string): Promise<boolean> {
    return (await this.db.run(SQL.deleteDomain, [siteId, hostname])).changes === 1;
  }

  async env(siteId: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const row of await this.db.all<{ name: string; value: string }>(SQL.listEnv, [siteId])) out[row.name] = row.value;
    return out;
  }

  /** Replaces the whole set (PUT semantics) atomically. */
  replaceEnv(siteId: string, variables: Readonly<Record<string, string>>): Promise<void> {
    return this.db.transaction(async () => {
      await this.db.run(SQL.clearEnv, [siteId]);
      for (const [name, value] of Object.entries(variables)) await this.db.run(SQL.insertEnv, [siteId, name, value]);
    });
  }

  async logEvent(siteId: string, now: number, level: 'info' | 'warn', message: string): Promise<void> {
    await this.db.run(SQL.insertEvent, [siteId, now, level, message]);
  }

  async events(siteId: string, afterId: number, limit: number): Promise<SiteEvent[]> {
    const rows = await this.db.all<{ id: number; created_at: number; level: string; message: string }>(SQL.listEvents, [siteId, afterId, limit + 1]);
    return rows.map((r) => ({ id: Number(r.id), createdAt: r.created_at, level: r.level, message: r.message }));
  }

  async eventCount(siteId: string): Promise<number> {
    return Number((await this.db.get<{ n: number }>(SQL.countEvents, [siteId]))!.n);
  }

  async insertBackup(backup: Backup, snapshotJson: string): Promise<void> {
    await this.db.run(SQL.insertBackup, {
      id: backup.id,
      siteId: backup.siteId,
      label: backup.label,
      status: backup.status,
      sizeBytes: backup.sizeBytes,
      snapshotJson,
      createdAt: backup.createdAt,
    });
  }

  async listBackups(siteId: string, page: PageRequest): Promise<Backup[]> {
    return (await this.db.all<BackupRow>(SQL.listBackups, { site_id: siteId, ...pageParams(page) })).map(toBackup);
  }

  async backupStats(siteId: string): Promise<{ count: number; bytes: number }> {
    // Number(): PostgreSQL's count is a BIGINT and its sum of BIGINTs a NUMERIC.
    const row = (await this.db.get<{ n: number; bytes: number | string | null }>(SQL.countBackups, [siteId]))!;
    return { count: Number(row.n), bytes: Number(row.bytes ?? 0) };
  }

  async insertPlugins(siteId: string, plugins: readonly WpPlugin[]): Promise<void> {
    for (const plugin of plugins) await this.db.run(SQL.insertPlugin, [siteId, plugin.slug, plugin.version, plugin.active ? 1 : 0]);
  }

  async plugins(siteId: string): Promise<WpPlugin[]> {
    const rows = await this.db.all<{ slug: string; version: string; active: number }>(SQL.listPlugins, [siteId]);
    return rows.map((r) => ({ slug: r.slug, version: r.version, active: r.active === 1 }));
  }

  async recordCacheFlush(id: string, siteId: string, paths: readonly string[], now: number): Promise<void> {
    await this.db.run(SQL.insertFlush, [id, siteId, JSON.stringify(paths), now]);
  }

  async cacheFlushCount(siteId: string): Promise<number> {
    return Number((await this.db.get<{ n: number }>(SQL.countFlushes, [siteId]))!.n);
  }

  async credentialNameTaken(siteId: string, name: string): Promise<boolean> {
    return (await this.db.get(SQL.credentialNameTaken, [siteId, name])) !== undefined;
  }

  async insertCredential(credential: StoredCredential): Promise<void> {
    await this.db.run(SQL.insertCredential, {
      id: credential.id,
      siteId: credential.siteId,
      name: credential.name,
      username: credential.username,
      passwordCiphertext: credential.passwordCiphertext,
      createdAt: credential.createdAt,
    });
  }

  async listCredentials(siteId: string, page: PageRequest): Promise<StoredCredential[]> {
    return (await this.db.all<CredentialRow>(SQL.listCredentials, { site_id: siteId, ...pageParams(page) })).map(toCredential);
  }

  async recordExecJob(job: ExecJob): Promise<void> {
    await this.db.run(SQL.insertExec, [job.id, job.siteId, JSON.stringify(job.command), job.status, job.createdByKeyId, job.createdAt]);
  }
}
