/**
 * A key that expires (the control plane's clock moves past expires_at) is planned for
 * replacement with a warning that says it expired, never a bare "deleted outside Terraform".
 * Real terraform, real control plane with a manual clock, no sleeping.
 */
import { createTerraformWorkspace, requireTerraform, type TerraformWorkspace } from '../../support/terraform';
import { startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { HOUR, ManualClock } from '../../support/manual-clock';
import { apiClient } from '../../support/http';

jest.setTimeout(180_000);

let controlPlane: TestControlPlane;
let workspace: TerraformWorkspace | undefined;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane({ clock });
});

afterAll(async () => {
  await workspace?.cleanup();
  await controlPlane?.close();
});

it('plans a replacement, with a warning that says why, once the key has expired', async () => {
  workspace = await createTerraformWorkspace({
    files: {
      'main.tf': `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

resource "managed_api_key" "short" {
  name   = "short-lived"
  preset = "observability"
  ttl    = "2h"
}
`,
    },
    env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey },
  });
  await workspace.terraform(['init']);
  await workspace.terraform(['apply', '-auto-approve']);
  const state = JSON.parse((await workspace.terraform(['show', '-json'])).stdout);
  const key = state.values.root_module.resources[0].values;
  expect(Date.parse(key.expires_at) - Date.parse(key.created_at)).toBe(2 * HOUR);
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  clock.advance(3 * HOUR);
  expect((await apiClient(controlPlane.url, controlPlane.ownerKey).get(`/v1/keys/${key.id}`)).body.status).toBe('expired');
  const plan = await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [2] });
  expect(plan.stdout).toContain('Warning: API key expired: it will be replaced');
  expect(plan.stdout.replace(/\s+/g, ' ')).toContain(`Key ${key.id} ("short-lived") expired at ${key.expires_at}, when its ttl of 2h ran out.`);
  expect(plan.stdout).toContain('managed_api_key.short must be replaced');
  expect(plan.stdout).toMatch(/expires_at\s+= "[^"]+" -> \(known after apply\) # forces replacement/);
  expect(plan.stdout).not.toContain('outside Terraform');
  expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');

  await workspace.terraform(['apply', '-auto-approve']);
  const replaced = JSON.parse((await workspace.terraform(['show', '-json'])).stdout).values.root_module.resources[0].values;
  expect(replaced.id).not.toBe(key.id);
  expect(Date.parse(replaced.expires_at)).toBe(clock.now().getTime() + 2 * HOUR);
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });
});
