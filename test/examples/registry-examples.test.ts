/**
 * The examples the Registry docs show (examples/provider, examples/resources, examples/data-sources,
 * and ephemeral-resources / functions when they exist) are applied together with the real
 * terraform against a real control plane: apply, a clean plan, the import command of import.sh,
 * destroy. A docs example that does not work fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTerraformWorkspace, requireTerraform, REPOSITORY_ROOT, type TerraformWorkspace } from '../support/terraform';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { apiClient } from '../support/http';

jest.setTimeout(300_000);

const EXAMPLE_KINDS = ['provider', 'resources', 'data-sources', 'ephemeral-resources', 'functions'];

function docsExamples(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const kind of EXAMPLE_KINDS) {
    const dir = path.join(REPOSITORY_ROOT, 'examples', kind);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.tf'))
      .sort()) {
      files[`${kind}-${file.replace(/[\\/]/g, '-')}`] = fs.readFileSync(path.join(dir, file), 'utf8');
    }
  }
  return files;
}

let controlPlane: TestControlPlane;
let workspace: TerraformWorkspace;

beforeAll(async () => {
  await requireTerraform();
  controlPlane = await startControlPlane();
  workspace = await createTerraformWorkspace({ files: docsExamples(), env: { MANAGED_ENDPOINT: controlPlane.url, MANAGED_TOKEN: controlPlane.ownerKey } });
});

afterAll(async () => {
  await workspace?.cleanup();
  await controlPlane?.close();
});

it('applies, plans clean, imports as import.sh says, and destroys', async () => {
  expect(Object.keys(docsExamples())).toEqual(
    expect.arrayContaining([
      'provider-provider.tf',
      'resources-managed_api_key-resource.tf',
      'data-sources-managed_scopes-data-source.tf',
      'data-sources-managed_api_key-data-source.tf',
    ]),
  );
  await workspace.terraform(['init']);
  await workspace.terraform(['apply', '-auto-approve']);
  const status = await workspace.terraform(['output', '-raw', 'ci_deployer_status']);
  expect(status.stdout).toBe('active');
  await workspace.terraform(['plan', '-detailed-exitcode'], { expectExitCodes: [0] });

  const keyId = (await workspace.terraform(['state', 'show', '-no-color', 'managed_api_key.ci_deployer'])).stdout.match(/\bid\s+=\s+"(key_[A-Za-z0-9]+)"/)?.[1];
  expect(keyId).toBeDefined();
  await workspace.terraform(['state', 'rm', 'managed_api_key.ci_deployer']);
  const importLine = fs
    .readFileSync(path.join(REPOSITORY_ROOT, 'examples', 'resources', 'managed_api_key', 'import.sh'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('terraform import '))!;
  const [, , address] = importLine.split(/\s+/);
  await workspace.terraform(['import', address!, keyId!]);
  expect((await workspace.terraform(['state', 'show', '-no-color', address!])).stdout).toContain(keyId!);

  await workspace.terraform(['destroy', '-auto-approve']);
  const record = await apiClient(controlPlane.url, controlPlane.ownerKey).get(`/v1/keys/${keyId}`);
  expect(record.body.status).toBe('revoked');
});
