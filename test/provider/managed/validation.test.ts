import fc from 'fast-check';
import { unknown as unknownValue } from '../../../provider/src/framework';
import { ApiKeyConfigView, checkTtl, validateApiKeyConfig } from '../../../provider/src/managed/validation';
import { validateDeclarations } from '../../../provider/src/framework/schema/declarations';
import { Diagnostics } from '../../../provider/src/framework';
import { apiKeySchema } from '../../../provider/src/managed/schemas';
import { SCOPE_NAMES, PRESET_NAMES } from '@managed-dev/contract';

const valid: ApiKeyConfigView = {
  name: 'ci',
  preset: null,
  scopes: ['sites:read', 'deploys:write'],
  team_id: null,
  project_id: null,
  site_id: null,
  ip_allowlist: null,
  ttl: null,
};

function problems(change: Partial<ApiKeyConfigView>) {
  return validateApiKeyConfig({ ...valid, ...change });
}

describe('validateApiKeyConfig', () => {
  it('accepts a plain valid configuration', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ scopes: null, preset: 'deploy-bot', team_id: 'team_abc', ip_allowlist: ['10.0.0.0/8', '2001:db8::/32'], ttl: '720h' })).toEqual([]);
  });

  it('names an unknown scope on `scopes` and suggests the nearest one', () => {
    expect(problems({ scopes: ['sites:read', 'deploys:wirte'] })).toEqual([
      { severity: 'error', attribute: 'scopes', summary: 'Unknown scope', detail: expect.stringContaining('"deploys:wirte"') },
    ]);
    expect(problems({ scopes: ['deploys:wirte'] })[0]!.detail).toContain('did you mean "deploys:write"?');
    expect(problems({ scopes: ['site:read'] })[0]).toMatchObject({ summary: 'Unknown scope', detail: expect.stringContaining('did you mean "sites:read"?') });
  });

  it('refuses a wildcard that could only be hoping for a dangerous scope', () => {
    expect(problems({ scopes: ['*:raw'] })).toEqual([
      { severity: 'error', attribute: 'scopes', summary: 'Dangerous scope requested through a wildcard', detail: expect.stringContaining('"*:raw"') },
    ]);
  });

  it('warns when a valid wildcard withholds dangerous scopes the key does not otherwise get', () => {
    const found = problems({ scopes: ['*:write'] });
    expect(found).toEqual([
      {
        severity: 'warning',
        attribute: 'scopes',
        summary: 'Wildcard does not grant dangerous scopes',
        detail: expect.stringContaining('keys:write, credentials:write'),
      },
    ]);
    const named = problems({ scopes: ['*:write', 'keys:write', 'credentials:write'] });
    expect(named).toEqual([]);
  });

  it('refuses a pattern that matches nothing', () => {
    expect(problems({ scopes: ['nothing:*'] })).toEqual([
      { severity: 'error', attribute: 'scopes', summary: 'Invalid scope', detail: '"nothing:*" matches no scope in the catalog' },
    ]);
  });

  it('requires a preset or scopes', () => {
    expect(problems({ scopes: null })).toEqual([expect.objectContaining({ severity: 'error', attribute: 'scopes', summary: 'No scopes' })]);
    expect(problems({ scopes: [] })).toEqual([expect.objectContaining({ summary: 'No scopes' })]);
    expect(problems({ scopes: null, preset: 'read-only' })).toEqual([]);
    // Unknown until apply: nothing to say yet.
    expect(problems({ scopes: undefined })).toEqual([]);
  });

  it('names an unknown preset and suggests the nearest', () => {
    expect(problems({ preset: 'deploybot' })).toEqual([
      { severity: 'error', attribute: 'preset', summary: 'Unknown preset', detail: expect.stringContaining('did you mean "deploy-bot"?') },
    ]);
  });

  it('refuses two constraints (a schema declaration) on the second attribute, even when one is not known yet', () => {
    const declared = (config: Record<string, unknown>) => {
      const diagnostics = new Diagnostics();
      validateDeclarations(apiKeySchema, { team_id: null, project_id: null, site_id: null, ...config } as never, diagnostics);
      return diagnostics.items.map((item) => [item.path?.toString(), item.summary, item.detail]);
    };
    expect(declared({ team_id: 'team_a', project_id: 'proj_b' })).toEqual([
      [
        'project_id',
        'Conflicting attributes',
        'At most one of team_id, project_id or site_id may be set; team_id and project_id are set. Keep one. A key is constrained to one team, project or site.',
      ],
    ]);
    expect(declared({ team_id: unknownValue, site_id: 'site_c' }).map((item) => item[0])).toEqual(['site_id']);
    expect(declared({ team_id: 'team_a', project_id: 'proj_b', site_id: 'site_c' }).map((item) => item[0])).toEqual(['project_id', 'site_id']);
  });

  it('refuses an id of the wrong kind', () => {
    expect(problems({ team_id: 'proj_x' })).toEqual([expect.objectContaining({ attribute: 'team_id', summary: 'Invalid team_id' })]);
  });

  it('refuses bad and non-canonical CIDRs and too many entries', () => {
    expect(problems({ ip_allowlist: ['10.0.0.0/8', '10.0.0.300/32'] })).toEqual([
      { severity: 'error', attribute: 'ip_allowlist', summary: 'Invalid CIDR', detail: expect.stringContaining('10.0.0.300/32') },
    ]);
    expect(problems({ ip_allowlist: ['10.1.2.3/8'] })[0]!.detail).toContain('write "10.0.0.0/8"');
    const many = Array.from({ length: 33 }, (_, i) => `10.0.${i}.0/24`);
    expect(problems({ ip_allowlist: many })).toEqual([expect.objectContaining({ summary: 'Too many CIDRs' })]);
  });

  it('refuses a TTL out of range or unreadable, with the ephemeral bounds for ephemeral keys', () => {
    expect(checkTtl('400d')).toEqual([
      { severity: 'error', attribute: 'ttl', summary: 'TTL out of range', detail: expect.stringContaining('longer than the maximum of 365d') },
    ]);
    expect(checkTtl('30m')[0]).toMatchObject({ summary: 'TTL out of range' });
    expect(checkTtl('3 days')[0]).toMatchObject({ summary: 'Invalid TTL' });
    expect(checkTtl('30m', 'ephemeral')).toEqual([]);
    expect(checkTtl('2d', 'ephemeral')[0]!.detail).toContain('An ephemeral key lives at least 5m and at most 24h');
  });

  it('skips unknown elements and unknown values', () => {
    expect(problems({ scopes: [undefined, 'sites:read'], ip_allowlist: [undefined], ttl: undefined, preset: undefined, name: undefined })).toEqual([]);
  });

  it('accepts every catalog scope and every preset (property)', () => {
    fc.assert(
      fc.property(fc.subarray([...SCOPE_NAMES], { minLength: 1 }), fc.option(fc.constantFrom(...PRESET_NAMES), { nil: null }), (scopes, preset) => {
        expect(problems({ scopes, preset }).filter((p) => p.severity === 'error')).toEqual([]);
      }),
    );
  });

  it('flags every scope that is not in the catalog (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,8}:[a-z]{1,8}$/), (scope) => {
        fc.pre(!SCOPE_NAMES.includes(scope));
        expect(problems({ scopes: [scope] })).toEqual([expect.objectContaining({ severity: 'error', attribute: 'scopes' })]);
      }),
    );
  });
});
