/**
 * examples/hcl is what a newcomer applies first: it must apply cleanly, with the real terraform,
 * through the filesystem mirror, against a real control plane, then plan clean and destroy.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTerraformWorkspace, REPOSITORY_ROOT, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';

jest.setTimeout(300_000);

const exampleDir = join(REPOSITORY_ROOT, 'examples', 'hcl');
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

it('applies, plans clean and destroys as the README says', async () => {
  const files: Record<string, string> = {};
  for (const name of (await readdir(exampleDir)).filter((file) => file.endsWith('.tf'))) files[name] = await readFile(join(exampleDir, name), 'utf8');
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['main.tf', 'outputs.tf', 'variables.tf']));
  workspace = await createTerraformWorkspace({ files, env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey } });

  await workspace.terraform(['init']);
  await workspace.terraform(['validate']);
  const apply = await workspace.terraform(['apply', '-auto-approve']);
  expect(apply.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
  expect(apply.stdout).toMatch(/ci_deploy_secret = <sensitive>/);

  const outputs = JSON.parse((await workspace.terraform(['output', '-json'])).stdout);
  expect(outputs.ci_deploy_secret).toMatchObject({ sensitive: true, value: expect.stringMatching(/^mdk_/) });
  expect(outputs.ci_deploy_status.value).toBe('active');
  expect([...outputs.ci_deploy_effective_scopes.value].sort()).toEqual(['deploys:read', 'deploys:write', 'logs:read', 'sites:read']);
  expect(outputs.dangerous_scopes.value).toEqual(['keys:write', 'credentials:read', 'credentials:write', 'exec:raw']);
  expect(Object.keys(outputs.presets.value).sort()).toEqual(['ci-terraform', 'deploy-bot', 'observability', 'read-only', 'wp-automation']);

  // The grafana key has no allowlist, so its secret works from here.
  const grafana = await apiClient(controlPlane.url, outputs.grafana_secret.value).get('/v1/whoami');
  expect(grafana.status).toBe(200);
  expect(grafana.body.scopes).toEqual(['deploys:read', 'logs:read', 'metrics:read', 'sites:read']);
  // The CI key is allowlisted to other networks, so it is refused here.
  expect((await apiClient(controlPlane.url, outputs.ci_deploy_secret.value).get('/v1/whoami')).status).toBe(403);

  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
  await workspace.terraform(['destroy', '-auto-approve']);
  expect((await apiClient(controlPlane.url, controlPlane.ownerKey).get(`/v1/keys/${outputs.ci_deploy_key_id.value}`)).body.status).toBe('revoked');
});
