/**
 * npm run generate:provider-schema [-- --check]
 *
 * Writes schema/provider.json from the provider itself: builds the bundle, writes a filesystem
 * mirror into a temp dir, runs `terraform init` through it and `terraform providers schema -json`.
 * So the file is exactly what Terraform sees, and the CDKTF bindings generated from it cannot
 * drift from the real provider. `--check` exits 1 when the committed file is stale.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleProvider } from './bundle';
import { mirrorCliConfiguration, writeMirror } from './write-mirror';

const run = promisify(execFile);
const repositoryRoot = join(__dirname, '..', '..');
export const providerSchemaPath = join(repositoryRoot, 'schema', 'provider.json');

/** Stable text: two-space JSON (Terraform already sorts keys) with a final newline. */
export function formatSchema(schemaJson: string): string {
  return `${JSON.stringify(JSON.parse(schemaJson), null, 2)}\n`;
}

export async function renderProviderSchema(): Promise<string> {
  const workspace = await mkdtemp(join(tmpdir(), 'managed-provider-schema-'));
  try {
    // A private bundle: rewriting provider/dist could break a terraform run that is launching it right now.
    const bundlePath = join(workspace, 'terraform-provider-managed.js');
    await bundleProvider(join(repositoryRoot, 'provider', 'src', 'main.ts'), bundlePath);
    const mirror = join(workspace, 'mirror');
    const packageJson = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string };
    writeMirror(mirror, { version: packageJson.version, bundlePath });
    const cliConfig = join(workspace, 'terraformrc');
    await writeFile(cliConfig, mirrorCliConfiguration(mirror));
    const module = join(workspace, 'module');
    await mkdir(module, { recursive: true });
    await writeFile(join(module, 'main.tf'), 'terraform {\n  required_providers {\n    managed = { source = "managed-dev/managed" }\n  }\n}\n');
    const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
    await run('terraform', ['init', '-no-color', '-backend=false'], { cwd: module, env });
    const { stdout } = await run('terraform', ['providers', 'schema', '-json'], { cwd: module, env, maxBuffer: 64 * 1024 * 1024 });
    return formatSchema(stdout);
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  renderProviderSchema()
    .then(async (rendered) => {
      if (check) {
        const committed = await readFile(providerSchemaPath, 'utf8').catch(() => '');
        if (committed !== rendered) {
          process.stderr.write(`${providerSchemaPath} is stale: run npm run generate:provider-schema\n`);
          process.exit(1);
        }
        return;
      }
      await writeFile(providerSchemaPath, rendered);
      process.stderr.write(`wrote ${providerSchemaPath}\n`);
    })
    .catch((error: unknown) => {
      const failure = error as { message?: string; stderr?: string };
      process.stderr.write(`generate:provider-schema failed: ${failure.message ?? String(error)}\n${failure.stderr ?? ''}`);
      process.exit(1);
    });
}
