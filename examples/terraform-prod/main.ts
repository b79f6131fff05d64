// The key Terraform itself uses in production to manage projects, sites, domains and
// environment variables (preset ci-terraform). It lives 30 days: replace it monthly with
// `terraform apply -replace=managed_api_key.terraform_prod` and hand the new secret to the pipeline.
import * as path from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ApiKey, ManagedProvider, Ttl } from '../../cdktf-bindings';

export class TerraformProdStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ManagedProvider(this, 'managed');

    const key = new ApiKey(this, 'terraform_prod', {
      name: 'terraform production',
      description: 'Used by the production Terraform pipeline. Managed by examples/terraform-prod.',
      preset: 'ci-terraform',
      ttl: Ttl.days(30),
    });

    new TerraformOutput(this, 'terraform_prod_id', { value: key.id });
    new TerraformOutput(this, 'terraform_prod_expires_at', { value: key.expiresAt });
  }
}

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? path.join(__dirname, 'cdktf.out') });
new TerraformProdStack(app, 'terraform-prod');
app.synth();
