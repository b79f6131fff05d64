// A long-lived, read-only key for a Grafana data source: sites, deploys, logs and metrics
// (preset observability) plus the account name for dashboard titles. No write scope at all.
import * as path from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ApiKey, ManagedProvider, Ttl } from '../../cdktf-bindings';

export class GrafanaReadonlyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ManagedProvider(this, 'managed');

    const key = new ApiKey(this, 'grafana', {
      name: 'grafana',
      description: 'Grafana data source (read-only). Managed by examples/grafana-readonly.',
      preset: 'observability',
      scopes: ['account:read'],
      ttl: Ttl.days(365),
    });

    new TerraformOutput(this, 'grafana_key_id', { value: key.id });
    new TerraformOutput(this, 'grafana_effective_scopes', { value: key.effectiveScopes });
  }
}

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? path.join(__dirname, 'cdktf.out') });
new GrafanaReadonlyStack(app, 'grafana-readonly');
app.synth();
