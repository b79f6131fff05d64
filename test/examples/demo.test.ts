// `npm run demo` is the newcomer's first command: it must run to the end and tell the story.
import * as path from 'node:path';
import { requireTerraform, runCommand } from '../support/terraform';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

describe('npm run demo', () => {
  it('applies ci-deploy-acme, shows 201 / 404 / 403, catches drift and repairs it, then exits 0', async () => {
    await requireTerraform();
    const { stdout } = await runCommand('npm', ['run', '--silent', 'demo'], {
      cwd: REPO_ROOT,
      env: { ...process.env, npm_config_update_notifier: 'false' },
      timeoutMs: 300_000,
    });
    expect(stdout).toMatch(/POST \/v1\/sites\/site_\w+\/deploys \(team acme\)\s+-> 201/);
    expect(stdout).toMatch(/POST \/v1\/sites\/site_\w+\/deploys \(team another\) -> 404/);
    expect(stdout).toMatch(/credentials \(team acme\)\s+-> 403, WWW-Authenticate: Bearer error="insufficient_scope", scope="credentials:read"/);
    expect(stdout).toMatch(/terraform plan -detailed-exitcode -> exit 2/);
    expect(stdout).toMatch(/- scopes\s+= \[/);
    expect(stdout).toMatch(/terraform plan -detailed-exitcode -> exit 0/);
    expect(stdout).toMatch(/Demo complete/);
    // The narrative shows a prefix of the secret, never the secret.
    expect(stdout).not.toMatch(/mdk_[0-9A-Za-z]{46}/);
  }, 320_000);
});
