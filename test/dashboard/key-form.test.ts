/** The dialog's form rules: TTL choices, grantability reasons, allowlist lines, error pointers. */
import { DEFAULT_TTL, PRESET_CHIPS, TTL_CHOICES, allowlistProblems, fieldOfPointer, grantabilityOf } from '../../dashboard/src/key-form';
import { isDangerousScope } from '@managed-dev/contract';

it('offers shorter TTLs than the 90-day default and one year at most', () => {
  expect(DEFAULT_TTL).toBe('90d');
  expect(TTL_CHOICES.map((choice) => choice.label)).toEqual(['1 day', '7 days', '30 days', '90 days', '180 days', '1 year']);
  expect(TTL_CHOICES[TTL_CHOICES.length - 1]!.value).toBe('365d');
});

it('has the five preset chips, none holding a dangerous scope', () => {
  expect(PRESET_CHIPS.map((chip) => chip.label)).toEqual(['Read-only', 'Deploy bot', 'CI/Terraform', 'Observability', 'WP automation']);
  for (const chip of PRESET_CHIPS) expect(chip.scopes.filter(isDangerousScope)).toEqual([]);
});

it('says which limit keeps a scope out of reach', () => {
  const member = {
    keyName: 'ci',
    role: 'member',
    preset: null,
    scopes: ['*:read', 'sites:write'],
    effectiveScopes: ['sites:read', 'sites:write', 'teams:read'],
  };
  expect(grantabilityOf('sites:write', member)).toEqual({ grantable: true });
  expect(grantabilityOf('teams:write', member).reason).toBe('Your role (member) cannot grant teams:write.');
  const narrow = { ...member, scopes: ['sites:read'], effectiveScopes: ['sites:read'] };
  expect(grantabilityOf('metrics:read', narrow).reason).toBe('The key you signed in with (ci) does not hold metrics:read.');
});

it('reports CIDR problems by textarea line with the server’s suggestion', () => {
  expect(allowlistProblems('10.0.0.0/8\n\n  \n203.0.113.0/24')).toEqual([]);
  expect(allowlistProblems('10.0.0.0/8\n\n10.0.0.1/8')).toEqual([{ line: 3, message: expect.any(String), suggestion: '10.0.0.0/8' }]);
  expect(allowlistProblems('not-an-ip')[0]).toMatchObject({ line: 1 });
});

it('maps error pointers to fields', () => {
  expect(fieldOfPointer('/name')).toBe('name');
  expect(fieldOfPointer('/scopes/2')).toBe('scopes');
  expect(fieldOfPointer('/preset')).toBe('scopes');
  expect(fieldOfPointer('/constraint/team_id')).toBe('constraint');
  expect(fieldOfPointer('/ip_allowlist/0')).toBe('ip_allowlist');
  expect(fieldOfPointer('')).toBe('form');
  expect(fieldOfPointer(undefined)).toBe('form');
});
