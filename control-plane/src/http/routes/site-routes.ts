/**
 * Everything that hangs off a site (SPEC §5.1), each with real state in SQLite so every scope can
 * be exercised: deploys, domains, env vars, logs (the site's activity), metrics (counted from the
 * stored state), backups (configuration snapshots), WordPress plugins and cache flushes,
 * credentials (encrypted at rest, plaintext only to credentials:read) and exec jobs, which are
 * recorded for a runner and never executed here.
 */
import type { BackupCreate, CredentialCreate, DeployCreate, DomainCreate, EnvReplace, ExecCreate, WpCacheFlush } from '@managed-dev/contract';
import { randomBase62 } from '@managed-dev/contract';
import { conflict, notFound } from '../../domain/errors';
import { decodeCursor, encodeCursor, pageOf } from '../../domain/page-cursor';
import type { Backup, Deploy, StoredCredential } from '../../storage/site-resource-repository';
import type { Site } from '../../storage/tree-repository';
import { defineRoute, JsonSchema } from '../route-definition';
import {
  backupCreateSchema,
  credentialCreateSchema,
  deployCreateSchema,
  domainCreateSchema,
  envReplaceSchema,
  execCreateSchema,
  wpCacheFlushSchema,
} from '../schemas';
import { iso, listQuerySchema, pageLimit, pageSchema, resolveSite } from './resource-targets';

const childId = (prefix: string) => `${prefix}_${randomBase62(22)}`;
const afterOf = (query: Readonly<Record<string, unknown>>) =>
  query.cursor !== undefined ? { after: decodeCursor(query.cursor as string) } : {};

const renderDeploy = (d: Deploy) => ({
  id: d.id,
  site_id: d.siteId,
  ref: d.ref,
  message: d.message,
  status: d.status,
  created_by_key_id: d.createdByKeyId,
  created_at: iso(d.createdAt),
});
const renderBackup = (b: Backup) => ({ id: b.id, site_id: b.siteId, label: b.label, status: b.status, size_bytes: b.sizeBytes, created_at: iso(b.createdAt) });
const renderCredentialMetadata = (c: StoredCredential) => ({ id: c.id, site_id: c.siteId, name: c.name, username: c.username, created_at: iso(c.createdAt) });

const str = { type: 'string' };
const time = { type: 'string', format: 'date-time' };
const deploySchema: JsonSchema = {
  type: 'object',
  properties: { id: str, site_id: str, ref: str, message: { type: ['string', 'null'] }, status: { enum: ['recorded'] }, created_by_key_id: str, created_at: time },
};
const domainSchema: JsonSchema = { type: 'object', properties: { hostname: str, created_at: time } };
const envSchema: JsonSchema = { type: 'object', properties: { variables: { type: 'object', additionalProperties: str } } };
const backupSchema: JsonSchema = {
  type: 'object',
  properties: { id: str, site_id: str, label: { type: ['string', 'null'] }, status: { enum: ['completed'] }, size_bytes: { type: 'integer' }, created_at: time },
};
const credentialMetadata = { id: str, site_id: str, name: str, username: str, created_at: time };
/** What POST answers: never the password. */
const credentialSchema: JsonSchema = { type: 'object', properties: credentialMetadata };
/** What GET lists, to credentials:read only. */
const credentialWithPasswordSchema: JsonSchema = { type: 'object', properties: { ...credentialMetadata, password: str } };
const countersSchema: JsonSchema = {
  type: 'object',
  properties: {
    site_id: str,
    deploys_total: { type: 'integer' },
    last_deploy_at: { type: ['string', 'null'], format: 'date-time' },
    domains_total: { type: 'integer' },
    env_vars_total: { type: 'integer' },
    backups_total: { type: 'integer' },
    backup_bytes_total: { type: 'integer' },
    cache_flushes_total: { type: 'integer' },
    log_lines_total: { type: 'integer' },
  },
};
const cacheFlushSchema: JsonSchema = {
  type: 'object',
  properties: { id: str, site_id: str, paths: { type: 'array', items: str }, status: { enum: ['recorded'] }, created_at: time },
};
const execJobSchema: JsonSchema = {
  type: 'object',
  properties: { id: str, site_id: str, command: { type: 'array', items: str }, status: { enum: ['recorded'] }, created_at: time },
};

