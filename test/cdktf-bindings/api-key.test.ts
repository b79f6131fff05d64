import { Construct } from 'constructs';
import { TerraformOutput, TerraformVariable, Testing } from 'cdktf';
import { ApiKey, ApiKeyProps, Constraint, ManagedProvider, Ttl, managed } from '../../cdktf-bindings';

import { version as packageVersion } from '../../package.json';

interface SynthesizedStack {
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  terraform?: { required_providers?: Record<string, { source: string; version?: string }> };
}

function synth(build: (stack: Construct) => void): SynthesizedStack {
  return JSON.parse(Testing.synthScope(build)) as SynthesizedStack;
}

function synthKey(props: ApiKeyProps, id = 'deployer'): Record<string, unknown> {
  const stack = synth((scope) => new ApiKey(scope, id, props));
  const resource = stack.resource?.managed_api_key?.[id];
  if (!resource) throw new Error(`no managed_api_key.${id} in ${JSON.stringify(stack)}`);
  return resource;
}

describe('ApiKey synthesis', () => {
  it('writes a preset key and its secret as a sensitive output named <id>_secret', () => {
    const stack = synth((scope) => new ApiKey(scope, 'deployer', { name: 'ci deployer', preset: 'deploy-bot' }));
    expect(stack.resource?.managed_api_key).toEqual({ deployer: { name: 'ci deployer', preset: 'deploy-bot' } });
    expect(stack.output).toEqual({
      deployer_secret: {
        value: '${managed_api_key.deployer.secret}',
        sensitive: true,
        description: 'Secret of the API key "ci deployer" (known after apply; shown once by the API).',
      },
    });
  });

  it('writes explicit scopes, alone or next to a preset, and the description', () => {
    expect(synthKey({ name: 'reader', scopes: ['sites:read', 'logs:read'] })).toEqual({
      name: 'reader',
      scopes: ['sites:read', 'logs:read'],
    });
    expect(synthKey({ name: 'both', description: 'deploys and metrics', preset: 'deploy-bot', scopes: ['metrics:read'] })).toEqual({
      name: 'both',
      description: 'deploys and metrics',
      preset: 'deploy-bot',
      scopes: ['metrics:read'],
    });
  });

  it.each([
    ['team', Constraint.team('team_acme'), { team_id: 'team_acme' }],
    ['project', Constraint.project('proj_web'), { project_id: 'proj_web' }],
    ['site', Constraint.site('site_blog'), { site_id: 'site_blog' }],
    ['team (object literal)', { teamId: 'team_lit' }, { team_id: 'team_lit' }],
  ] as const)('writes a %s constraint and only that one', (_kind, constraint, expected) => {
    expect(synthKey({ name: 'pinned', preset: 'observability', constraint })).toEqual({
      name: 'pinned',
      preset: 'observability',
      ...expected,
    });
  });

  it('writes an IPv4 and IPv6 allowlist', () => {
    expect(synthKey({ name: 'ci', preset: 'deploy-bot', ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] })).toMatchObject({
      ip_allowlist: ['203.0.113.0/24', '2001:db8::/32'],
    });
  });

  it.each([
    [Ttl.days(30), '30d'],
    [Ttl.hours(12), '12h'],
    [Ttl.minutes(90), '90m'],
    ['365d', '365d'],
  ])('writes the TTL %s', (ttl, expected) => {
    expect(synthKey({ name: 'short-lived', preset: 'read-only', ttl })).toMatchObject({ ttl: expected });
  });

  it('exposes id, secret, expiresAt and effectiveScopes as references to the resource', () => {
    const stack = synth((scope) => {
      const key = new ApiKey(scope, 'grafana', { name: 'grafana', preset: 'observability' });
      new TerraformOutput(scope, 'key_id', { value: key.id });
      new TerraformOutput(scope, 'expires', { value: key.expiresAt });
      new TerraformOutput(scope, 'granted', { value: key.effectiveScopes });
      new TerraformOutput(scope, 'secret_again', { value: key.secret, sensitive: true });
    });
    expect(stack.output?.key_id?.value).toBe('${managed_api_key.grafana.id}');
    expect(stack.output?.expires?.value).toBe('${managed_api_key.grafana.expires_at}');
    expect(stack.output?.granted?.value).toBe('${tolist(managed_api_key.grafana.effective_scopes)}');
    expect(stack.output?.secret_again?.value).toBe('${managed_api_key.grafana.secret}');
  });

  it('keeps the resource and output names when the key sits inside another construct', () => {
    const stack = synth((scope) => new ApiKey(new Construct(scope, 'team-acme'), 'deployer', { name: 'd', preset: 'deploy-bot' }));
    expect(Object.keys(stack.resource?.managed_api_key ?? {})).toEqual(['deployer']);
    expect(Object.keys(stack.output ?? {})).toEqual(['deployer_secret']);
  });

  it('passes rotation options to rotation_trigger, rotation_grace_period and rotate_before_expiry', () => {
    const stack = synth((scope) => {
      new ApiKey(scope, 'deployer', {
        name: 'ci',
        preset: 'deploy-bot',
        ttl: '30d',
        rotation: { trigger: '2030-01', gracePeriod: '1h', rotateBeforeExpiry: '7d' },
      });
    });
    expect(stack.resource?.managed_api_key?.deployer).toMatchObject({ rotation_trigger: '2030-01', rotation_grace_period: '1h', rotate_before_expiry: '7d' });
  });

  it('refuses a rotation window not shorter than the ttl and a grace period over 7d, at synth', () => {
    expect(() => synth((scope) => new ApiKey(scope, 'a', { name: 'ci', preset: 'deploy-bot', ttl: '7d', rotation: { rotateBeforeExpiry: '168h' } }))).toThrow(
      'rotation.rotateBeforeExpiry "168h" must be shorter than the ttl "7d"',
    );
    expect(() => synth((scope) => new ApiKey(scope, 'b', { name: 'ci', preset: 'deploy-bot', rotation: { gracePeriod: '8d' } }))).toThrow(
      'rotation.gracePeriod: grace period "8d" is longer than the maximum of 7d',
    );
  });

  it('passes values that are only known at plan time through for the provider to check', () => {
    const stack = synth((scope) => {
      const teamId = new TerraformVariable(scope, 'team_id', { type: 'string' });
      const ttl = new TerraformVariable(scope, 'ttl', { type: 'string' });
      new ApiKey(scope, 'deployer', { name: 'ci', preset: 'deploy-bot', constraint: Constraint.team(teamId.stringValue), ttl: ttl.stringValue });
    });
    expect(stack.resource?.managed_api_key?.deployer).toMatchObject({ team_id: '${var.team_id}', ttl: '${var.ttl}' });
  });

  it('configures the provider, whose token the generated class accepts', () => {
    const stack = synth((scope) => {
      new ManagedProvider(scope, 'managed', { endpoint: 'http://127.0.0.1:8080', token: 'mdk_example' });
      new ApiKey(scope, 'deployer', { name: 'ci', preset: 'deploy-bot' });
    });
    expect(stack.provider?.managed).toEqual([{ endpoint: 'http://127.0.0.1:8080', token: 'mdk_example' }]);
    expect(stack.terraform?.required_providers?.managed).toEqual({
      source: 'registry.terraform.io/managed-dev/managed',
      // The generator pins the provider to this repository's major.minor (it builds the provider too).
      version: `~> ${packageVersion.split('.').slice(0, 2).join('.')}`,
    });
  });

  it('keeps the generated L1 classes reachable under the managed namespace', () => {
    const stack = synth((scope) => {
      new managed.dataManagedScopes.DataManagedScopes(scope, 'catalog');
      new managed.dataManagedApiKey.DataManagedApiKey(scope, 'existing', { id: 'key_123' });
      new managed.apiKey.ApiKey(scope, 'raw', { name: 'raw', scopes: ['sites:*'] });
    });
    expect(stack.data?.managed_scopes?.catalog).toEqual({});
    expect(stack.data?.managed_api_key?.existing).toEqual({ id: 'key_123' });
    expect(stack.resource?.managed_api_key?.raw).toEqual({ name: 'raw', scopes: ['sites:*'] });
  });
});

