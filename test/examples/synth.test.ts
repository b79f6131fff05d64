// Each example is a runnable CDKTF app: run its main.ts the way a user does (tsx) and check the
// stack it writes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeExample } from '../../examples/demo/synthesize';

interface Stack {
  resource: { managed_api_key: Record<string, Record<string, unknown>> };
  output: Record<string, { value: string; sensitive?: boolean }>;
  variable?: Record<string, { type: string }>;
  provider: { managed: unknown[] };
}

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-examples-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

async function synthExample(name: string): Promise<Stack> {
  const exampleDir = path.join(workDir, name);
  fs.mkdirSync(exampleDir);
  const stackDir = await synthesizeExample(name, name, exampleDir);
  return JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as Stack;
}

function withoutMetadata(resource: Record<string, unknown>): Record<string, unknown> {
  const { ['//']: _metadata, ...rest } = resource;
  return rest;
}

describe('examples', () => {
  it('ci-deploy-acme: deploy-bot key pinned to the acme team variable, IP allowlist, sensitive secret output', async () => {
    const stack = await synthExample('ci-deploy-acme');
    expect(withoutMetadata(stack.resource.managed_api_key.acme_deployer!)).toEqual({
      name: 'acme CI deployer',
      description: 'Deploys acme sites from CI. Managed by examples/ci-deploy-acme.',
      preset: 'deploy-bot',
      team_id: '${var.acme_team_id}',
      ip_allowlist: ['203.0.113.0/24', '2001:db8:ac::/48', '127.0.0.1/32', '::1/128'],
      ttl: '90d',
    });
    expect(stack.variable?.acme_team_id?.type).toBe('string');
    expect(stack.output.acme_deployer_secret).toMatchObject({ sensitive: true, value: '${managed_api_key.acme_deployer.secret}' });
    expect(stack.provider.managed).toEqual([{}]);
  });

  it('terraform-prod: ci-terraform key living 30 days', async () => {
    const stack = await synthExample('terraform-prod');
    expect(withoutMetadata(stack.resource.managed_api_key.terraform_prod!)).toMatchObject({ preset: 'ci-terraform', ttl: '30d' });
    expect(stack.output.terraform_prod_secret?.sensitive).toBe(true);
  });

  it('grafana-readonly: observability preset plus account:read, no write scope', async () => {
    const stack = await synthExample('grafana-readonly');
    const key = withoutMetadata(stack.resource.managed_api_key.grafana!);
    expect(key).toMatchObject({ preset: 'observability', scopes: ['account:read'], ttl: '365d' });
    expect(JSON.stringify(key)).not.toMatch(/:write/);
    expect(stack.output.grafana_secret?.sensitive).toBe(true);
  });
});
