/**
 * Refusals that only the API can decide (down-scoping, reach of a constraint) surface at apply
 * as diagnostics that quote the API's detail and point at the attribute named by the problem's
 * errors[].pointer. Real terraform, real control plane.
 */
import { createTerraformWorkspace, lineOf, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';

jest.setTimeout(180_000);

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

const config = `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

provider "managed" {}

resource "managed_api_key" "too_wide" {
  name   = "too-wide"
  scopes = ["sites:read"]
}

resource "managed_api_key" "unreachable_team" {
  name    = "unreachable-team"
  scopes  = ["keys:read"]
  team_id = "team_doesnotexist"
}
`;

it('reports a down-scoping refusal on scopes and an unreachable constraint on team_id, and creates nothing', async () => {
  // A token that may only manage keys: any key it mints is bounded by its own scopes.
  const owner = apiClient(controlPlane.url, controlPlane.ownerKey);
  const minted = await owner.post('/v1/keys', { json: { name: 'terraform-keys-only', scopes: ['keys:read', 'keys:write'] } });
  expect(minted.status).toBe(201);

  const workspace = await createTerraformWorkspace({
    files: { 'main.tf': config },
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: minted.body.secret },
  });
  workspaces.push(workspace);
  await workspace.terraform(['init']);
  const apply = await workspace.terraform(['apply', '-auto-approve'], { expectExitCodes: [1] });
  // Terraform wraps long detail lines; compare with whitespace collapsed.
  const output = (apply.stdout + apply.stderr).replace(/\s+/g, ' ');

  expect(output).toContain('Error: Could not create the API key "too-wide": Scopes beyond your own (HTTP 403)');
  expect(output).toContain(`on main.tf line ${lineOf(config, 'scopes = ["sites:read"]')}, in resource "managed_api_key" "too_wide":`);
  expect(output).toContain('"sites:read" is beyond what the minting key and principal may grant');

  expect(output).toContain('Error: Could not create the API key "unreachable-team"');
  expect(output).toContain(`on main.tf line ${lineOf(config, 'team_id = "team_doesnotexist"')}, in resource "managed_api_key" "unreachable_team":`);
  expect(output).toContain('team team_doesnotexist is not within what the key making this request can reach');
  expect(output).toContain('use a token that holds these scopes and reaches this constraint');

  const state = await workspace.terraform(['state', 'list'], { expectExitCodes: [0, 1] });
  expect(state.stdout.trim()).toBe('');
});
