/**
 * The README's "Ephemeral keys, rotation and the function in HCL" block, read from README.md by
 * its marker (so the README and this test cannot drift), applied as written with the real
 * terraform against a real control plane: the ephemeral key mints the deploy-bot key (it must hold
 * every scope it grants), a second plan is clean, destroy revokes the key, and every ephemeral key
 * the runs minted is revoked afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTerraformWorkspace, requireTerraform, REPOSITORY_ROOT, type TerraformWorkspace } from '../support/terraform';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { apiClient } from '../support/http';
import { PRESETS } from '@managed-dev/contract';

jest.setTimeout(300_000);

const MARKER = '<!-- readme-example: ephemeral-rotation-function -->';

/** The fenced hcl block right after MARKER in README.md; throws when the marker or block is gone. */
function readmeBlock(readme: string, marker: string): string {
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}"`);
  const block = /^\s*```hcl\n([\s\S]*?)\n```/.exec(readme.slice(at + marker.length));
  if (!block) throw new Error(`no \`\`\`hcl block follows "${marker}" in README.md`);
  return block[1]!;
}

// What the README leaves to the reader: where the provider comes from, and its default token.
const SCAFFOLD = `
terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

provider "managed" {}

output "deployer_id" {
  value = managed_api_key.deployer.id
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

it('applies the README block as written, plans clean, destroys, and leaves no ephemeral key alive', async () => {
  const example = readmeBlock(readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8'), MARKER);
  expect(example).toContain('ephemeral "managed_api_key" "run"');
  workspace = await createTerraformWorkspace({
    files: { 'readme.tf': example, 'scaffold.tf': SCAFFOLD },
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  await workspace.terraform(['init']);
  await workspace.terraform(['apply', '-auto-approve']);
  const deployerId = (await workspace.terraform(['output', '-raw', 'deployer_id'])).stdout;

  const owner = apiClient(controlPlane.url, controlPlane.ownerKey);
  const deployer = await owner.get(`/v1/keys/${deployerId}`);
  expect(deployer.body).toMatchObject({ name: 'deployer', status: 'active' });
  expect([...deployer.body.effective_scopes].sort()).toEqual([...PRESETS['deploy-bot']!.scopes].sort());
  // Minted by the ephemeral key, not by the owner key the default provider holds.
  const creation = (await owner.get('/v1/audit?action=key.create&limit=100')).body.items.find((entry: { target: string }) => entry.target === deployerId);
  const runKeys = (await owner.get('/v1/keys?name=terraform-run&limit=100')).body.items as Array<{ id: string; status: string }>;
  expect(runKeys.map((key) => key.id)).toContain(creation.key_id);

  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
  await workspace.terraform(['destroy', '-auto-approve']);
  expect((await owner.get(`/v1/keys/${deployerId}`)).body.status).toBe('revoked');
  const afterwards = (await owner.get('/v1/keys?name=terraform-run&limit=100')).body.items as Array<{ status: string }>;
  expect(afterwards.length).toBeGreaterThanOrEqual(3); // plan and apply, the second plan, destroy
  expect(afterwards.every((key) => key.status === 'revoked')).toBe(true);
});
