// End to end, the way a platform team uses the product: synthesize examples/ci-deploy-acme with
// CDKTF, apply it with the real terraform (provider installed through the filesystem mirror)
// against a real control plane, then use the minted key and catch drift with `plan`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedApi } from '../../examples/demo/api';
import { DemoSeed, seedTeams } from '../../examples/demo/seed';
import { synthesizeExample } from '../../examples/demo/synthesize';
import { startControlPlane, TestControlPlane } from '../support/control-plane';
import { createTerraformWorkspace, requireTerraform, terraform, TerraformWorkspace } from '../support/terraform';

const STACK = 'ci-deploy-acme';

let controlPlane: TestControlPlane;
let workspace: TerraformWorkspace;
let seed: DemoSeed;
let owner: ManagedApi;
let stackDir: string;
let outputs: Record<string, { value: any; sensitive: boolean }>;

const tf = (args: readonly string[], expectExitCodes: readonly number[] = [0]) => terraform(args, { cwd: stackDir, env: workspace.env, expectExitCodes });

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane();
  owner = new ManagedApi(controlPlane.url, controlPlane.ownerKey);
  seed = await seedTeams(owner);
  workspace = await createTerraformWorkspace({
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey, TF_VAR_acme_team_id: seed.acme.teamId },
  });
  stackDir = await synthesizeExample(STACK, STACK, workspace.dir);
  await tf(['init']);
  await tf(['apply', '-auto-approve']);
  outputs = JSON.parse((await tf(['output', '-json'])).stdout);
}, 600_000);

afterAll(async () => {
  await workspace?.cleanup();
  await controlPlane?.close();
});

describe('examples/ci-deploy-acme applied with terraform', () => {
  it('synthesized cdk.tf.json into cdktf.out/stacks/ci-deploy-acme', () => {
    expect(fs.existsSync(path.join(workspace.dir, 'cdktf.out', 'stacks', STACK, 'cdk.tf.json'))).toBe(true);
  });

  it('minted the declared key and exposes its secret only through a sensitive output', async () => {
    expect(outputs.acme_deployer_secret!.sensitive).toBe(true);
    expect(outputs.acme_deployer_secret!.value).toMatch(/^mdk_[0-9A-Za-z]{46}$/);
    const key = await owner.expect(200, 'GET', `/keys/${outputs.acme_deployer_id!.value}`);
    expect(key).toMatchObject({ name: 'acme CI deployer', preset: 'deploy-bot', status: 'active', constraint: { team_id: seed.acme.teamId } });
    expect([...key.ip_allowlist].sort()).toEqual(['127.0.0.1/32', '2001:db8:ac::/48', '203.0.113.0/24', '::1/128']);
    expect(outputs.acme_deployer_effective_scopes!.value).toEqual(['deploys:read', 'deploys:write', 'logs:read', 'sites:read']);
  });

  it('lets the key deploy a site of team acme (201)', async () => {
    const key = owner.as(outputs.acme_deployer_secret!.value);
    const response = await key.request('POST', `/sites/${seed.acme.siteId}/deploys`, { ref: 'main' });
    expect(response.status).toBe(201);
  });

  it('hides a site of another team from the key (404 not_found)', async () => {
    const key = owner.as(outputs.acme_deployer_secret!.value);
    const response = await key.request('POST', `/sites/${seed.another.siteId}/deploys`, { ref: 'main' });
    expect(response.status).toBe(404);
  });

  it('refuses credentials on an acme site with 403 naming the needed scope', async () => {
    const key = owner.as(outputs.acme_deployer_secret!.value);
    const response = await key.request('GET', `/sites/${seed.acme.siteId}/credentials`);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="credentials:read"');
  });

  it('refuses a team id that is not one, before anything reaches the API', async () => {
    const refused = await tf(['plan', '-var', 'acme_team_id=acme'], [1]);
    expect(refused.stderr).toMatch(/acme_team_id must be a team id such as team_abc123/);
  });

  it('shows scopes changed through the API as drift, and apply repairs it', async () => {
    const keyId = outputs.acme_deployer_id!.value;
    await owner.expect(200, 'PATCH', `/keys/${keyId}`, { scopes: ['metrics:read'] });
    const drifted = await tf(['plan', '-detailed-exitcode'], [2]);
    expect(drifted.stdout).toMatch(/managed_api_key\.acme_deployer will be updated in-place/);
    expect(drifted.stdout).toMatch(/scopes/);
    await tf(['apply', '-auto-approve']);
    const repaired = await owner.expect(200, 'GET', `/keys/${keyId}`);
    expect(repaired.scopes ?? []).toEqual([]);
    await tf(['plan', '-detailed-exitcode'], [0]);
  });
});
