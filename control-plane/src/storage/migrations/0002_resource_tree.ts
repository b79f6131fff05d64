import type { Migration } from '../migrate';
import { postgresDdl } from './postgres-ddl';

/**
 * The resource tree (account → team → project → site), team membership and every site
 * sub-resource of docs/guides/api.md, plus the tamper-evident audit log.
 *
 * Teams, projects and sites are soft-deleted: a key constrained to a deleted node must still
 * resolve where that node sat (to decide who may see the key record), and audit targets stay
 * meaningful. Names are unique among live siblings only. Sites carry their team and project ids
 * so the ancestry a request needs for its authorization decision is one indexed row.
 * Times are integer milliseconds since the epoch, like the rest of the schema; audit times are
 * ISO text because they are part of the hashed, canonical entry.
 */
const SQLITE = `
    CREATE TABLE teams (
      id         TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts(id),
      name       TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      deleted_at INTEGER
    );
    CREATE INDEX teams_by_account_page ON teams(account_id, created_at, id);
    CREATE UNIQUE INDEX teams_live_name ON teams(account_id, name) WHERE deleted_at IS NULL;

    CREATE TABLE team_members (
      team_id      TEXT NOT NULL REFERENCES teams(id),
      principal_id TEXT NOT NULL REFERENCES principals(id),
      created_at   INTEGER NOT NULL,
      PRIMARY KEY (team_id, principal_id)
    );
    CREATE INDEX team_members_by_principal ON team_members(principal_id);

    CREATE TABLE projects (
      id         TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts(id),
      team_id    TEXT NOT NULL REFERENCES teams(id),
      name       TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      deleted_at INTEGER
    );
    CREATE INDEX projects_by_team_page ON projects(team_id, created_at, id);
    CREATE UNIQUE INDEX projects_live_name ON projects(team_id, name) WHERE deleted_at IS NULL;

    CREATE TABLE sites (
      id         TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts(id),
      team_id    TEXT NOT NULL REFERENCES teams(id),
      project_id TEXT NOT NULL REFERENCES projects(id),
      name       TEXT NOT NULL,
      runtime    TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      deleted_at INTEGER
    );
    CREATE INDEX sites_by_project_page ON sites(project_id, created_at, id);
    CREATE UNIQUE INDEX sites_live_name ON sites(project_id, name) WHERE deleted_at IS NULL;

    -- Activity lines served by GET /sites/{id}/logs: every change made through the API to a site.
    CREATE TABLE site_events (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      site_id    TEXT NOT NULL REFERENCES sites(id),
      created_at INTEGER NOT NULL,
      level      TEXT NOT NULL,
      message    TEXT NOT NULL
    );
    CREATE INDEX site_events_by_site ON site_events(site_id, id);

    CREATE TABLE deploys (
      id         TEXT PRIMARY KEY,
      site_id    TEXT NOT NULL REFERENCES sites(id),
      ref        TEXT NOT NULL,
      message    TEXT,
      status     TEXT NOT NULL,
      created_by_key_id TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX deploys_by_site_page ON deploys(site_id, created_at, id);

    CREATE TABLE domains (
      site_id    TEXT NOT NULL REFERENCES sites(id),
      hostname   TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (site_id, hostname)
    );

    CREATE TABLE env_vars (
      site_id TEXT NOT NULL REFERENCES sites(id),
      name    TEXT NOT NULL,
      value   TEXT NOT NULL,
      PRIMARY KEY (site_id, name)
    );

    CREATE TABLE backups (
      id         TEXT PRIMARY KEY,
      site_id    TEXT NOT NULL REFERENCES sites(id),
      label      TEXT,
      status     TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      -- The backup itself: the site's configuration (runtime, domains, env, plugins) as JSON.
      snapshot_json TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX backups_by_site_page ON backups(site_id, created_at, id);

    CREATE TABLE wp_plugins (
      site_id TEXT NOT NULL REFERENCES sites(id),
      slug    TEXT NOT NULL,
      version TEXT NOT NULL,
      active  INTEGER NOT NULL,
      PRIMARY KEY (site_id, slug)
    );

    CREATE TABLE wp_cache_flushes (
      id         TEXT PRIMARY KEY,
      site_id    TEXT NOT NULL REFERENCES sites(id),
      paths_json TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );

    -- Site credentials: the password only as AES-256-GCM ciphertext under a key derived from the
    -- pepper (which never enters the database).
    CREATE TABLE site_credentials (
      id         TEXT PRIMARY KEY,
      site_id    TEXT NOT NULL REFERENCES sites(id),
      name       TEXT NOT NULL,
      username   TEXT NOT NULL,
      password_ciphertext BLOB NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX site_credentials_by_site_page ON site_credentials(site_id, created_at, id);
    CREATE UNIQUE INDEX site_credentials_name ON site_credentials(site_id, name);

    -- Exec requests are recorded for an out-of-band runner; the control plane never executes them.
    CREATE TABLE exec_jobs (
      id           TEXT PRIMARY KEY,
      site_id      TEXT NOT NULL REFERENCES sites(id),
      command_json TEXT NOT NULL,
      status       TEXT NOT NULL,
      created_by_key_id TEXT NOT NULL,
      created_at   INTEGER NOT NULL
    );

    -- One hash chain per account ('' = entries with no known account, e.g. an unknown key).
    CREATE TABLE audit_log (
      id                 TEXT PRIMARY KEY,
      chain              TEXT NOT NULL,
      sequence           INTEGER NOT NULL,
      time               TEXT NOT NULL,
      account_id         TEXT,
      actor_principal_id TEXT,
      key_id             TEXT,
      action             TEXT NOT NULL,
      target             TEXT,
      source_ip          TEXT,
      outcome            TEXT NOT NULL,
      detail             TEXT,
      previous_hash      TEXT NOT NULL,
      hash               TEXT NOT NULL,
      UNIQUE (chain, sequence)
    );
  `;

export const migration: Migration = {
  version: 2,
  name: 'resource_tree',
  sqlite: SQLITE,
  postgres: postgresDdl(SQLITE),
};
