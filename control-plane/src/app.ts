/**
 * Starts the control plane: open the data directory (migrations, pepper), build the app from the
 * route table, listen, and only then bootstrap on first start — so a port that is taken fails the
 * start before any owner key exists or is shown. Used by main.ts and by the test support.
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
import { LogDestination, Logger, createLogger, withRequestLog } from './http/request-log';
import { RequestPipeline } from './http/request-pipeline';
import { withDashboard } from './http/dashboard-assets';
import { withSecurityHeaders } from './http/security-headers';
import type { AnyRouteDefinition } from './http/route-definition';
import { ROUTES } from './http/route-table';
import { AppServices, createServices } from './services/app-services';
import { SqliteDatabase } from './storage/sqlite/sqlite-database';

export interface StartServerOptions {
  /** Environment to read (PORT, HOST, MANAGED_DATA_DIR, MANAGED_PEPPER, ...); default process.env. */
  readonly env?: Environment;
  /** Overrides on top of what `env` says (tests pass dataDir and port 0). */
  readonly config?: Partial<ControlPlaneConfig>;
  readonly clock?: Clock;
  /** Where the one-time bootstrap announcement goes; default stdout. */
  readonly announce?: (line: string) => void;
  /** Where JSON request log lines go; default stdout. */
  readonly logDestination?: LogDestination;
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
  readonly logger: Logger;
  /**
   * Stops accepting connections, lets in-flight requests finish (at most the shutdown timeout;
   * then their connections are cut), writes queued last-used records and denials, commits the
   * open group of changes and closes the database.
   */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config: ControlPlaneConfig = { ...configFromEnvironment(options.env ?? process.env), ...options.config };
  const logger = createLogger(config.logLevel, options.logDestination);
  const services = await createServices(config, options.clock ?? systemClock);
  const routes = options.routes ?? ROUTES;
  // One pipeline, two transports: Express for everything, and plain GETs without Express's
  // per-request overhead (http/fast-path.ts); both run the same steps of the same object.
  const pipeline = new RequestPipeline(services);
  const app = createApp(services, routes, pipeline);
  // The dashboard's files are served in front of the API; security headers go on everything; the
  // request log sees every response.
  const listener = withRequestLog(withSecurityHeaders(withDashboard(withFastPath(app, services, routes, pipeline), config.dashboardDir)), logger);
  const httpServer = createServer(listener);
  const shutDown = async () => {
    await services.denials.close();
    await services.db.close();
  };
  try {
    httpServer.listen(config.port, config.host);
    await once(httpServer, 'listening');
  } catch (error) {
    await shutDown();
    throw error;
  }

  let bootstrap: BootstrapResult;
  try {
    bootstrap = await ensureBootstrapped(services, config.bootstrapKey);
  } catch (error) {
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await shutDown();
    throw error;
  }
  // SQLite: WAL checkpoints (and their fsync) on a worker thread, not inside a request's commit.
  // Started once the start has succeeded: a failed start must not wait for a worker nothing keeps
  // alive. Closing the database stops it.
  if (services.db instanceof SqliteDatabase) services.db.startWalCheckpointer();
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  for (const line of bootstrapAnnouncement(bootstrap)) announce(line);

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
    logger,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        // A keep-alive connection stays open after its response, so idle connections are swept
        // until every in-flight response has ended; whatever is still busy at the timeout is cut.
        const sweep = setInterval(() => httpServer.closeIdleConnections(), 50);
        const cutOff = setTimeout(() => httpServer.closeAllConnections(), config.shutdownTimeoutMs);
        httpServer.close((error) => {
          clearInterval(sweep);
          clearTimeout(cutOff);
          if (error) reject(error);
          else resolve();
        });
        httpServer.closeIdleConnections();
      })
        // Buffered request log lines are written before close() settles (main.ts exits right after).
        .finally(() => new Promise<void>((resolve) => logger.flush(() => resolve())))
        // Queued last-used records are written before the database closes, and so are queued
        // denials and the counts not yet summarised; closing commits the open group of changes
        // (and stops the WAL checkpointer).
        .finally(() => Promise.all([services.lastUsed.flush(), services.denials.close()]))
        .finally(() => services.db.close());
      return closed;
    },
  };
}
