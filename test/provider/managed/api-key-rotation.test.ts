/**
 * Rotation as code on managed_api_key with the real terraform binary against a control plane on
 * a manual clock: rotation_trigger rotates in place (same id, new secret, both secrets work for
 * rotation_grace_period), rotate_before_expiry rotates inside its window and nowhere else, and a
 * window not shorter than ttl is an error on its attribute.
 */
import { createTerraformWorkspace, lineOf, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { DAY, HOUR, ManualClock, MINUTE } from '../../support/manual-clock';
import { apiClient } from '../../support/http';

jest.setTimeout(300_000);

const header = `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}
`;

let controlPlane: TestControlPlane;
const clock = new ManualClock(new Date());
const workspaces: TerraformWorkspace[] = [];

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane({ clock });
});

afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.cleanup()));
  await controlPlane?.close();
});

async function workspaceWith(mainTf: string): Promise<TerraformWorkspace> {
  const workspace = await createTerraformWorkspace({
    files: { 'main.tf': mainTf },
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  workspaces.push(workspace);
  await workspace.terraform(['init']);
  return workspace;
}

async function keyState(workspace: TerraformWorkspace): Promise<Record<string, string>> {
  return JSON.parse((await workspace.terraform(['show', '-json'])).stdout).values.root_module.resources[0].values;
}

const whoamiStatus = async (secret: string): Promise<number> => (await apiClient(controlPlane.url, secret).get('/v1/whoami')).status;

it('changing rotation_trigger rotates in place: same id, new secret, both work during the grace period, then a clean plan', async () => {
  const config = (trigger: string) => `${header}
resource "managed_api_key" "ci" {
  name                  = "rotating"
  scopes                = ["sites:read"]
  ttl                   = "30d"
  rotation_trigger      = "${trigger}"
  rotation_grace_period = "1h"
}
`;
  const workspace = await workspaceWith(config('2030-01'));
  await workspace.terraform(['apply', '-auto-approve']);
  const before = await keyState(workspace);
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  clock.advance(10 * DAY);
  await workspace.writeFile('main.tf', config('2030-02'));
  const plan = await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
  expect(plan.stdout).toContain('managed_api_key.ci will be updated in-place');
  expect(plan.stdout).toMatch(/~ rotation_trigger\s+= "2030-01" -> "2030-02"/);
  expect(plan.stdout).toMatch(/~ secret\s+= \(sensitive value\)/);
  expect(plan.stdout).not.toContain('must be replaced');
  expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

  await workspace.terraform(['apply', '-auto-approve']);
  const after = await keyState(workspace);
  expect(after.id).toBe(before.id);
  expect(after.secret).not.toBe(before.secret);
  expect(after.created_at).toBe(before.created_at);
  expect(Date.parse(after.expires_at!)).toBe(clock.now().getTime() + 30 * DAY);
  expect(await whoamiStatus(before.secret!)).toBe(200);
  expect(await whoamiStatus(after.secret!)).toBe(200);
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  clock.advance(HOUR);
  expect(await whoamiStatus(before.secret!)).toBe(401);
  expect(await whoamiStatus(after.secret!)).toBe(200);
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
});

it('rotate_before_expiry plans a rotation inside its window only', async () => {
  const workspace = await workspaceWith(`${header}
resource "managed_api_key" "ci" {
  name                 = "self-renewing"
  preset               = "observability"
  ttl                  = "2h"
  rotate_before_expiry = "1h"
}
`);
  await workspace.terraform(['apply', '-auto-approve']);
  const before = await keyState(workspace);

  clock.advance(59 * MINUTE); // 61 minutes left: outside the window
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  clock.advance(2 * MINUTE); // 59 minutes left: inside
  const plan = await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
  expect(plan.stdout).toContain('managed_api_key.ci will be updated in-place');
  expect(plan.stdout).toMatch(/~ expires_at\s+= "[^"]+" -> \(known after apply\)/);
  expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

  await workspace.terraform(['apply', '-auto-approve']);
  const after = await keyState(workspace);
  expect(after.id).toBe(before.id);
  expect(after.secret).not.toBe(before.secret);
  expect(Date.parse(after.expires_at!)).toBe(clock.now().getTime() + 2 * HOUR);
  // Grace "0" (the default): the old secret stopped at once.
  expect(await whoamiStatus(before.secret!)).toBe(401);
  expect(await whoamiStatus(after.secret!)).toBe(200);
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
});

it('rotate_before_expiry not shorter than ttl, and a grace period over 7d, are errors on their lines', async () => {
  const mainTf = `${header}
resource "managed_api_key" "ci" {
  name                  = "bad-rotation"
  scopes                = ["sites:read"]
  ttl                   = "7d"
  rotate_before_expiry  = "168h"
  rotation_grace_period = "8d"
}
`;
  const workspace = await workspaceWith(mainTf);
  const result = await workspace.terraform(['validate'], { expectExitCodes: [1] });
  const text = result.stderr.replace(/\s+/g, ' ');
  expect(text).toContain('Error: rotate_before_expiry not shorter than ttl');
  expect(text).toContain(`on main.tf line ${lineOf(mainTf, 'rotate_before_expiry  =')}`);
  expect(text).toContain('rotate_before_expiry "168h" is not shorter than the key\'s ttl "7d"');
  expect(text).toContain('Error: Invalid rotation grace period');
  expect(text).toContain(`on main.tf line ${lineOf(mainTf, 'rotation_grace_period =')}`);
});
