/**
 * The refresh with the real terraform: ReadResource calls that arrive together are answered from
 * one GET /v1/keys?id=… request; a key absent from the batch (hidden from the token) leaves the
 * state with the usual warning; an error for one key is reported on that key alone.
 */
import { createTerraformWorkspace, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { keyReadIds, startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../../support/fault-proxy';
import { apiClient } from '../../support/http';
import { mintKey, seedBranch, type SeededBranch } from '../../support/resource-tree';

jest.setTimeout(600_000);

let controlPlane: TestControlPlane;
let branch: SeededBranch;
let workspace: TerraformWorkspace;
let proxy: FaultProxy;
/** What the proxy does with each request; tests swap it. */
let decide: (request: ProxiedRequest) => Fault = () => 'pass';
let ids: { inside: string[]; outside: string[] };

function config(projectId: string): string {
  return `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

provider "managed" {}

resource "managed_api_key" "inside" {
  count      = 4
  name       = "inside-\${count.index}"
  scopes     = ["sites:read"]
  project_id = "${projectId}"
}

resource "managed_api_key" "outside" {
  count  = 2
  name   = "outside-\${count.index}"
  scopes = ["sites:read"]
}
`;
}

/** The key reads the proxy saw since `from`: each request's ids. */
const keyReadsSince = (from: number): string[][] => keyReadIds(proxy.log.slice(from));

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane();
  branch = await seedBranch(apiClient(controlPlane.url, controlPlane.ownerKey), 'batched');
  proxy = await startFaultProxy(controlPlane.url, (request) => decide(request));
  workspace = await createTerraformWorkspace({
    files: { 'main.tf': config(branch.projectId) },
    env: { MANAGED_ENDPOINT: proxy.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  await workspace.terraform(['init']);
  await workspace.terraform(['apply', '-auto-approve', '-input=false']);
  const state = JSON.parse((await workspace.terraform(['show', '-json'])).stdout);
  const resources: Array<{ name: string; values: { id: string } }> = state.values.root_module.resources;
  ids = {
    inside: resources.filter((resource) => resource.name === 'inside').map((resource) => resource.values.id),
    outside: resources.filter((resource) => resource.name === 'outside').map((resource) => resource.values.id),
  };
  expect(ids.inside).toHaveLength(4);
  expect(ids.outside).toHaveLength(2);
});

afterAll(async () => {
  await workspace?.cleanup();
  await proxy?.close();
  await controlPlane?.close();
});

test('reads that arrive while another is in flight share one request; the plan is clean', async () => {
  const from = proxy.log.length;
  // The first key read is held back a second, so the other five refreshes arrive while it is in flight.
  let heldOne = false;
  decide = (request) => {
    if (request.method !== 'GET' || !request.path.startsWith('/v1/keys') || heldOne) return 'pass';
    heldOne = true;
    return 'slow';
  };
  await workspace.terraform(['plan', '-input=false', '-detailed-exitcode'], { expectExitCodes: [0] });
  const reads = keyReadsSince(from);
  expect(reads.flat().sort()).toEqual([...ids.inside, ...ids.outside].sort());
  expect(reads.length).toBeLessThan(6);
  expect(Math.max(...reads.map((batch) => batch.length))).toBeGreaterThanOrEqual(2);
});

test('a key absent from the batch (hidden from a project-constrained token) leaves the state with the usual warning', async () => {
  decide = () => 'pass';
  const owner = apiClient(controlPlane.url, controlPlane.ownerKey);
  const narrow = await mintKey(owner, {
    name: 'project-reader',
    scopes: ['keys:read', 'keys:write', 'sites:read'],
    constraint: { project_id: branch.projectId },
  });
  const from = proxy.log.length;
  const plan = await workspace.terraform(['plan', '-input=false', '-json', '-detailed-exitcode'], {
    expectExitCodes: [2],
    extraEnv: { MANAGED_TOKEN: narrow.secret },
  });
  // -json: one message per line; the human output folds similar warnings together.
  const messages: Array<{
    type: string;
    diagnostic?: { severity: string; summary: string; detail: string; address?: string };
    change?: { resource: { addr: string }; action: string };
    changes?: Record<string, number>;
  }> = plan.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const warnings = messages.filter((message) => message.type === 'diagnostic').map((message) => message.diagnostic!);
  expect(warnings.map((warning) => [warning.severity, warning.summary, warning.address])).toEqual(
    expect.arrayContaining([
      ['warning', 'API key deleted outside Terraform', 'managed_api_key.outside[0]'],
      ['warning', 'API key deleted outside Terraform', 'managed_api_key.outside[1]'],
    ]),
  );
  expect(warnings).toHaveLength(2);
  for (const [index, id] of ids.outside.entries())
    expect(warnings.find((warning) => warning.address === `managed_api_key.outside[${index}]`)!.detail).toContain(`Key ${id} ("outside-${index}")`);
  const planned = messages.filter((message) => message.type === 'planned_change').map((message) => [message.change!.resource.addr, message.change!.action]);
  expect(planned.sort()).toEqual([
    ['managed_api_key.outside[0]', 'create'],
    ['managed_api_key.outside[1]', 'create'],
  ]);
  expect(messages.find((message) => message.type === 'change_summary')!.changes).toMatchObject({ add: 2, change: 0, remove: 0 });
  expect(keyReadsSince(from).flat().sort()).toEqual([...ids.inside, ...ids.outside].sort());
});

test('an error reading one key fails that resource only; the others are refreshed', async () => {
  const broken = ids.outside[0]!;
  // Every batch fails (503, retried, then given up); so does the lone read of `broken`.
  decide = (request) => (request.method === 'GET' && (request.path === '/v1/keys' || request.path === `/v1/keys/${broken}`) ? 'refuse' : 'pass');
  const from = proxy.log.length;
  const plan = await workspace.terraform(['plan', '-input=false', '-no-color'], { expectExitCodes: [1] });
  const errors = plan.stderr.match(/Error: /g) ?? [];
  expect(errors).toHaveLength(1);
  expect(plan.stderr).toContain(`read API key ${broken}`);
  expect(plan.stderr).toContain('managed_api_key.outside[0]');
  // Every other key was read on its own after the batch failed, and answered.
  const passed = proxy.log.slice(from).filter((request) => request.fault === 'pass' && request.method === 'GET' && request.path.startsWith('/v1/keys/'));
  expect(passed.map((request) => request.path.slice('/v1/keys/'.length)).sort()).toEqual([...ids.inside, ids.outside[1]!].sort());
  decide = () => 'pass';
});
