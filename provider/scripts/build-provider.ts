/**
 * npm run build:provider — bundles provider/src/main.ts into provider/dist/terraform-provider-managed.js,
 * the file provider/bin/terraform-provider-managed and the mirror launchers exec.
 */
import { join } from 'node:path';
import { bundleProvider } from './bundle';

const providerRoot = join(__dirname, '..');
export const providerBundlePath = join(providerRoot, 'dist', 'terraform-provider-managed.js');

if (require.main === module) {
  bundleProvider(join(providerRoot, 'src', 'main.ts'), providerBundlePath, { codeCache: true }).then(
    () => process.stderr.write(`bundled ${providerBundlePath}\n`),
    (error: unknown) => {
      process.stderr.write(`build:provider failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
