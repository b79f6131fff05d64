/**
 * `npm start`: the control plane on PORT/HOST over MANAGED_DATA_DIR (docs/guides/configuration.md).
 * `npm start -- --help` prints every setting and exits before anything is read or created.
 */
import { startServer } from './app';
import { settingsHelp } from './config';

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(settingsHelp());
    return;
  }
  if (argv.length > 0) {
    process.stderr.write(`unknown argument "${argv[0]}"\n\n${settingsHelp()}`);
    process.exitCode = 2;
    return;
  }
  const server = await startServer();
  process.stdout.write(`managed control plane listening on ${server.url} (data: ${server.config.dataDir})\n`);
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: finishing in-flight requests, then shutting down\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`managed control plane failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
