import { loadProtocolServices, type MethodDefinitions } from '../protocol/load';
import type { ProviderDefinition } from '../rpc/definitions';
import { ProviderService } from '../rpc/provider-service';
import { createServerCertificate, type ServerCertificate } from './certificate';
import { handshakeLine, negotiateProtocolVersion, PROTOCOL_VERSION, type Environment } from './handshake';
import { log } from './logger';
import { createSocketLocation } from './socket';
import { GrpcServer, type GrpcMethod } from './grpc-server';

export interface PluginServerOptions {
  env: Environment;
  /** Plaintext, no client certificate: Terraform attaches through TF_REATTACH_PROVIDERS. */
  debug?: boolean;
  /** Called after GRPCController.Shutdown has been answered. */
  onShutdown(): void;
}

export interface RunningPluginServer {
  /** The line to print on stdout (ends with "\n"). */
  handshake: string;
  socketPath: string;
  /** Present when serving mutual TLS. */
  certificate?: ServerCertificate;
  service: ProviderService<unknown>;
  /** Stops serving and removes the socket directory. */
  close(): void;
}

const HEALTH_SERVING = 1;
const SHUTDOWN_GRACE_MS = 500;

/** Binds the go-plugin gRPC services on a private unix socket, with mutual TLS when Terraform asks for it. */
export async function startPluginServer<Client>(definition: ProviderDefinition<Client>, options: PluginServerOptions): Promise<RunningPluginServer> {
  const protocolVersion = options.debug ? PROTOCOL_VERSION : negotiateProtocolVersion(options.env);
  const services = loadProtocolServices();
  const service = new ProviderService(definition);
  const location = createSocketLocation(options.env);
  let closed = false;
  let server: GrpcServer | undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    server?.forceShutdown();
    location.remove();
  };

  const methods = new Map<string, GrpcMethod>();
  const addUnary = (definitions: MethodDefinitions, name: string, handle: (request: object) => object | Promise<object>): void => {
    const method = definitions[name]!;
    methods.set(method.path, { kind: 'unary', handle: async (bytes) => method.responseSerialize(await handle(method.requestDeserialize(bytes))) });
  };
  for (const [name, handle] of Object.entries(service.handlers())) addUnary(services.provider, name, handle);
  addUnary(services.health, 'Check', () => ({ status: HEALTH_SERVING }));
  // We log to stderr directly; the stdio stream has nothing to carry and ends at once.
  methods.set(services.stdio.StreamStdio!.path, { kind: 'empty-stream' });
  addUnary(services.controller, 'Shutdown', () => {
    log.debug('shutdown requested by Terraform');
    // The reply goes out first; then a graceful close lets it reach Terraform, and the timer
    // caps the wait well under the 2 s after which Terraform SIGKILLs the process anyway.
    setImmediate(() => {
      const finish = (): void => {
        clearTimeout(deadline);
        if (!closed) close();
        options.onShutdown();
      };
      const deadline = setTimeout(finish, SHUTDOWN_GRACE_MS);
      server!.shutdown(finish);
    });
    return {};
  });

  const clientCertificate = options.debug ? undefined : options.env.PLUGIN_CLIENT_CERT;
  // With PLUGIN_CLIENT_CERT: mutual TLS, accepting only the client certificate Terraform announced.
  const certificate: ServerCertificate | undefined = clientCertificate ? createServerCertificate() : undefined;
  server = new GrpcServer(
    methods,
    certificate
      ? { certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem, clientCertificatePem: clientCertificate! }
      : undefined,
  );

  try {
    await server.listen(location.path);
  } catch (error) {
    close();
    throw error;
  }
  log.debug(`serving plugin protocol ${protocolVersion} on ${location.path} (${certificate ? 'mutual TLS' : 'plaintext'})`);
  return {
    handshake: handshakeLine({ protocolVersion, network: 'unix', address: location.path, certificateDer: certificate?.der }),
    socketPath: location.path,
    certificate,
    service: service as ProviderService<unknown>,
    close,
  };
}
