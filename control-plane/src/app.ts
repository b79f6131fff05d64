/**
 * Starts the control plane: open the data directory (migrations, pepper), bootstrap on first
 * start, build the app from the route table, listen. Used by main.ts and by the test support.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Clock, systemClock } from './clock';
import { ControlPlaneConfig, Environment, configFromEnvironment } from './config';
import { BootstrapResult, bootstrapAnnouncement, ensureBootstrapped } from './bootstrap';
import { createApp } from './http/create-app';
import { withFastPath } from './http/fast-path';
import { RequestPipeline } from './http/request-pipeline';
import { withDashboard } from './http/dashboard-assets';
import { withSecurityHeaders } from './http/security-headers';
import type { AnyRouteDefinition } from './http/route-definition';
import { ROUTES } from './http/route-table';
import { AppServices, createServices } from './services/app-services';
import { startWalCheckpointer } from './storage/wal-checkpointer';

export interface StartServerOptions {
  /** Environment to read (PORT, HOST, MANAGED_DATA_DIR, MANAGED_PEPPER, ...); default process.env. */
  readonly env?: Environment;
  /** Overrides on top of what `env` says (tests pass dataDir and port 0). */
  readonly config?: Partial<ControlPlaneConfig>;
  readonly clock?: Clock;
  /** Where the one-time bootstrap announcement goes; default stdout. */
  readonly announce?: (line: string) => void;
  /** Routes to serve; default the full route table. */
  readonly routes?: readonly AnyRouteDefinition[];
}

export interface RunningServer {
  /** e.g. "http://127.0.0.1:41234" */
  readonly url: string;
  readonly port: number;
  readonly config: ControlPlaneConfig;
  readonly services: AppServices;
  readonly bootstrap: BootstrapResult;
  readonly httpServer: Server;
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config: ControlPlaneConfig = { ...configFromEnvironment(options.env ?? process.env), ...options.config };
  const services = createServices(config, options.clock ?? systemClock);
  let bootstrap: BootstrapResult;
  try {
    bootstrap = ensureBootstrapped(services, config.bootstrapKey);
  } catch (error) {
    services.denials.close();
    services.db.close();
    throw error;
  }
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  for (const line of bootstrapAnnouncement(bootstrap)) announce(line);

  // WAL checkpoints (and their fsync) on a worker thread, not inside a request's commit.
  const checkpointer = startWalCheckpointer(services.db);
  const routes = options.routes ?? ROUTES;
  // One pipeline, two transports: Express for everything, and plain GETs without Express's
  // per-request overhead (http/fast-path.ts); both run the same steps of the same object.
  const pipeline = new RequestPipeline(services);
  const app = createApp(services, routes, pipeline);
  // The dashboard's files are served in front of the API; security headers go on everything.
  const listener = withSecurityHeaders(withDashboard(withFastPath(app, services, routes, pipeline), config.dashboardDir));
  const httpServer = createServer(listener).listen(config.port, config.host);
  try {
    await once(httpServer, 'listening');
  } catch (error) {
    await checkpointer.stop();
    services.denials.close();
    services.db.close();
    throw error;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    config,
    services,
    bootstrap,
    httpServer,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        httpServer.closeAllConnections();
      }).finally(() => {
        services.lastUsed.flush(); // queued last-used records are written before the database closes
        services.denials.close(); // so are queued denials and the counts not yet summarised
        services.changes.flush(); // and the open batch of changes commits
      })
        .finally(() => checkpointer.stop())
        .finally(() => services.db.close());
      return closed;
    },
  };
}
