import type { ProviderDefinition } from '../rpc/definitions';
import { launchedByTerraform, NOT_LAUNCHED_BY_TERRAFORM_MESSAGE, reattachValue } from './handshake';
import { log } from './logger';
import { startPluginServer, type RunningPluginServer } from './server';

export interface ServeOptions {
  argv?: string[];
  env?: Record<string, string | undefined>;
}

/**
 * The provider executable's entry point. Launched by Terraform: serves and prints the handshake
 * line. `--debug`: serves plaintext and prints a TF_REATTACH_PROVIDERS value (on stderr) for a
 * human to export in another shell. Launched by hand without --debug: explains and exits 1.
 */
export async function serve<Client>(definition: ProviderDefinition<Client>, options: ServeOptions = {}): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const debug = argv.includes('--debug');
  if (!debug && !launchedByTerraform(env)) {
    process.stderr.write(NOT_LAUNCHED_BY_TERRAFORM_MESSAGE);
    process.exit(1);
  }

  let running: RunningPluginServer | undefined;
  const exit = (code: number): void => {
    running?.close();
    process.exit(code);
  };
  // 'exit' handlers run on every normal exit path; the close is idempotent.
  process.on('exit', () => running?.close());
  process.on('SIGTERM', () => exit(0));
  if (debug) {
    process.on('SIGINT', () => exit(0));
  } else {
    // Ctrl-C reaches the whole process group; Terraform answers it with StopProvider and a
    // graceful shutdown, so the provider must not die on the signal itself.
    process.on('SIGINT', () => log.debug('SIGINT ignored; waiting for StopProvider/Shutdown from Terraform'));
  }

  try {
    running = await startPluginServer(definition, { env, debug, onShutdown: () => exit(0) });
  } catch (error) {
    process.stderr.write(`[ERROR] ${definition.typeName} provider failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }

  if (debug) {
    process.stderr.write(
      `Provider ${definition.address} ${definition.version} is serving in debug mode. In another shell run:\n\n` +
        `  export TF_REATTACH_PROVIDERS='${reattachValue(definition.address, running.socketPath, process.pid)}'\n\n` +
        `then terraform plan/apply as usual (no init needed). Ctrl-C here stops the provider.\n`,
    );
  } else {
    // The only write to stdout, ever.
    process.stdout.write(running.handshake);
  }
}
