/**
 * npm run demo: the whole product in one command, against throw-away state.
 *
 * A control plane in a temp dir, seeded with teams acme and another; examples/ci-deploy-acme
 * synthesized with CDKTF and applied with the real terraform; the minted key then gets 201 on
 * acme's site, 404 on another team's site and 403 on a scope it lacks; its scopes are changed
 * behind Terraform's back, `terraform plan` catches it and `terraform apply` repairs it. Exits
 * non-zero the moment anything differs from that story.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManagedApi } from './api';
import { type ControlPlaneProcess, startControlPlaneProcess } from '../../scripts/lib/node-process';
import { seedTeams } from './seed';
import { synthesizeExample } from './synthesize';
import { prepareTerraform } from './terraform';

const STACK = 'ci-deploy-acme';
const KEY_ADDRESS = 'managed_api_key.acme_deployer';

let step = 0;
const heading = (text: string) => console.log(`\n${++step}. ${text}`);
const say = (text: string) => console.log(`   ${text}`);
const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `     | ${line}`)
    .join('\n');

/** The resource's block of a plan ("will be updated in-place" to its closing brace) and the summary line. */
function plannedChange(planOutput: string): string {
  const lines = planOutput.split('\n');
  const start = lines.findIndex((line) => line.includes(`${KEY_ADDRESS} will be`));
  if (start < 0) return planOutput;
  const end = lines.findIndex((line, index) => index > start && line === '    }');
  const summary = lines.find((line) => line.startsWith('Plan:')) ?? '';
  return [...lines.slice(start, end + 1), summary].join('\n');
}

