/** Who am I, and what scopes and presets exist (docs/guides/api.md#endpoints). */
import { keyStatus } from '../../domain/key-rules';
import { PRESETS, SCOPE_DEFINITIONS } from '@managed-dev/contract';
import { defineRoute } from '../route-definition';

export const whoamiRoute = defineRoute({
  method: 'get',
  path: '/v1/whoami',
  scope: null,
  summary: 'Describe the calling key and its principal',
  tags: ['meta'],
  responses: {
    200: { description: 'The principal, its current role, the key, its scopes and effective scopes', schema: { $ref: '#/components/schemas/Whoami' } },
  },
  // The key and principal authentication just loaded (cached until the next write): reading
  // them again by id would cost two queries per call and could not be any fresher.
  handler: ({ caller, authentication, effectiveScopes, now }) => {
    const { accountId } = caller!;
    const { key, principal } = authentication!;
    return {
      status: 200,
      body: {
        account_id: accountId,
        principal: { id: principal.id, name: principal.name, kind: principal.kind, role: principal.role },
        role: principal.role,
        key_id: key.id,
        key_name: key.name,
        preset: key.preset,
        scopes: [...key.scopes],
        effective_scopes: [...effectiveScopes],
        constraint: key.constraint,
        ip_allowlist: [...key.ipAllowlist],
        status: keyStatus(key, now.getTime()),
        expires_at: new Date(key.expiresAt).toISOString(),
      },
    };
  },
});

export const scopesRoute = defineRoute({
  method: 'get',
  path: '/v1/scopes',
  scope: null,
  public: true,
  summary: 'The scope catalog, with dangerous flags',
  tags: ['meta'],
  responses: { 200: { description: '{"scopes": [{name, description, dangerous}]}', schema: { $ref: '#/components/schemas/ScopeCatalog' } } },
  handler: () => ({ status: 200, body: { scopes: SCOPE_DEFINITIONS.map((s) => ({ name: s.name, description: s.description, dangerous: s.dangerous })) } }),
});

export const presetsRoute = defineRoute({
  method: 'get',
  path: '/v1/presets',
  scope: null,
  public: true,
  summary: 'The presets and the scopes each grants',
  tags: ['meta'],
  responses: { 200: { description: '{"presets": {name: {description, scopes}}}', schema: { $ref: '#/components/schemas/PresetCatalog' } } },
  handler: () => ({
    status: 200,
    body: {
      presets: Object.fromEntries(Object.entries(PRESETS).map(([name, preset]) => [name, { description: preset.description, scopes: [...preset.scopes] }])),
    },
  }),
});

export const metaRoutes = [whoamiRoute, scopesRoute, presetsRoute];
