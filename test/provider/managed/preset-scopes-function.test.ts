/**
 * `provider::managed::preset_scopes(name)` with the real terraform binary: the preset's scopes as
 * an output, and an unknown name is an error that names the nearest preset.
 */
import { createTerraformWorkspace, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { presetScopes } from '@managed-dev/contract';

jest.setTimeout(180_000);

const header = `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}
`;

const workspaces: TerraformWorkspace[] = [];

beforeAll(requireTerraform);
afterAll(() => Promise.all(workspaces.map((workspace) => workspace.cleanup())));

async function workspaceWith(mainTf: string): Promise<TerraformWorkspace> {
  const workspace = await createTerraformWorkspace({ files: { 'main.tf': mainTf } });
  workspaces.push(workspace);
  await workspace.terraform(['init']);
  return workspace;
}

it('returns the scopes of deploy-bot', async () => {
  const workspace = await workspaceWith(`${header}
output "deploy_bot" {
  value = provider::managed::preset_scopes("deploy-bot")
}
`);
  await workspace.terraform(['apply', '-auto-approve']);
  const outputs = JSON.parse((await workspace.terraform(['output', '-json'])).stdout);
  expect(outputs.deploy_bot.value).toEqual([...presetScopes('deploy-bot')!]);
  expect(outputs.deploy_bot.value).toContain('deploys:write');
});

it('names the nearest preset when the name is unknown', async () => {
  const workspace = await workspaceWith(`${header}
output "typo" {
  value = provider::managed::preset_scopes("deploy-bto")
}
`);
  const result = await workspace.terraform(['plan'], { expectExitCodes: [1] });
  const text = result.stderr.replace(/\s+/g, ' ');
  expect(text).toContain('There is no preset named "deploy-bto"; did you mean "deploy-bot"?');
  expect(text).toContain('on main.tf line 8');
  expect(text).toContain('Invalid value for "name" parameter');
});
