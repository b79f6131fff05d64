/**
 * Everything hanging off a site (docs/guides/api.md#endpoints): deploys, domains, env vars, activity log lines,
 * backups, WordPress plugins and cache flushes, credentials (encrypted) and recorded exec jobs.
 * Callers have already authorized the site; these queries only take its id.
 */
import type { PagePosition } from '../domain/page-cursor';
import type { Db } from './database';

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

export class SiteResourceRepository {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      insertDeploy: db.prepare(
        `INSERT INTO deploys (id, site_id, ref, message, status, created_by_key_id, created_at)
         VALUES (@id, @siteId, @ref, @message, @status, @createdByKeyId, @createdAt)`,
      ),
      listDeploys: db.prepare<Record<string, unknown>, Record<string, unknown>>(
        `SELECT id, site_id AS siteId, ref, message, status, created_by_key_id AS createdByKeyId, created_at AS createdAt
         FROM deploys WHERE site_id = @site_id AND ${AFTER} ORDER BY created_at, id LIMIT @limit`,
      ),
      countDeploys: db.prepare<[string], { n: number; last: number | null }>('SELECT count(*) AS n, max(created_at) AS last FROM deploys WHERE site_id = ?'),
      insertDomain: db.prepare('INSERT OR IGNORE INTO domains (site_id, hostname, created_at) VALUES (?, ?, ?)'),
      findDomain: db.prepare<[string, string], { hostname: string; created_at: number }>(
        'SELECT hostname, created_at FROM domains WHERE site_id = ? AND hostname = ?',
      ),
      listDomains: db.prepare<[string], { hostname: string; created_at: number }>(
        'SELECT hostname, created_at FROM domains WHERE site_id = ? ORDER BY hostname',
      ),
      deleteDomain: db.prepare('DELETE FROM domains WHERE site_id = ? AND hostname = ?'),
      listEnv: db.prepare<[string], { name: string; value: string }>('SELECT name, value FROM env_vars WHERE site_id = ? ORDER BY name'),
      clearEnv: db.prepare('DELETE FROM env_vars WHERE site_id = ?'),
      insertEnv: db.prepare('INSERT INTO env_vars (site_id, name, value) VALUES (?, ?, ?)'),
      insertEvent: db.prepare('INSERT INTO site_events (site_id, created_at, level, message) VALUES (?, ?, ?, ?)'),
      listEvents: db.prepare<[string, number, number], { id: number; created_at: number; level: string; message: string }>(
        'SELECT id, created_at, level, message FROM site_events WHERE site_id = ? AND id > ? ORDER BY id LIMIT ?',
      ),
      countEvents: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM site_events WHERE site_id = ?'),
      insertBackup: db.prepare(
        'INSERT INTO backups (id, site_id, label, status, size_bytes, snapshot_json, created_at) VALUES (@id, @siteId, @label, @status, @sizeBytes, @snapshotJson, @createdAt)',
      ),
      listBackups: db.prepare<Record<string, unknown>, Record<string, unknown>>(
        `SELECT id, site_id AS siteId, label, status, size_bytes AS sizeBytes, created_at AS createdAt
         FROM backups WHERE site_id = @site_id AND ${AFTER} ORDER BY created_at, id LIMIT @limit`,
      ),
      countBackups: db.prepare<[string], { n: number; bytes: number | null }>('SELECT count(*) AS n, sum(size_bytes) AS bytes FROM backups WHERE site_id = ?'),
      insertPlugin: db.prepare('INSERT INTO wp_plugins (site_id, slug, version, active) VALUES (?, ?, ?, ?)'),
      listPlugins: db.prepare<[string], { slug: string; version: string; active: number }>(
        'SELECT slug, version, active FROM wp_plugins WHERE site_id = ? ORDER BY slug',
      ),
      insertFlush: db.prepare('INSERT INTO wp_cache_flushes (id, site_id, paths_json, created_at) VALUES (?, ?, ?, ?)'),
      countFlushes: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM wp_cache_flushes WHERE site_id = ?'),
      insertCredential: db.prepare(
        `INSERT INTO site_credentials (id, site_id, name, username, password_ciphertext, created_at)
         VALUES (@id, @siteId, @name, @username, @passwordCiphertext, @createdAt)`,
      ),
      credentialNameTaken: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM site_credentials WHERE site_id = ? AND name = ?'),
      listCredentials: db.prepare<Record<string, unknown>, Record<string, unknown>>(
        `SELECT id, site_id AS siteId, name, username, password_ciphertext AS passwordCiphertext, created_at AS createdAt
         FROM site_credentials WHERE site_id = @site_id AND ${AFTER} ORDER BY created_at, id LIMIT @limit`,
      ),
      insertExec: db.prepare(
        `INSERT INTO exec_jobs (id, site_id, command_json, status, created_by_key_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  insertDeploy(deploy: Deploy): void {
    this.s.insertDeploy.run(deploy);
  }

  listDeploys(siteId: string, page: PageRequest): Deploy[] {
    return this.s.listDeploys.all({ site_id: siteId, ...pageParams(page) }) as unknown as Deploy[];
  }

  deployStats(siteId: string): { count: number; lastAt: number | null } {
    const row = this.s.countDeploys.get(siteId)!;
    return { count: row.n, lastAt: row.last };
  }

  /** Returns false when the site already had this hostname (attaching is idempotent). */
  addDomain(siteId: string, hostname: string, now: number): boolean {
    return this.s.insertDomain.run(siteId, hostname, now).changes === 1;
  }

  findDomain(siteId: string, hostname: string): Domain | undefined {
    const row = this.s.findDomain.get(siteId, hostname);
    return row ? { hostname: row.hostname, createdAt: row.created_at } : undefined;
  }

  listDomains(siteId: string): Domain[] {
    return this.s.listDomains.all(siteId).map((r) => ({ hostname: r.hostname, createdAt: r.created_at }));
  }

  removeDomain(siteId: string, hostname: string): boolean {
    return this.s.deleteDomain.run(siteId, hostname).changes === 1;
  }

  env(siteId: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const row of this.s.listEnv.all(siteId)) out[row.name] = row.value;
    return out;
  }

  /** Replaces the whole set (PUT semantics) atomically. */
  replaceEnv(siteId: string, variables: Readonly<Record<string, string>>): void {
    this.db.transaction(() => {
      this.s.clearEnv.run(siteId);
      for (const [name, value] of Object.entries(variables)) this.s.insertEnv.run(siteId, name, value);
    })();
  }

  logEvent(siteId: string, now: number, level: 'info' | 'warn', message: string): void {
    this.s.insertEvent.run(siteId, now, level, message);
  }

  events(siteId: string, afterId: number, limit: number): SiteEvent[] {
    return this.s.listEvents.all(siteId, afterId, limit + 1).map((r) => ({ id: r.id, createdAt: r.created_at, level: r.level, message: r.message }));
  }

  eventCount(siteId: string): number {
    return this.s.countEvents.get(siteId)!.n;
  }

  insertBackup(backup: Backup, snapshotJson: string): void {
    this.s.insertBackup.run({ ...backup, snapshotJson });
  }

  listBackups(siteId: string, page: PageRequest): Backup[] {
    return this.s.listBackups.all({ site_id: siteId, ...pageParams(page) }) as unknown as Backup[];
  }

  backupStats(siteId: string): { count: number; bytes: number } {
    const row = this.s.countBackups.get(siteId)!;
    return { count: row.n, bytes: row.bytes ?? 0 };
  }

  insertPlugins(siteId: string, plugins: readonly WpPlugin[]): void {
    for (const plugin of plugins) this.s.insertPlugin.run(siteId, plugin.slug, plugin.version, plugin.active ? 1 : 0);
  }

  plugins(siteId: string): WpPlugin[] {
    return this.s.listPlugins.all(siteId).map((r) => ({ slug: r.slug, version: r.version, active: r.active === 1 }));
  }

  recordCacheFlush(id: string, siteId: string, paths: readonly string[], now: number): void {
    this.s.insertFlush.run(id, siteId, JSON.stringify(paths), now);
  }

  cacheFlushCount(siteId: string): number {
    return this.s.countFlushes.get(siteId)!.n;
  }

  credentialNameTaken(siteId: string, name: string): boolean {
    return this.s.credentialNameTaken.get(siteId, name) !== undefined;
  }

  insertCredential(credential: StoredCredential): void {
    this.s.insertCredential.run(credential);
  }

  listCredentials(siteId: string, page: PageRequest): StoredCredential[] {
    return this.s.listCredentials.all({ site_id: siteId, ...pageParams(page) }) as unknown as StoredCredential[];
  }

  recordExecJob(job: ExecJob): void {
    this.s.insertExec.run(job.id, job.siteId, JSON.stringify(job.command), job.status, job.createdByKeyId, job.createdAt);
  }
}
