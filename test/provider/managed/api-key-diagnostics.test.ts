/**
 * Each bad managed_api_key configuration fails `terraform validate` with a diagnostic that
 * points at the offending attribute's line ("on main.tf line N"). Real terraform, real provider.
 */
import { createTerraformWorkspace, lineOf, requireTerraform, type TerraformWorkspace } from '../../support/terraform';

jest.setTimeout(180_000);

const header = `terraform {
  required_providers {
    managed = { source = "managed-dev/managed" }
  }
}

provider "managed" {}
`;

function keyConfig(attributes: string): string {
  return `${header}
resource "managed_api_key" "bad" {
  name = "bad"
${attributes}
}
`;
}

const workspaces: TerraformWorkspace[] = [];
beforeAll(async () => {
  await requireTerraform();
});
afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.cleanup()));
});

async function validate(config: string, expectExitCodes: number[]): Promise<string> {
  const workspace = await createTerraformWorkspace({ files: { 'main.tf': config } });
  workspaces.push(workspace);
  await workspace.terraform(['init']);
  const result = await workspace.terraform(['validate'], { expectExitCodes });
  return result.stdout + result.stderr;
}

/** Asserts one diagnostic with this severity and summary pointing at the line that contains `attributeLine`. */
function expectDiagnosticAt(output: string, config: string, severity: 'Error' | 'Warning', summary: string, attributeLine: string, detail: RegExp): void {
  const line = lineOf(config, attributeLine);
  const block = output.split(/(?=^[│╷╵]?\s*(?:Error|Warning): )/m).find((part) => part.includes(`${severity}: ${summary}`));
  expect(block).toBeDefined();
  expect(block).toContain(`on main.tf line ${line}, in resource "managed_api_key" "bad":`);
  expect(block).toMatch(detail);
}

const cases: Array<{ name: string; attributes: string; summary: string; line: string; detail: RegExp }> = [
  {
    name: 'an unknown scope, with a suggestion',
    attributes: '  scopes = ["sites:read", "deploys:wirte"]',
    summary: 'Unknown scope',
    line: 'scopes = ',
    detail: /unknown scope "deploys:wirte"; did you mean "deploys:write"\?/,
  },
  {
    name: 'a dangerous scope hoped for through a wildcard',
    attributes: '  scopes = ["sites:read", "*:raw"]',
    summary: 'Dangerous scope requested through a wildcard',
    line: 'scopes = ',
    detail: /"\*:raw" matches only dangerous scopes/,
  },
  {
    name: 'a bad CIDR',
    attributes: '  preset       = "read-only"\n  ip_allowlist = ["10.0.0.0/8", "10.1.2.3/8"]',
    summary: 'Invalid CIDR',
    line: 'ip_allowlist = ',
    detail: /"10\.1\.2\.3\/8" is not in canonical form; write "10\.0\.0\.0\/8"/,
  },
  {
    name: 'a TTL out of range',
    attributes: '  preset = "read-only"\n  ttl    = "400d"',
    summary: 'TTL out of range',
    line: 'ttl    = ',
    detail: /longer than the maximum of 365d/,
  },
  {
    name: 'two constraints',
    attributes: '  preset     = "deploy-bot"\n  team_id    = "team_acme"\n  project_id = "proj_web"',
    summary: 'Conflicting attributes',
    line: 'project_id = ',
    detail: /team_id and\s+project_id are set/,
  },
  {
    name: 'neither preset nor scopes',
    attributes: '  description = "grants nothing"',
    summary: 'No scopes',
    line: 'resource "managed_api_key" "bad"',
    detail: /needs a preset, scopes, or both/,
  },
  {
    name: 'an unknown preset',
    attributes: '  preset = "deploybot"',
    summary: 'Unknown preset',
    line: 'preset = ',
    detail: /did you mean "deploy-bot"\?/,
  },
];

describe('terraform validate rejects', () => {
  it.each(cases)('$name on its line', async ({ attributes, summary, line, detail }) => {
    const config = keyConfig(attributes);
    const output = await validate(config, [1]);
    expectDiagnosticAt(output, config, 'Error', summary, line, detail);
  });
});

it('warns, without failing, when a wildcard withholds dangerous scopes', async () => {
  const config = keyConfig('  scopes = ["*:write"]');
  const output = await validate(config, [0]);
  expectDiagnosticAt(output, config, 'Warning', 'Wildcard does not grant dangerous scopes', 'scopes = ', /does not grant keys:write, credentials:write/);
});

it('rejects a bad provider endpoint on its line', async () => {
  const config =
    header.replace('provider "managed" {}', 'provider "managed" {\n  endpoint = "ftp://example.com"\n}') +
    '\nresource "managed_api_key" "ok" {\n  name   = "ok"\n  preset = "read-only"\n}\n';
  const workspace = await createTerraformWorkspace({ files: { 'main.tf': config } });
  workspaces.push(workspace);
  await workspace.terraform(['init']);
  const result = await workspace.terraform(['plan'], { expectExitCodes: [1] });
  expect(result.stderr).toContain('Error: Invalid endpoint');
  expect(result.stderr).toContain(`on main.tf line ${lineOf(config, 'endpoint = ')}, in provider "managed":`);
});
