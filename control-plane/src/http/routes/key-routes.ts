/** The key lifecycle over HTTP (docs/guides/api.md#keys, docs/guides/api.md#endpoints). Rules live in services/key-service.ts. */
import { idPatternSource } from '@managed-dev/contract';
import { KEY_STATUSES } from '../../domain/key-rules';
import { validationFailed } from '../../domain/errors';
import type { KeyCreateInput, KeyListQuery, KeyRotateInput, KeyUpdateInput } from '../../services/key-service';
import type { StoredKey } from '../../storage/key-repository';
import { defineRoute, JsonSchema, RouteRequest } from '../route-definition';
import { keyCreatedDetail, keyRevokedDetail, keyRotatedDetail, keyUpdatedDetail } from '../../services/key-audit-details';
import { keyCreateSchema, keyRotateSchema, keyUpdateSchema } from '../schemas';

/** Loads `{id}` so authorization can hide keys of other accounts (404) before any scope check. */
async function resolveKey({ params, services }: Pick<RouteRequest, 'params' | 'services'>) {
  const key = await services.keyService.find(params.id!);
  return key ? { resource: await services.keyService.targetOf(key), value: key } : null;
}

/** Ids per batched read: a refresh of hundreds of keys takes a few requests, and one request stays small. */
export const MAX_IDS_PER_READ = 100;

const keyListQuerySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
    cursor: { type: 'string', minLength: 1, maxLength: 200 },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    status: { enum: [...KEY_STATUSES] },
    id: {
      type: 'array',
      description:
        'Read these keys in one request (`?id=key_a&id=key_b`, at most 100). Keys the caller may not see are absent, ' +
        'exactly like keys that do not exist. Cannot be combined with the other parameters; `next_cursor` is null.',
      items: { type: 'string', pattern: idPatternSource('key') },
      minItems: 1,
      maxItems: MAX_IDS_PER_READ,
    },
  },
};

const keyRecordRef = { $ref: '#/components/schemas/KeyRecord' };

