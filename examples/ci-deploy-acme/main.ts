// A deploy key for team acme's CI: it can deploy acme's sites and read their logs, nothing else,
// only from the CI runners' addresses, and it expires after 90 days.
//
// Synthesize with `npx tsx main.ts` (writes ./cdktf.out), then apply the stack with terraform;
// see README.md. The team id is a Terraform variable, given at plan/apply time.
import * as path from 'node:path';
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ApiKey, Constraint, ManagedProvider, Ttl } from '../../cdktf-bindings';

// Egress ranges of the CI runners. The loopback entries let `npm run demo` and the end-to-end
// test use the key from this machine; a real pipeline lists only its runners.
const CI_RUNNER_CIDRS = ['203.0.113.0/24', '2001:db8:ac::/48'];
const LOCAL_CIDRS = ['127.0.0.1/32', '::1/128'];

export class CiDeployAcmeStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // Endpoint and token come from MANAGED_ENDPOINT and MANAGED_TOKEN, so no secret is synthesized.
    new ManagedProvider(this, 'managed');

    // Opaque and different per environment, so a variable (TF_VAR_acme_team_id or -var) rather
    // than a constant: the same synthesized stack is promoted from staging to production.
    const acmeTeamId = new TerraformVariable(this, 'acme_team_id', {
      type: 'string',
      description: 'Id of team acme (team_...); the key reaches only this team.',
      // In JSON configuration an expression is a "${...}" template, unlike HCL.
      validation: [{ condition: '${startswith(var.acme_team_id, "team_")}', errorMessage: 'acme_team_id must be a team id such as team_abc123.' }],
    });

    const deployer = new ApiKey(this, 'acme_deployer', {
      name: 'acme CI deployer',
      description: 'Deploys acme sites from CI. Managed by examples/ci-deploy-acme.',
      preset: 'deploy-bot',
      constraint: Constraint.team(acmeTeamId.stringValue),
      ipAllowlist: [...CI_RUNNER_CIDRS, ...LOCAL_CIDRS],
      ttl: Ttl.days(90),
    });

    new TerraformOutput(this, 'acme_deployer_id', { value: deployer.id });
    new TerraformOutput(this, 'acme_deployer_expires_at', { value: deployer.expiresAt });
    new TerraformOutput(this, 'acme_deployer_effective_scopes', { value: deployer.effectiveScopes });
    // The secret itself is in the sensitive output `acme_deployer_secret`, added by ApiKey.
  }
}

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? path.join(__dirname, 'cdktf.out') });
new CiDeployAcmeStack(app, 'ci-deploy-acme');
app.synth();
