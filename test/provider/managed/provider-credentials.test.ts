/**
 * Credentials fail early and say where they came from, with the real terraform binary: a
 * malformed token is an error on the provider block at plan time, before any resource is
 * planned; a well-formed key the control plane refuses (401) names its setting.
 */
import { createTerraformWorkspace, lineOf, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { generateSecret } from '@managed-dev/contract';

jest.setTimeout(180_000);

const header = `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}
`;
const resource = `
resource "managed_api_key" "ci" {
  name   = "ci"
  preset = "deploy-bot"
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

async function workspaceWith(mainTf: string, env: Record<string, string>): Promise<TerraformWorkspace> {
  const workspace = await createTerraformWorkspace({ files: { 'main.tf': mainTf }, env: { MANAGED_ENDPOINT: controlPlane.url, ...env } });
  workspaces.push(workspace);
  await workspace.terraform(['init']);
  return workspace;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ');

it('MANAGED_TOKEN=mdk_abc terraform plan exits 1 on the provider block, naming the token and the variable, before any resource', async () => {
  const workspace = await workspaceWith(`${header}${resource}`, { MANAGED_TOKEN: 'mdk_abc' });
  const plan = await workspace.terraform(['plan'], { expectExitCodes: [1] });
  const errors = oneLine(plan.stderr);
  expect(errors).toContain('Error: Invalid token in MANAGED_TOKEN');
  expect(errors).toContain('with provider["registry.terraform.io/managed-dev/managed"]');
  expect(errors).toContain('The token "mdk_abc" (7 characters) from the MANAGED_TOKEN environment variable is not a managed.dev API key');
  expect(plan.stdout).not.toContain('managed_api_key.ci');
  expect(plan.stdout).not.toContain('Terraform will perform');
});

it('a malformed token argument is an error on its line', async () => {
  const mainTf = `${header}
provider "managed" {
  token = "mdk_abc"
}
${resource}`;
  const workspace = await workspaceWith(mainTf, {});
  const plan = await workspace.terraform(['plan'], { expectExitCodes: [1] });
  const errors = oneLine(plan.stderr);
  expect(errors).toContain('Error: Invalid token');
  expect(errors).toContain(`on main.tf line ${lineOf(mainTf, 'token = "mdk_abc"')}`);
  expect(errors).toContain('from the `token` argument of the provider "managed" block');
  expect(plan.stdout).not.toContain('managed_api_key.ci');
});

it('a well-formed key the control plane refuses: the 401 names the setting the token came from', async () => {
  const workspace = await workspaceWith(
    `${header}
data "managed_api_key" "any" {
  id = "key_0000000000000000000000"
}
`,
    { MANAGED_TOKEN: generateSecret() },
  );
  const plan = await workspace.terraform(['plan'], { expectExitCodes: [1] });
  const errors = oneLine(plan.stderr);
  expect(errors).toContain('(HTTP 401)');
  expect(errors).toContain('The token came from the MANAGED_TOKEN environment variable; the control plane does not accept it');
});
