/** `npm start`: the control plane on PORT/HOST over MANAGED_DATA_DIR (SPEC §5.2). */
import { startServer } from './app';

async function main(): Promise<void> {
  const server = await startServer();
  process.stdout.write(`managed control plane listening on ${server.url} (data: ${server.config.dataDir})\n`);
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: shutting down\n`);
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

main().catch((error: unknown) => {
  process.stderr.write(`managed control plane failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
