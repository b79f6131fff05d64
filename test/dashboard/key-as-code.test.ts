/** The key-as-code snippets: valid identifiers, sorted lists, the import id, escaping. */
import { cdktfSnippet, resourceName, terraformSnippet, type KeyAsCodeInput } from '../../dashboard/src/key-as-code';

const key: KeyAsCodeInput = {
  id: 'key_0123456789abcdefABCDEF',
  name: 'acme deployer',
  ttl: '90d',
  preset: 'deploy-bot',
  scopes: ['metrics:read', 'logs:read'],
  constraint: { team_id: 'team_abc' },
  ipAllowlist: ['203.0.113.0/24', '10.0.0.0/8'],
};

it('derives Terraform identifiers from any name', () => {
  expect(resourceName('acme deployer')).toBe('acme_deployer');
  expect(resourceName('CI / Terraform (prod)')).toBe('ci_terraform_prod');
  expect(resourceName('2024 rotation')).toBe('key_2024_rotation');
  expect(resourceName('——')).toBe('api_key');
  expect(resourceName('x'.repeat(200))).toHaveLength(64);
});

it('writes a resource and an import block for the key id', () => {
  const hcl = terraformSnippet(key);
  expect(hcl).toContain('resource "managed_api_key" "acme_deployer" {');
  expect(hcl).toContain('  scopes       = ["logs:read", "metrics:read"]');
  expect(hcl).toContain('  ip_allowlist = ["10.0.0.0/8", "203.0.113.0/24"]');
  expect(hcl).toContain('  team_id      = "team_abc"');
  expect(hcl).toContain('  ttl          = "90d"');
  expect(hcl).toMatch(/import \{\n {2}to = managed_api_key\.acme_deployer\n {2}id = "key_0123456789abcdefABCDEF"\n\}/);
  expect(hcl).toContain('source = "managed-dev/managed"');
});

it('leaves out what the key does not set and escapes HCL templates', () => {
  const hcl = terraformSnippet({ ...key, name: 'cost ${var.x} %{if}', preset: null, scopes: ['sites:read'], constraint: null, ipAllowlist: [] });
  expect(hcl).not.toMatch(/preset|team_id|project_id|site_id|ip_allowlist/);
  expect(hcl).toContain('name   = "cost $${var.x} %%{if}"');
});

it('writes an ApiKey construct adopted with importFrom', () => {
  const ts = cdktfSnippet({ ...key, constraint: { site_id: 'site_x' }, ttl: '365d' });
  expect(ts).toContain("import { ApiKey, Constraint, Ttl } from './cdktf-bindings';");
  expect(ts).toContain('const acmeDeployer = new ApiKey(stack, "acme_deployer", {');
  expect(ts).toContain('  constraint: Constraint.site("site_x"),');
  expect(ts).toContain('  ttl: Ttl.days(365),');
  expect(ts).toContain('acmeDeployer.resource.importFrom("key_0123456789abcdefABCDEF");');
  expect(cdktfSnippet({ ...key, constraint: null })).toContain("import { ApiKey, Ttl } from './cdktf-bindings';");
});
