/**
 * The whole life of a managed_api_key with the real terraform binary, through the filesystem
 * mirror, against a real control plane on a random loopback port: create, use the secret,
 * clean plan, drift on scopes, restore, revocation outside Terraform, import, replacement on a
 * ttl change, destroy.
 */
import { createTerraformWorkspace, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';

jest.setTimeout(300_000);

const resourceBlock = (ttl: string): string => `
resource "managed_api_key" "ci" {
  name         = "ci-deploy"
  description  = "Deploys from CI"
  scopes       = ["sites:read", "deploys:write"]
  ip_allowlist = ["127.0.0.1/32", "::1/128"]
  ttl          = "${ttl}"
}
`;

const providerBlock = `
terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

provider "managed" {}
`;

const fullConfiguration = `${providerBlock}${resourceBlock('30d')}
data "managed_scopes" "catalog" {}

data "managed_api_key" "ci" {
  id = managed_api_key.ci.id
}

output "id" {
  value = managed_api_key.ci.id
}

output "secret" {
  value     = managed_api_key.ci.secret
  sensitive = true
}

output "status" {
  value = data.managed_api_key.ci.status
}

output "dangerous" {
  value = [for scope in data.managed_scopes.catalog.scopes : scope.name if scope.dangerous]
}

output "deploy_bot" {
  value = data.managed_scopes.catalog.presets["deploy-bot"]
}
`;

let controlPlane: TestControlPlane;
const workspaces: TerraformWorkspace[] = [];

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane();
});

afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.cleanup()));
  await controlPlane?.close();
});

async function workspaceWith(files: Record<string, string>): Promise<TerraformWorkspace> {
  const workspace = await createTerraformWorkspace({ files, env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey } });
  workspaces.push(workspace);
  return workspace;
}

async function output(workspace: TerraformWorkspace, name: string): Promise<unknown> {
  const result = await workspace.terraform(['output', '-json', name]);
  return JSON.parse(result.stdout);
}

it('creates, detects drift, re-creates, imports, replaces and destroys a key', async () => {
  const owner = apiClient(controlPlane.url, controlPlane.ownerKey);
  const first = await workspaceWith({ 'main.tf': fullConfiguration });

  // init through the filesystem mirror → plan → apply
  const init = await first.terraform(['init']);
  expect(init.stdout).toMatch(/Installing managed-dev\/managed v0\.1\.0/);
  const plan = await first.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
  expect(plan.stdout).toContain('managed_api_key.ci will be created');
  expect(plan.stdout).toMatch(/ttl\s+= "30d"/);
  await first.terraform(['apply', '-auto-approve']);

  const id = (await output(first, 'id')) as string;
  const secret = (await output(first, 'secret')) as string;
  expect(id).toMatch(/^key_/);
  expect(secret).toMatch(/^mdk_[0-9A-Za-z]{46}$/);
  expect(await output(first, 'status')).toBe('active');
  expect(await output(first, 'dangerous')).toEqual(['keys:write', 'credentials:read', 'credentials:write', 'exec:raw']);
  expect(await output(first, 'deploy_bot')).toEqual(['deploys:read', 'deploys:write', 'logs:read', 'sites:read']);

  // the minted secret works against the API, with exactly the declared scopes
  const asKey = apiClient(controlPlane.url, secret);
  const whoami = await asKey.get('/v1/whoami');
  expect(whoami.status).toBe(200);
  expect(whoami.body).toMatchObject({ key_id: id, scopes: ['deploys:write', 'sites:read'] });
  expect([...whoami.body.effective_scopes].sort()).toEqual(['deploys:write', 'sites:read']);
  const beyondScopes = await asKey.get('/v1/keys');
  expect(beyondScopes.status).toBe(403);
  expect(beyondScopes.headers.get('www-authenticate')).toContain('keys:read');

  // nothing to do
  await first.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  // scopes changed outside Terraform → in-place update of scopes
  const patched = await owner.patch(`/v1/keys/${id}`, { json: { scopes: ['sites:read'] } });
  expect(patched.status).toBe(200);
  const drift = await first.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
  expect(drift.stdout).toContain('managed_api_key.ci will be updated in-place');
  expect(drift.stdout).toMatch(/~ scopes\s+= \[/);
  expect(drift.stdout).toMatch(/\+ "deploys:write"/);
  expect(drift.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

  // apply restores them, same key
  await first.terraform(['apply', '-auto-approve']);
  expect((await owner.get(`/v1/keys/${id}`)).body.scopes).toEqual(['deploys:write', 'sites:read']);
  expect(await output(first, 'id')).toBe(id);
  await first.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  // revoked outside Terraform → a warning and a planned re-creation
  expect((await owner.delete(`/v1/keys/${id}`)).status).toBe(200);
  const gone = await first.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
  expect(gone.stdout).toContain('Warning: API key revoked outside Terraform');
  expect(gone.stdout).toContain('managed_api_key.ci will be created');
  // Read never changes the server: the revoked record is untouched.
  expect((await owner.get(`/v1/keys/${id}`)).body).toMatchObject({ status: 'revoked', scopes: ['deploys:write', 'sites:read'] });
  await first.terraform(['apply', '-auto-approve']);
  const recreatedId = (await output(first, 'id')) as string;
  expect(recreatedId).not.toBe(id);
  expect((await apiClient(controlPlane.url, (await output(first, 'secret')) as string).get('/v1/whoami')).status).toBe(200);

  // import by id into a fresh state, then a clean plan; the secret stays null
  const second = await workspaceWith({ 'main.tf': `${providerBlock}${resourceBlock('30d')}` });
  await second.terraform(['init']);
  const imported = await second.terraform(['import', 'managed_api_key.ci', recreatedId]);
  expect(imported.stdout).toContain('Import successful!');
  await second.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
  const state = JSON.parse((await second.terraform(['show', '-json'])).stdout);
  const importedKey = state.values.root_module.resources[0].values;
  expect(importedKey).toMatchObject({ id: recreatedId, name: 'ci-deploy', secret: null, ttl: '30d', team_id: null });

  // the same TTL written another way is not a change; a different one replaces the key
  await second.writeFile('main.tf', `${providerBlock}${resourceBlock('720h')}`);
  await second.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
  await second.writeFile('main.tf', `${providerBlock}${resourceBlock('60d')}`);
  const replace = await second.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
  expect(replace.stdout).toContain('managed_api_key.ci must be replaced');
  expect(replace.stdout).toMatch(/~ ttl\s+= "30d" -> "60d" # forces replacement/);
  expect(replace.stdout).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');

  // destroy revokes
  await second.terraform(['destroy', '-auto-approve']);
  expect((await owner.get(`/v1/keys/${recreatedId}`)).body.status).toBe('revoked');
  const afterDestroy = await apiClient(controlPlane.url, (await output(first, 'secret')) as string).get('/v1/whoami');
  expect(afterDestroy.status).toBe(401);
});