function expectThat(condition: boolean, failure: string): void {
  if (!condition) throw new Error(failure);
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'managed-demo-'));
  let controlPlane: ControlPlaneProcess | undefined;
  console.log('managed.dev API keys as code: a key declared in TypeScript, applied with Terraform, enforced by the API');
  try {
    heading('Start a control plane (SQLite in a temp dir, random loopback port)');
    const dataDir = path.join(workDir, 'data');
    controlPlane = await startControlPlaneProcess(dataDir);
    say(`listening on ${controlPlane.url}, data in ${dataDir}`);
    say('the bootstrap owner key was read from data/bootstrap-owner-key');
    const owner = new ManagedApi(controlPlane.url, controlPlane.ownerKey);

    heading('Seed two teams with the owner key');
    const seed = await seedTeams(owner);
    say(`team acme    ${seed.acme.teamId}  project ${seed.acme.projectId}  site ${seed.acme.siteId}`);
    say(`team another ${seed.another.teamId}  project ${seed.another.projectId}  site ${seed.another.siteId}`);

    heading(`Synthesize examples/${STACK} with CDKTF (tsx main.ts -> app.synth())`);
    const stackDir = await synthesizeExample(STACK, STACK, workDir);
    const synthesized = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const declared = synthesized.resource.managed_api_key.acme_deployer;
    say(`${path.relative(workDir, stackDir)}/cdk.tf.json declares ${KEY_ADDRESS}:`);
    say(`  preset ${declared.preset}, team_id ${declared.team_id}, ttl ${declared.ttl}, ip_allowlist ${declared.ip_allowlist.join(' ')}`);
    say(`  output acme_deployer_secret is sensitive: ${synthesized.output.acme_deployer_secret.sensitive}`);

    heading('terraform init through a local filesystem mirror of the provider');
    const terraform = await prepareTerraform(workDir, {
      MANAGED_ENDPOINT: controlPlane.url,
      MANAGED_TOKEN: controlPlane.ownerKey,
      TF_VAR_acme_team_id: seed.acme.teamId,
    });
    await terraform.run(['init'], stackDir);
    say('installed registry.terraform.io/managed-dev/managed');

    heading(`terraform apply (acme_team_id = ${seed.acme.teamId})`);
    const apply = await terraform.run(['apply', '-auto-approve'], stackDir);
    say(apply.stdout.split('\n').find((line) => line.startsWith('Apply complete')) ?? 'applied');
    const outputs = JSON.parse((await terraform.run(['output', '-json'], stackDir)).stdout);
    const keyId: string = outputs.acme_deployer_id.value;
    const secret: string = outputs.acme_deployer_secret.value;
    expectThat(outputs.acme_deployer_secret.sensitive === true, 'the secret output is not marked sensitive');
    expectThat(/^mdk_[0-9A-Za-z]{46}$/.test(secret), 'terraform output -json did not give an mdk_ secret');
    say(`minted ${keyId}, expires ${outputs.acme_deployer_expires_at.value}`);
    say(`effective scopes: ${outputs.acme_deployer_effective_scopes.value.join(' ')}`);
    say(`secret from \`terraform output -json\` (sensitive): ${secret.slice(0, 8)}… (redacted here)`);

    heading('Use the minted key');
    const key = owner.as(secret);
    const deploy = await key.request('POST', `/sites/${seed.acme.siteId}/deploys`, { ref: 'main' });
    say(
      `POST /v1/sites/${seed.acme.siteId}/deploys (team acme)      -> ${deploy.status} ${deploy.status === 201 ? 'deploy started' : JSON.stringify(deploy.body)}`,
    );
    expectThat(deploy.status === 201, `a deploy on acme's site answered ${deploy.status}, expected 201`);
    const hidden = await key.request('POST', `/sites/${seed.another.siteId}/deploys`, { ref: 'main' });
    say(
      `POST /v1/sites/${seed.another.siteId}/deploys (team another) -> ${hidden.status} ${hidden.body?.title ?? ''}: outside the key's team, so it does not even exist`,
    );
    expectThat(hidden.status === 404, `a deploy on another team's site answered ${hidden.status}, expected 404`);
    const forbidden = await key.request('GET', `/sites/${seed.acme.siteId}/credentials`);
    const challenge = forbidden.headers.get('www-authenticate') ?? '';
    say(`GET  /v1/sites/${seed.acme.siteId}/credentials (team acme)  -> ${forbidden.status}, WWW-Authenticate: ${challenge}`);
    expectThat(
      forbidden.status === 403 && challenge.includes('scope="credentials:read"'),
      `credentials answered ${forbidden.status} (${challenge}), expected 403 naming credentials:read`,
    );

    heading("Drift: change the key's scopes behind Terraform's back");
    await owner.expect(200, 'PATCH', `/keys/${keyId}`, { scopes: ['metrics:read'] });
    say(`PATCH /v1/keys/${keyId} {"scopes": ["metrics:read"]} with the owner key -> 200`);
    const drifted = await terraform.run(['plan', '-detailed-exitcode'], stackDir, [2]);
    say('terraform plan -detailed-exitcode -> exit 2 (changes):');
    console.log(indent(plannedChange(drifted.stdout)));
    expectThat(/update in-place/.test(drifted.stdout) && /scopes/.test(drifted.stdout), 'the plan does not show an in-place update of scopes');

    heading('terraform apply puts the declared scopes back');
    await terraform.run(['apply', '-auto-approve'], stackDir);
    const stored = await owner.expect(200, 'GET', `/keys/${keyId}`);
    say(`GET /v1/keys/${keyId} -> scopes ${JSON.stringify(stored.scopes)}, preset ${stored.preset}`);
    await terraform.run(['plan', '-detailed-exitcode'], stackDir, [0]);
    say('terraform plan -detailed-exitcode -> exit 0 (no changes)');

    heading('Clean up');
    await terraform.run(['destroy', '-auto-approve'], stackDir);
    const revoked = await owner.expect(200, 'GET', `/keys/${keyId}`);
    say(`terraform destroy revoked ${keyId} (status ${revoked.status}); its record stays for audit`);
  } finally {
    await controlPlane?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  console.log('\nDemo complete: every step behaved as declared.');
}

main().catch((error: unknown) => {
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