export const keyRoutes = [
  defineRoute<undefined>({
    method: 'get',
    path: '/v1/keys',
    scope: 'keys:read',
    summary: 'List keys, or read several by id (never their secrets)',
    tags: ['keys'],
    querySchema: keyListQuerySchema,
    responses: { 200: { description: '{items, next_cursor}', schema: { $ref: '#/components/schemas/KeyPage' } } },
    handler: async ({ caller, query, services, now }) => {
      if (query.id !== undefined) {
        const combined = ['limit', 'cursor', 'name', 'status'].filter((name) => query[name] !== undefined);
        if (combined.length > 0) {
          throw validationFailed(
            combined.map((parameter) => ({ parameter, detail: 'cannot be combined with id (a read by ids answers every listed key in one page)' })),
          );
        }
        return { status: 200, body: await services.keyService.listByIds(caller!, query.id as string[], now) };
      }
      const listQuery: KeyListQuery = {
        limit: (query.limit as number | undefined) ?? 50,
        ...(query.cursor !== undefined ? { cursor: query.cursor as string } : {}),
        ...(query.name !== undefined ? { name: query.name as string } : {}),
        ...(query.status !== undefined ? { status: query.status as KeyListQuery['status'] & string } : {}),
      };
      return { status: 200, body: await services.keyService.list(caller!, listQuery, now) };
    },
  }),
  defineRoute<KeyCreateInput>({
    method: 'post',
    path: '/v1/keys',
    audit: 'key.create',
    scope: 'keys:write',
    summary: 'Mint a key; the response carries its secret, shown this once',
    tags: ['keys'],
    bodySchema: keyCreateSchema,
    bodyExample: { name: 'ci-deploy-acme', preset: 'deploy-bot', scopes: ['sites:read'], ttl: '90d', ip_allowlist: ['203.0.113.0/24'] },
    idempotent: true,
    checkReplay: ({ caller, services }, stored) => services.keyService.checkReplayOfSecret(caller!, stored),
    errors: ['scope_escalation', 'principal_not_allowed', 'not_found'],
    responses: {
      201: {
        description: 'The key record plus `secret`',
        schema: { $ref: '#/components/schemas/KeyWithSecret' },
        headers: { Location: { description: 'The new key: /v1/keys/{id}', required: true, schema: { type: 'string' } } },
      },
    },
    handler: async ({ caller, body, services, now }) => {
      const created = await services.keyService.create(caller!, body, now);
      return { status: 201, body: created, headers: { Location: `/v1/keys/${created.id}` }, audit: { detail: keyCreatedDetail(created, body) } };
    },
  }),
  defineRoute<undefined, StoredKey>({
    method: 'get',
    path: '/v1/keys/{id}',
    scope: 'keys:read',
    summary: 'Read a key (never its secret)',
    tags: ['keys'],
    resolveTarget: resolveKey,
    responses: { 200: { description: 'The key record', schema: keyRecordRef } },
    handler: async ({ target, services, now }) => ({ status: 200, body: await services.keyService.record(target, now) }),
  }),
  defineRoute<KeyUpdateInput, StoredKey>({
    method: 'patch',
    path: '/v1/keys/{id}',
    audit: 'key.update',
    scope: 'keys:write',
    summary: 'Change name, description, preset, scopes or IP allowlist (TTL and constraint never change)',
    tags: ['keys'],
    bodySchema: keyUpdateSchema,
    bodyExample: { description: 'deploys acme sites from CI', scopes: ['sites:read', 'deploys:write'] },
    errors: ['scope_escalation'],
    resolveTarget: resolveKey,
    responses: { 200: { description: 'The updated key record', schema: keyRecordRef } },
    handler: async ({ caller, target, body, services, now }) => {
      const updated = await services.keyService.update(caller!, target, body, now);
      return { status: 200, body: updated, audit: { detail: keyUpdatedDetail(updated, body) } };
    },
  }),
  defineRoute<undefined, StoredKey>({
    method: 'delete',
    path: '/v1/keys/{id}',
    audit: 'key.revoke',
    scope: 'keys:write',
    summary: 'Revoke a key (idempotent; the record stays readable)',
    errors: ['scope_escalation'],
    tags: ['keys'],
    resolveTarget: resolveKey,
    responses: { 200: { description: 'The revoked key record', schema: keyRecordRef } },
    handler: async ({ caller, target, services, now }) => {
      const revoked = await services.keyService.revoke(caller!, target, now);
      return { status: 200, body: revoked, audit: { detail: keyRevokedDetail(revoked) } };
    },
  }),
  defineRoute<KeyRotateInput, StoredKey>({
    method: 'post',
    path: '/v1/keys/{id}/rotate',
    audit: 'key.rotate',
    scope: 'keys:write',
    summary: 'Issue a new secret; the old one keeps working for the grace period; expires_at becomes now + ttl',
    tags: ['keys'],
    bodySchema: keyRotateSchema,
    bodyRequired: false,
    bodyExample: { grace_period: '24h' },
    idempotent: true,
    checkReplay: ({ caller, services }, stored) => services.keyService.checkReplayOfSecret(caller!, stored),
    errors: ['key_not_active', 'scope_escalation'],
    resolveTarget: resolveKey,
    responses: { 200: { description: 'The key record plus the new `secret`', schema: { $ref: '#/components/schemas/KeyWithSecret' } } },
    handler: async ({ caller, target, body, services, now }) => ({
      status: 200,
      body: await services.keyService.rotate(caller!, target, body, now),
      audit: { detail: keyRotatedDetail(body) },
    }),
  }),
  defineRoute<undefined, StoredKey>({
    method: 'post',
    path: '/v1/keys/{id}/renew',
    audit: 'key.renew',
    scope: 'keys:write',
    summary: 'Extend an ephemeral key: expires_at becomes now + its ttl',
    errors: ['key_not_ephemeral', 'key_not_active', 'scope_escalation'],
    description:
      'Only for keys minted with `ephemeral: true` (409 key_not_ephemeral otherwise) that are still active (409 key_not_active). ' +
      'Checked first: the caller must be able to mint the key as stored (every scope it was granted, its constraint and owner), or the answer is 403 scope_escalation.',
    tags: ['keys'],
    resolveTarget: resolveKey,
    responses: { 200: { description: 'The renewed key record', schema: keyRecordRef } },
    handler: async ({ caller, target, services, now }) => {
      const renewed = await services.keyService.renew(caller!, target, now);
      return { status: 200, body: renewed, audit: { detail: `renewed for ${renewed.ttl}; expires ${renewed.expires_at}` } };
    },
  }),
];
