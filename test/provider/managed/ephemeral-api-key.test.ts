/**
 * `ephemeral "managed_api_key"` with the real terraform binary: a short-lived key configures an
 * aliased provider that creates a managed_api_key. The state holds the child's secret and no
 * ephemeral secret; every ephemeral key minted by plan, apply and destroy is revoked afterwards
 * and lived at most its 15 minutes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTerraformWorkspace, lineOf, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { MINUTE } from '../../support/manual-clock';
/** Anything shaped like a secret (mdk_ + 46 base62 characters). */
const SECRET_PATTERN = /mdk_[0-9A-Za-z]{46}/g;

jest.setTimeout(300_000);

const configuration = `
terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

provider "managed" {}

ephemeral "managed_api_key" "run" {
  name   = "terraform-run"
  scopes = ["keys:read", "keys:write", "sites:read", "deploys:write"]
  ttl    = "15m"
}

provider "managed" {
  alias = "scoped"
  token = ephemeral.managed_api_key.run.secret
}

resource "managed_api_key" "child" {
  provider = managed.scoped
  name     = "deployer"
  scopes   = ["sites:read", "deploys:write"]
  ttl      = "30d"
}

output "child_id" {
  value = managed_api_key.child.id
}
`;

let controlPlane: TestControlPlane;
let workspace: TerraformWorkspace | undefined;

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane();
});

afterAll(async () => {
  await workspace?.cleanup();
  await controlPlane?.close();
});

interface KeyRecord {
  id: string;
  status: string;
  ephemeral: boolean;
  ttl: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

async function ephemeralKeys(): Promise<KeyRecord[]> {
  const response = await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/keys?name=terraform-run&limit=100');
  expect(response.status).toBe(200);
  return response.body.items;
}

function expectAllRevokedWithin15Minutes(keys: readonly KeyRecord[]): void {
  for (const key of keys) {
    expect(key).toMatchObject({ ephemeral: true, ttl: '15m', status: 'revoked' });
    expect(Date.parse(key.expires_at) - Date.parse(key.created_at)).toBeLessThanOrEqual(15 * MINUTE);
    expect(Date.parse(key.revoked_at!) - Date.parse(key.created_at)).toBeLessThanOrEqual(15 * MINUTE);
  }
}

it('an ephemeral key configures a provider that creates a key; no ephemeral secret reaches the state; all are revoked', async () => {
  workspace = await createTerraformWorkspace({
    files: { 'main.tf': configuration },
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  await workspace.terraform(['init']);

  const plan = await workspace.terraform(['plan', '-out=tfplan']);
  expect(plan.stdout).toContain('ephemeral.managed_api_key.run: Opening...');
  expect(plan.stdout).toContain('managed_api_key.child will be created');
  const savedPlan = await workspace.terraform(['show', '-json', 'tfplan']);
  expect(savedPlan.stdout.match(SECRET_PATTERN)).toBeNull();
  const afterPlan = await ephemeralKeys();
  expect(afterPlan.length).toBe(1);
  expectAllRevokedWithin15Minutes(afterPlan);

  const apply = await workspace.terraform(['apply', 'tfplan']);
  expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
  const afterApply = await ephemeralKeys();
  expect(afterApply.length).toBeGreaterThan(afterPlan.length);
  expectAllRevokedWithin15Minutes(afterApply);

  // The state holds exactly one secret: the child's, which works.
  const stateText = await readFile(join(workspace.dir, 'terraform.tfstate'), 'utf8');
  const state = JSON.parse(stateText);
  const child = state.resources.find((resource: { type: string; mode: string }) => resource.type === 'managed_api_key' && resource.mode === 'managed')
    .instances[0].attributes;
  expect([...new Set(stateText.match(SECRET_PATTERN))]).toEqual([child.secret]);
  expect(stateText).not.toContain('terraform-run');
  const whoami = await apiClient(controlPlane.url, child.secret).get('/v1/whoami');
  expect(whoami.status).toBe(200);
  expect(whoami.body.key_id).toBe(child.id);

  // A plan of the applied configuration opens (and closes) another ephemeral key and is clean.
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  await workspace.terraform(['destroy', '-auto-approve']);
  const childRecord = await apiClient(controlPlane.url, controlPlane.ownerKey).get(`/v1/keys/${child.id}`);
  expect(childRecord.body.status).toBe('revoked');
  const afterDestroy = await ephemeralKeys();
  expect(afterDestroy.length).toBeGreaterThan(afterApply.length);
  expectAllRevokedWithin15Minutes(afterDestroy);
});

it('refuses an ephemeral ttl outside 5m–24h and two constraints, on their lines', async () => {
  const mainTf = `
terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

ephemeral "managed_api_key" "bad" {
  name       = "too-long"
  scopes     = ["sites:read"]
  team_id    = "team_a"
  project_id = "proj_b"
  ttl        = "2d"
}
`;
  const bad = await createTerraformWorkspace({
    files: { 'main.tf': mainTf },
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  try {
    await bad.terraform(['init']);
    const result = await bad.terraform(['validate'], { expectExitCodes: [1] });
    const text = result.stderr.replace(/\s+/g, ' ');
    expect(text).toContain('Error: TTL out of range');
    expect(text).toContain(`on main.tf line ${lineOf(mainTf, 'ttl        =')}`);
    expect(text).toContain('An ephemeral key lives at least 5m and at most 24h');
    expect(text).toContain('Error: Conflicting attributes');
    expect(text).toContain(`on main.tf line ${lineOf(mainTf, 'project_id =')}`);
  } finally {
    await bad.cleanup();
  }
});
