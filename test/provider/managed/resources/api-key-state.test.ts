import fc from 'fast-check';
import { unknown, type ObjectValue } from '../../../../provider/src/framework';
import {
  createBody,
  importedIdOnlyState,
  stateAfterApply,
  stateFromRecord,
  ttlOfRecord,
  updateBody,
} from '../../../../provider/src/managed/resources/api-key-state';
import type { KeyRecord } from '@managed-dev/contract';
import { apiKeySchema } from '../../../../provider/src/managed/schemas';
import { sameTtl } from '../../../../provider/src/managed/ttl-equality';
import { keepSemanticallyEqualPrior } from '../../../../provider/src/framework/schema/declarations';

const record: KeyRecord = {
  id: 'key_1',
  name: 'ci',
  description: null,
  preset: 'deploy-bot',
  scopes: [],
  effective_scopes: ['sites:read', 'deploys:read', 'deploys:write', 'logs:read'],
  constraint: { team_id: 'team_acme' },
  ip_allowlist: [],
  ttl: '30d',
  ephemeral: false,
  status: 'active',
  principal_id: 'prin_1',
  created_by: 'prin_1',
  created_at: '2026-01-01T00:00:00.000Z',
  expires_at: '2026-01-31T00:00:00.000Z',
  revoked_at: null,
  last_used_at: null,
  last_used_ip: null,
};

describe('stateFromRecord', () => {
  it('has every schema attribute', () => {
    expect(Object.keys(stateFromRecord(record, null)).sort()).toEqual(Object.keys(apiKeySchema.attributes).sort());
    expect(Object.keys(importedIdOnlyState('key_1')).sort()).toEqual(Object.keys(apiKeySchema.attributes).sort());
  });

  it('maps the record, keeping the secret and the Terraform-only rotation settings from the prior state', () => {
    expect(stateFromRecord(record, { secret: 'mdk_x', ttl: '30d', rotation_trigger: 'r1', rotation_grace_period: '1h', rotate_before_expiry: '3d' })).toEqual({
      id: 'key_1',
      name: 'ci',
      description: null,
      preset: 'deploy-bot',
      scopes: null,
      team_id: 'team_acme',
      project_id: null,
      site_id: null,
      ip_allowlist: null,
      ttl: '30d',
      rotation_trigger: 'r1',
      rotation_grace_period: '1h',
      rotate_before_expiry: '3d',
      secret: 'mdk_x',
      effective_scopes: ['deploys:read', 'deploys:write', 'logs:read', 'sites:read'],
      expires_at: '2026-01-31T00:00:00.000Z',
      created_at: '2026-01-01T00:00:00.000Z',
    });
  });

  it("keeps the prior spelling of empty sets, and (by the schema's ttl equality) of an equal TTL, and derives the TTL after import", () => {
    const prior = { scopes: [], ip_allowlist: [], ttl: '720h', description: '' };
    const state = stateFromRecord(record, prior);
    expect(state).toMatchObject({ scopes: [], ip_allowlist: [], ttl: '30d', description: '' });
    keepSemanticallyEqualPrior(apiKeySchema, prior, state);
    expect(state.ttl).toBe('720h');
    expect(stateFromRecord(record, importedIdOnlyState('key_1'))).toMatchObject({ ttl: '30d', secret: null, scopes: null });
  });

  it('reports the server TTL when it differs from the prior one', () => {
    const state = stateFromRecord(record, { ttl: '90d' });
    keepSemanticallyEqualPrior(apiKeySchema, { ttl: '90d' }, state);
    expect(state.ttl).toBe('30d');
  });

  it('takes the TTL from the record, not from its dates, which a rotation moves', () => {
    expect(stateFromRecord({ ...record, ttl: '7d', expires_at: '2026-01-20T00:00:00.000Z' }, null).ttl).toBe('7d');
  });
});

describe('ttlOfRecord', () => {
  it('uses the largest exact unit', () => {
    const at = (ms: number) => ({ created_at: '2026-01-01T00:00:00.000Z', expires_at: new Date(Date.parse('2026-01-01T00:00:00.000Z') + ms).toISOString() });
    expect(ttlOfRecord(at(90 * 86_400_000))).toBe('90d');
    expect(ttlOfRecord(at(36 * 3_600_000))).toBe('36h');
    expect(ttlOfRecord(at(90 * 60_000))).toBe('90m');
    expect(ttlOfRecord(at(3_600_000 + 400))).toBe('1h');
  });

  it('gives back a TTL equal to the one minted (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 365 * 24 * 60 }), (minutes) => {
        const created = Date.parse('2026-03-01T12:00:00.000Z');
        const ttl = ttlOfRecord({ created_at: new Date(created).toISOString(), expires_at: new Date(created + minutes * 60_000).toISOString() })!;
        expect(sameTtl(ttl, `${minutes}m`)).toBe(true);
      }),
    );
  });
});

describe('request bodies', () => {
  const planned: ObjectValue = {
    name: 'ci',
    description: null,
    preset: null,
    scopes: ['sites:read', 'deploys:write'],
    team_id: null,
    project_id: 'proj_web',
    site_id: null,
    ip_allowlist: ['10.0.0.0/8'],
    ttl: '30d',
  };

  it('creates with only what is set, scopes sorted', () => {
    expect(createBody(planned)).toEqual({
      name: 'ci',
      scopes: ['deploys:write', 'sites:read'],
      constraint: { project_id: 'proj_web' },
      ip_allowlist: ['10.0.0.0/8'],
      ttl: '30d',
    });
  });

  it('patches only what changed, clearing with null or []', () => {
    expect(updateBody(planned, { ...planned, scopes: ['deploys:write', 'sites:read'] })).toEqual({});
    expect(updateBody(planned, { ...planned, name: 'ci-2', scopes: null, ip_allowlist: null, preset: 'read-only' })).toEqual({
      name: 'ci-2',
      preset: 'read-only',
      scopes: [],
      ip_allowlist: [],
    });
    expect(updateBody({ ...planned, description: 'x' }, planned)).toEqual({ description: null });
  });
});

describe('stateAfterApply', () => {
  it('keeps every value known in the plan and fills the unknown ones from the record', () => {
    const fromRecord = stateFromRecord(record, { secret: 'mdk_new' });
    const planned = { ...fromRecord, id: unknown, secret: unknown, effective_scopes: unknown, ttl: '720h' };
    expect(stateAfterApply(planned, fromRecord)).toEqual({ ...fromRecord, ttl: '720h' });
  });
});