describe('ApiKey synth-time errors', () => {
  const build =
    (props: ApiKeyProps, id = 'deployer') =>
    () =>
      synth((scope) => new ApiKey(scope, id, props));

  it.each([
    ['30 days', /ttl: "30 days" is not a duration/],
    ['30m', /ttl: ttl "30m" is shorter than the minimum of 1h/],
    ['400d', /ttl: ttl "400d" is longer than the maximum of 365d/],
  ])('rejects the TTL %s', (ttl, message) => {
    expect(build({ name: 'ci', preset: 'deploy-bot', ttl })).toThrow(message);
  });

  it('names the construct path in every error', () => {
    expect(build({ name: 'ci', preset: 'deploy-bot', ttl: '0h' })).toThrow(/^ApiKey "stack\/deployer": /);
  });

  it('rejects two constraints, naming both', () => {
    const twoConstraints = { teamId: 'team_a', siteId: 'site_b' } as unknown as ApiKeyProps['constraint'];
    expect(build({ name: 'ci', preset: 'deploy-bot', constraint: twoConstraints })).toThrow(/at most one constraint, got teamId and siteId/);
  });

  it('rejects an empty constraint and an empty constraint id', () => {
    expect(build({ name: 'ci', preset: 'deploy-bot', constraint: {} as unknown as ApiKeyProps['constraint'] })).toThrow(/constraint is empty/);
    expect(build({ name: 'ci', preset: 'deploy-bot', constraint: Constraint.project(' ') })).toThrow(/constraint projectId must be a non-empty string/);
  });

  it('rejects a key with neither preset nor scopes', () => {
    expect(build({ name: 'ci' })).toThrow(/give a preset, scopes, or both; presets are read-only, deploy-bot/);
    expect(build({ name: 'ci', scopes: [] })).toThrow(/give a preset, scopes, or both/);
  });

  it('rejects an unknown scope or preset that slipped past the types, with a suggestion', () => {
    expect(build({ name: 'ci', scopes: ['sites:wrte' as never] })).toThrow(/unknown scope "sites:wrte"; did you mean "sites:write"\?/);
    expect(build({ name: 'ci', preset: 'deploybot' as never })).toThrow(/unknown preset "deploybot"/);
  });

  it('rejects an allowlist entry that is not a canonical CIDR', () => {
    expect(build({ name: 'ci', preset: 'deploy-bot', ipAllowlist: ['10.0.0.1'] })).toThrow(/ipAllowlist: "10.0.0.1" is not a CIDR/);
    expect(build({ name: 'ci', preset: 'deploy-bot', ipAllowlist: ['10.0.0.1/8'] })).toThrow(/write "10.0.0.0\/8"/);
  });

  it('rejects an empty name and an id that cannot name a Terraform output', () => {
    expect(build({ name: '  ', preset: 'deploy-bot' })).toThrow(/name must be a non-empty string/);
    expect(build({ name: 'ci', preset: 'deploy-bot' }, 'ci key')).toThrow(/must be a Terraform identifier/);
  });

  it('rejects two keys with the same id in one stack, whose outputs would collide', () => {
    expect(() =>
      synth((scope) => {
        new ApiKey(new Construct(scope, 'a'), 'deployer', { name: 'one', preset: 'deploy-bot' });
        new ApiKey(new Construct(scope, 'b'), 'deployer', { name: 'two', preset: 'deploy-bot' });
      }),
    ).toThrow(/another ApiKey \("stack\/a\/deployer"\) in this stack already has the id "deployer"/);
  });
});
