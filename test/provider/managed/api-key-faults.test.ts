/**
 * Network faults and concurrency with the real terraform: a fault-injecting proxy in front of
 * a real control plane refuses creates and drops connections after the server committed; the
 * apply must still succeed with exactly one key per resource, each secret the real one.
 */
import { createTerraformWorkspace, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../../support/fault-proxy';
import { apiClient } from '../../support/http';

jest.setTimeout(600_000);

const header = `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

provider "managed" {}
`;

let controlPlane: TestControlPlane;
let proxy: FaultProxy | undefined;
const workspaces: TerraformWorkspace[] = [];

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.cleanup()));
  await controlPlane?.close();
});

async function workspaceBehindProxy(decide: (request: ProxiedRequest) => Fault, mainTf: string): Promise<TerraformWorkspace> {
  proxy = await startFaultProxy(controlPlane.url, decide);
  const workspace = await createTerraformWorkspace({
    files: { 'main.tf': mainTf },
    env: { MANAGED_ENDPOINT: proxy.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  workspaces.push(workspace);
  return workspace;
}

/** Every key of the account (all statuses), read straight from the control plane. */
async function allKeys(): Promise<Array<{ id: string; name: string; status: string }>> {
  const owner = apiClient(controlPlane.url, controlPlane.ownerKey);
  const keys: Array<{ id: string; name: string; status: string }> = [];
  let cursor: string | null = null;
  do {
    const page = await owner.get(`/v1/keys?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    keys.push(...page.body.items);
    cursor = page.body.next_cursor;
  } while (cursor);
  return keys;
}

function stateKeys(showJson: string): Array<{ id: string; name: string; secret: string }> {
  const state = JSON.parse(showJson);
  return state.values.root_module.resources
    .filter((resource: { type: string }) => resource.type === 'managed_api_key')
    .map((resource: { values: unknown }) => resource.values);
}

it('mints exactly one key when the first creates are refused and the next is dropped after the server committed', async () => {
  const workspace = await workspaceBehindProxy(
    ({ method, path, occurrence }) => {
      if (method !== 'POST' || path !== '/v1/keys') return 'pass';
      if (occurrence <= 2) return 'refuse';
      if (occurrence === 3) return 'drop-after-commit';
      return 'pass';
    },
    `${header}
resource "managed_api_key" "flaky" {
  name   = "flaky-network"
  preset = "observability"
}

output "secret" {
  value     = managed_api_key.flaky.secret
  sensitive = true
}
`,
  );
  await workspace.terraform(['init']);
  await workspace.terraform(['apply', '-auto-approve']);

  const creates = proxy!.log.filter((request) => request.method === 'POST' && request.path === '/v1/keys');
  expect(creates.map((request) => request.fault)).toEqual(['refuse', 'refuse', 'drop-after-commit', 'pass']);
  // One Idempotency-Key for the whole apply of this resource, on every attempt.
  expect(new Set(creates.map((request) => request.headers['idempotency-key'])).size).toBe(1);
  expect(creates[0]!.headers['idempotency-key']).toBeTruthy();

  const minted = (await allKeys()).filter((key) => key.name === 'flaky-network');
  expect(minted).toHaveLength(1);
  const [state] = stateKeys((await workspace.terraform(['show', '-json'])).stdout);
  expect(state!.id).toBe(minted[0]!.id);
  // The replayed answer carried the real secret of that one key.
  const whoami = await apiClient(controlPlane.url, JSON.parse((await workspace.terraform(['output', '-json', 'secret'])).stdout)).get('/v1/whoami');
  expect(whoami.status).toBe(200);
  expect(whoami.body.key_id).toBe(minted[0]!.id);
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
});

it('applies two configurations of 50 keys each at -parallelism=10 concurrently, through faults, without error or duplicate', async () => {
  // Deterministic faults spread over the run: every 7th create refused, every 11th dropped after commit.
  const decide = ({ method, path, occurrence }: ProxiedRequest): Fault => {
    if (method !== 'POST' || path !== '/v1/keys') return 'pass';
    if (occurrence % 11 === 0) return 'drop-after-commit';
    if (occurrence % 7 === 0) return 'refuse';
    return 'pass';
  };
  const fleet = (prefix: string): string => `${header}
resource "managed_api_key" "fleet" {
  count  = 50
  name   = "${prefix}-\${count.index}"
  scopes = ["sites:read", "logs:read"]
  ttl    = "7d"
}
`;
  const first = await workspaceBehindProxy(decide, fleet('fleet-a'));
  const second = await createTerraformWorkspace({ files: { 'main.tf': fleet('fleet-b') }, env: first.env });
  workspaces.push(second);
  await Promise.all([first.terraform(['init']), second.terraform(['init'])]);
  const [applyA, applyB] = await Promise.all([
    first.terraform(['apply', '-auto-approve', '-parallelism=10']),
    second.terraform(['apply', '-auto-approve', '-parallelism=10']),
  ]);
  for (const apply of [applyA, applyB]) {
    expect(apply.stdout).toContain('Apply complete! Resources: 50 added, 0 changed, 0 destroyed.');
    expect(apply.stdout + apply.stderr).not.toMatch(/Error/);
  }
  expect(proxy!.log.some((request) => request.fault === 'drop-after-commit')).toBe(true);
  expect(proxy!.log.some((request) => request.fault === 'refuse')).toBe(true);

  const keys = (await allKeys()).filter((key) => key.name.startsWith('fleet-'));
  const names = keys.map((key) => key.name);
  expect(names).toHaveLength(100);
  expect(new Set(names).size).toBe(100);
  expect(keys.every((key) => key.status === 'active')).toBe(true);

  const inState = [...stateKeys((await first.terraform(['show', '-json'])).stdout), ...stateKeys((await second.terraform(['show', '-json'])).stdout)];
  expect(inState.map((key) => key.id).sort()).toEqual(keys.map((key) => key.id).sort());
  expect(new Set(inState.map((key) => key.secret)).size).toBe(100);
});
