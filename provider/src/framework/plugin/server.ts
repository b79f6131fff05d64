import * as grpc from '@grpc/grpc-js';
import { loadProtocolServices } from '../protocol/load';
import type { ProviderDefinition } from '../rpc/definitions';
import { ProviderService } from '../rpc/provider-service';
import { createServerCertificate, type ServerCertificate } from './certificate';
import { handshakeLine, negotiateProtocolVersion, PROTOCOL_VERSION, type Environment } from './handshake';
import { log } from './logger';
import { createSocketLocation } from './socket';

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

// Terraform's client accepts up to 64 MiB schemas and MaxInt32 messages; grpc-js defaults to 4 MiB.
const MESSAGE_LIMIT = 256 * 1024 * 1024;
const HEALTH_SERVING = 1;
const SHUTDOWN_GRACE_MS = 500;

/** Binds the go-plugin gRPC services on a private unix socket, with mutual TLS when Terraform asks for it. */
export async function startPluginServer<Client>(definition: ProviderDefinition<Client>, options: PluginServerOptions): Promise<RunningPluginServer> {
  const protocolVersion = options.debug ? PROTOCOL_VERSION : negotiateProtocolVersion(options.env);
  const services = loadProtocolServices();
  const service = new ProviderService(definition);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MESSAGE_LIMIT,
    'grpc.max_send_message_length': MESSAGE_LIMIT,
  });
  const location = createSocketLocation(options.env);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    server.forceShutdown();
    location.remove();
  };

  server.addService(services.provider, service.grpcImplementation());
  server.addService(services.health, {
    Check: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<object>) => callback(null, { status: HEALTH_SERVING }),
  });
  server.addService(services.stdio, {
    // We log to stderr directly; the stream has nothing to carry.
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
  });
  server.addService(services.controller, {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<object>) => {
      callback(null, {});
      log.debug('shutdown requested by Terraform');
      // A graceful shutdown lets the reply reach Terraform before connections close; the timer
      // caps the wait well under the 2 s after which Terraform SIGKILLs the process anyway.
      const finish = (): void => {
        clearTimeout(deadline);
        if (!closed) close();
        options.onShutdown();
      };
      const deadline = setTimeout(finish, SHUTDOWN_GRACE_MS);
      setImmediate(() => server.tryShutdown(finish));
    },
  });

  const clientCertificate = options.debug ? undefined : options.env.PLUGIN_CLIENT_CERT;
  let certificate: ServerCertificate | undefined;
  let credentials: grpc.ServerCredentials;
  if (clientCertificate) {
    certificate = createServerCertificate();
    // true: require and verify the client's certificate against the one Terraform announced.
    credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(clientCertificate),
      [{ cert_chain: Buffer.from(certificate.certificatePem), private_key: Buffer.from(certificate.privateKeyPem) }],
      true,
    );
  } else {
    credentials = grpc.ServerCredentials.createInsecure();
  }

  try {
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${location.path}`, credentials, (error) => (error ? reject(error) : resolve())),
    );
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