export const siteRoutes = [
  // ---- deploys ----
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/deploys',
    scope: 'deploys:read',
    summary: "List a site's deploys",
    tags: ['deploys'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(deploySchema) } },
    handler: ({ target, query, services }) => {
      const limit = pageLimit(query);
      return { status: 200, body: pageOf(services.siteResources.listDeploys(target.id, { limit, ...afterOf(query) }), limit, renderDeploy) };
    },
  }),
  defineRoute<DeployCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/deploys',
    scope: 'deploys:write',
    summary: 'Record a deploy of a git ref',
    tags: ['deploys'],
    bodySchema: deployCreateSchema,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'The deploy', schema: deploySchema } },
    handler: ({ caller, target, body, services, now }) => {
      const deploy: Deploy = {
        id: childId('dep'),
        siteId: target.id,
        ref: body.ref,
        message: body.message ?? null,
        status: 'recorded',
        createdByKeyId: caller!.keyId,
        createdAt: now.getTime(),
      };
      services.db.transaction(() => {
        services.siteResources.insertDeploy(deploy);
        services.siteResources.logEvent(target.id, deploy.createdAt, 'info', `deploy ${deploy.id} of ${deploy.ref} recorded`);
      })();
      return { status: 201, body: renderDeploy(deploy) };
    },
  }),

  // ---- domains ----
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/domains',
    scope: 'domains:read',
    summary: "List a site's domains",
    tags: ['domains'],
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(domainSchema) } },
    handler: ({ target, services }) => ({
      status: 200,
      body: { items: services.siteResources.listDomains(target.id).map((d) => ({ hostname: d.hostname, created_at: iso(d.createdAt) })), next_cursor: null },
    }),
  }),
  defineRoute<DomainCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/domains',
    scope: 'domains:write',
    summary: 'Attach a domain (attaching an attached domain answers 200)',
    tags: ['domains'],
    bodySchema: domainCreateSchema,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'Attached', schema: domainSchema }, 200: { description: 'Already attached', schema: domainSchema } },
    handler: ({ target, body, services, now }) => {
      const added = services.siteResources.addDomain(target.id, body.hostname, now.getTime());
      if (added) services.siteResources.logEvent(target.id, now.getTime(), 'info', `domain ${body.hostname} attached`);
      const domain = services.siteResources.findDomain(target.id, body.hostname)!;
      return { status: added ? 201 : 200, body: { hostname: domain.hostname, created_at: iso(domain.createdAt) } };
    },
  }),
  defineRoute<undefined, Site>({
    method: 'delete',
    path: '/v1/sites/{id}/domains/{domain}',
    scope: 'domains:write',
    summary: 'Detach a domain',
    tags: ['domains'],
    resolveTarget: resolveSite,
    responses: { 204: { description: 'Detached' } },
    handler: ({ target, params, services, now }) => {
      if (!services.siteResources.removeDomain(target.id, params.domain!)) throw notFound();
      services.siteResources.logEvent(target.id, now.getTime(), 'info', `domain ${params.domain} detached`);
      return { status: 204 };
    },
  }),

  // ---- env ----
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/env',
    scope: 'env:read',
    summary: "Read a site's environment variables",
    tags: ['env'],
    resolveTarget: resolveSite,
    responses: { 200: { description: '{variables}', schema: envSchema } },
    handler: ({ target, services }) => ({ status: 200, body: { variables: services.siteResources.env(target.id) } }),
  }),
  defineRoute<EnvReplace, Site>({
    method: 'put',
    path: '/v1/sites/{id}/env',
    scope: 'env:write',
    summary: "Replace a site's environment variables",
    tags: ['env'],
    bodySchema: envReplaceSchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{variables}', schema: envSchema } },
    handler: ({ target, body, services, now }) => {
      services.siteResources.replaceEnv(target.id, body.variables);
      // Names only: values may be sensitive and logs:read is a weaker scope than env:read.
      const names = Object.keys(body.variables).sort();
      services.siteResources.logEvent(target.id, now.getTime(), 'info', `environment replaced (${names.length} variable(s): ${names.join(', ') || 'none'})`);
      return { status: 200, body: { variables: services.siteResources.env(target.id) } };
    },
  }),

  // ---- logs and metrics ----
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/logs',
    scope: 'logs:read',
    summary: "Read a site's activity log, oldest first",
    tags: ['logs'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: {
      200: {
        description: '{items, next_cursor}',
        schema: pageSchema({ type: 'object', properties: { id: { type: 'integer' }, time, level: { enum: ['info', 'warn'] }, message: str } }),
      },
    },
    handler: ({ target, query, services }) => {
      const limit = pageLimit(query);
      // Log lines are ordered by their integer id; the cursor carries the last id seen.
      const afterId = query.cursor !== undefined ? decodeCursor(query.cursor as string).createdAt : 0;
      const rows = services.siteResources.events(target.id, afterId, limit);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        status: 200,
        body: {
          items: page.map((e) => ({ id: e.id, time: iso(e.createdAt), level: e.level, message: e.message })),
          next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.id, id: `log_${last.id}` }) : null,
        },
      };
    },
  }),
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/metrics',
    scope: 'metrics:read',
    summary: "Read a site's metrics, counted from its stored state",
    tags: ['metrics'],
    resolveTarget: resolveSite,
    responses: { 200: { description: 'Counters', schema: countersSchema } },
    handler: ({ target, services }) => {
      const deploys = services.siteResources.deployStats(target.id);
      const backups = services.siteResources.backupStats(target.id);
      return {
        status: 200,
        body: {
          site_id: target.id,
          deploys_total: deploys.count,
          last_deploy_at: deploys.lastAt === null ? null : iso(deploys.lastAt),
          domains_total: services.siteResources.listDomains(target.id).length,
          env_vars_total: Object.keys(services.siteResources.env(target.id)).length,
          backups_total: backups.count,
          backup_bytes_total: backups.bytes,
          cache_flushes_total: services.siteResources.cacheFlushCount(target.id),
          log_lines_total: services.siteResources.eventCount(target.id),
        },
      };
    },
  }),

  // ---- backups ----
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/backups',
    scope: 'backups:read',
    summary: "List a site's backups",
    tags: ['backups'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(backupSchema) } },
    handler: ({ target, query, services }) => {
      const limit = pageLimit(query);
      return { status: 200, body: pageOf(services.siteResources.listBackups(target.id, { limit, ...afterOf(query) }), limit, renderBackup) };
    },
  }),
  defineRoute<BackupCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/backups',
    scope: 'backups:write',
    summary: "Snapshot a site's configuration (runtime, domains, env, plugins)",
    tags: ['backups'],
    bodySchema: backupCreateSchema,
    bodyRequired: false,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'The backup', schema: backupSchema } },
    handler: ({ target, body, services, now }) => {
      const snapshot = JSON.stringify({
        site: { id: target.id, name: target.name, runtime: target.runtime },
        domains: services.siteResources.listDomains(target.id).map((d) => d.hostname),
        env: services.siteResources.env(target.id),
        wp_plugins: services.siteResources.plugins(target.id),
      });
      const backup: Backup = {
        id: childId('bak'),
        siteId: target.id,
        label: body.label ?? null,
        status: 'completed',
        sizeBytes: Buffer.byteLength(snapshot),
        createdAt: now.getTime(),
      };
      services.db.transaction(() => {
        services.siteResources.insertBackup(backup, snapshot);
        services.siteResources.logEvent(target.id, backup.createdAt, 'info', `backup ${backup.id} taken (${backup.sizeBytes} bytes)`);
      })();
      return { status: 201, body: renderBackup(backup) };
    },
  }),

  // ---- WordPress ----
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/wp/plugins',
    scope: 'wp:read',
    summary: "List a WordPress site's plugins",
    tags: ['wp'],
    resolveTarget: resolveSite,
    responses: {
      200: {
        description: '{items, next_cursor}',
        schema: pageSchema({ type: 'object', properties: { slug: str, version: str, active: { type: 'boolean' } } }),
      },
    },
    handler: ({ target, services }) => ({ status: 200, body: { items: services.siteResources.plugins(target.id), next_cursor: null } }),
  }),
  defineRoute<WpCacheFlush, Site>({
    method: 'post',
    path: '/v1/sites/{id}/wp/cache-flush',
    scope: 'wp:write',
    summary: "Flush a WordPress site's page cache (all of it, or the given paths)",
    tags: ['wp'],
    bodySchema: wpCacheFlushSchema,
    bodyRequired: false,
    resolveTarget: resolveSite,
    responses: { 202: { description: 'The flush request', schema: cacheFlushSchema } },
    handler: ({ target, body, services, now }) => {
      const id = childId('flush');
      const paths = body.paths ?? [];
      services.db.transaction(() => {
        services.siteResources.recordCacheFlush(id, target.id, paths, now.getTime());
        services.siteResources.logEvent(target.id, now.getTime(), 'info', `cache flush ${id} requested (${paths.length === 0 ? 'everything' : paths.join(' ')})`);
      })();
      return { status: 202, body: { id, site_id: target.id, paths, status: 'recorded', created_at: iso(now.getTime()) } };
    },
  }),

  // ---- credentials ----
  defineRoute<undefined, Site>({
    method: 'get',
    path: '/v1/sites/{id}/credentials',
    scope: 'credentials:read',
    summary: "List a site's credentials, passwords included",
    tags: ['credentials'],
    querySchema: listQuerySchema,
    resolveTarget: resolveSite,
    responses: { 200: { description: '{items, next_cursor}', schema: pageSchema(credentialWithPasswordSchema) } },
    handler: ({ target, query, services }) => {
      const limit = pageLimit(query);
      const rows = services.siteResources.listCredentials(target.id, { limit, ...afterOf(query) });
      return {
        status: 200,
        body: pageOf(rows, limit, (c) => ({ ...renderCredentialMetadata(c), password: services.credentialCipher.decrypt(c.passwordCiphertext, c.id) })),
      };
    },
  }),
  defineRoute<CredentialCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/credentials',
    errors: ['name_taken'],
    scope: 'credentials:write',
    summary: 'Store a credential (encrypted); the password is returned only by GET, to credentials:read',
    tags: ['credentials'],
    bodySchema: credentialCreateSchema,
    resolveTarget: resolveSite,
    responses: { 201: { description: 'The credential without its password', schema: credentialSchema } },
    handler: ({ target, body, services, now }) => {
      if (services.siteResources.credentialNameTaken(target.id, body.name)) {
        throw conflict('name_taken', `The site already has a credential named "${body.name}".`);
      }
      const id = childId('cred');
      const credential: StoredCredential = {
        id,
        siteId: target.id,
        name: body.name,
        username: body.username,
        passwordCiphertext: services.credentialCipher.encrypt(body.password ?? randomBase62(24), id),
        createdAt: now.getTime(),
      };
      services.db.transaction(() => {
        services.siteResources.insertCredential(credential);
        services.siteResources.logEvent(target.id, credential.createdAt, 'info', `credential "${credential.name}" stored`);
      })();
      return { status: 201, body: renderCredentialMetadata(credential) };
    },
  }),

  // ---- exec ----
  defineRoute<ExecCreate, Site>({
    method: 'post',
    path: '/v1/sites/{id}/exec',
    scope: 'exec:raw',
    summary: "Record a command for the site's runner; nothing runs on the control plane",
    tags: ['exec'],
    bodySchema: execCreateSchema,
    resolveTarget: resolveSite,
    responses: { 202: { description: 'The recorded job', schema: execJobSchema } },
    handler: ({ caller, target, body, services, now }) => {
      const job = { id: childId('job'), siteId: target.id, command: body.command, status: 'recorded', createdByKeyId: caller!.keyId, createdAt: now.getTime() };
      services.db.transaction(() => {
        services.siteResources.recordExecJob(job);
        services.siteResources.logEvent(target.id, job.createdAt, 'warn', `exec job ${job.id} recorded (${body.command[0]})`);
      })();
      return {
        status: 202,
        body: { id: job.id, site_id: job.siteId, command: job.command, status: job.status, created_at: iso(job.createdAt) },
      };
    },
  }),
];
