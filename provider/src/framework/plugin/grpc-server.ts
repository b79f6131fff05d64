/**
 * The gRPC server the plugin needs, directly on node:http2: unary methods and one server-stream
 * that ends at once (GRPCStdio), over a unix socket, with mutual TLS or plaintext (h2c).
 *
 * WHY not @grpc/grpc-js: Terraform launches the provider 3–4 times per command and makes about
 * three calls per resource. grpc-js (channelz, compression, keepalive, interceptors, resolvers…)
 * cost ~75 ms of module loading per launch and a quarter of the provider's CPU in a 500-key plan
 * (measured; README "Benchmark"). What the go-plugin client speaks is small and fixed:
 * - request: HEADERS (:path /package.Service/Method, content-type application/grpc…), DATA with
 *   length-prefixed messages (1 byte compressed flag, 4 bytes big-endian length, the bytes);
 * - response: HEADERS (:status 200, content-type application/grpc), DATA with one prefixed
 *   message per reply, then TRAILERS with grpc-status (0 = OK) and grpc-message;
 * - an unknown method is a trailers-only answer with grpc-status 12 (UNIMPLEMENTED), which
 *   Terraform reads as "not supported" (e.g. GetResourceIdentitySchemas on 1.12+).
 * Terraform never compresses; a compressed message is answered INTERNAL.
 *
 * The client certificate is checked by exact comparison with the one Terraform announced, not by
 * OpenSSL against a CA list: giving Node any `ca` (or none) makes it parse its ~140 bundled root
 * certificates first, ~20 ms of every launch (measured; README "Benchmark"), to trust one
 * self-signed certificate we know byte for byte.
 */
import * as http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';

/** gRPC status codes used here. */
export const GrpcStatus = { OK: 0, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

/** A unary method: request bytes in, response bytes out. A thrown error is answered INTERNAL. */
export type UnaryMethod = (request: Buffer) => Promise<Uint8Array> | Uint8Array;

export type GrpcMethod = { kind: 'unary'; handle: UnaryMethod } | { kind: 'empty-stream' };

export interface MutualTls {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The only client certificate accepted (Terraform's, from PLUGIN_CLIENT_CERT). */
  readonly clientCertificatePem: string;
}

const PREFIX_LENGTH = 5;
const GRPC_CONTENT_TYPE = 'application/grpc';

function frame(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(PREFIX_LENGTH + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, PREFIX_LENGTH);
  return framed;
}

/** The single message of a unary request body, or a reason it is not one. */
function unframe(body: Buffer): Buffer | string {
  if (body.length < PREFIX_LENGTH) return 'request carries no message';
  if (body[0] !== 0) return 'compressed messages are not supported';
  const length = body.readUInt32BE(1);
  if (body.length !== PREFIX_LENGTH + length) return 'a unary request carries exactly one message';
  return body.subarray(PREFIX_LENGTH);
}

/** grpc-message is percent-encoded (the gRPC HTTP/2 spec), so any text survives the header. */
function grpcMessage(text: string): string {
  return encodeURIComponent(text);
}

/** The DER bytes of a PEM certificate (the first one, if several). */
export function certificateDer(pem: string): Buffer {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new Error('PLUGIN_CLIENT_CERT holds no PEM certificate');
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

export class GrpcServer {
  private readonly server: http2.Http2Server | http2.Http2SecureServer;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /** Sessions whose peer may call methods: all of them over h2c, only Terraform's over TLS. */
  private readonly trustedSessions = new WeakSet<http2.Http2Session>();

  constructor(
    private readonly methods: ReadonlyMap<string, GrpcMethod>,
    tls?: MutualTls,
  ) {
    // Terraform's client allows 64 MiB schemas; the default 10 MB session memory cap is raised to match.
    const options = { maxSessionMemory: 256 };
    const expectedClient = tls ? certificateDer(tls.clientCertificatePem) : undefined;
    this.server = tls
      ? http2.createSecureServer({
          ...options,
          key: tls.privateKeyPem,
          cert: tls.certificatePem,
          // An empty list: no CA store at all (see the file comment); the client certificate is
          // requested and compared below instead.
          ca: [],
          requestCert: true,
          rejectUnauthorized: false,
          minVersion: 'TLSv1.2',
          allowHTTP1: false,
        })
      : http2.createServer(options);
    this.server.on('session', (session: http2.ServerHttp2Session) => {
      // A peer that vanishes (SIGKILLed Terraform) must not crash the provider.
      session.on('error', () => undefined);
      // 'session' is emitted before the connection's first byte is read, so no stream of an
      // untrusted peer is ever seen; serve() checks again anyway.
      if (expectedClient && !presentsCertificate(session.socket as TLSSocket, expectedClient)) {
        session.destroy();
        return;
      }
      this.trustedSessions.add(session);
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    this.server.on('stream', (stream, headers) => this.serve(stream, headers));
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops accepting, lets answers in flight finish, then calls `done` once every connection is closed. */
  shutdown(done: () => void): void {
    this.server.close(() => done());
    for (const session of this.sessions) session.close();
  }

  /** Closes every connection at once. */
  forceShutdown(): void {
    for (const session of this.sessions) session.destroy();
    this.server.close();
  }

  private serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    if (!stream.session || !this.trustedSessions.has(stream.session)) {
      stream.session?.destroy();
      return;
    }
    const path = headers[':path'] ?? '';
    const method = this.methods.get(path);
    if (!method) {
      this.trailersOnly(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      if (method.kind === 'empty-stream') {
        this.reply(stream, undefined);
        return;
      }
      const message = unframe(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      if (typeof message === 'string') {
        this.trailersOnly(stream, GrpcStatus.INTERNAL, message);
        return;
      }
      Promise.resolve()
        .then(() => method.handle(message))
        .then(
          (response) => this.reply(stream, response),
          (error: unknown) => this.trailersOnly(stream, GrpcStatus.INTERNAL, error instanceof Error ? error.message : String(error)),
        );
    });
  }

  /** One message (or none, for the empty stream), then grpc-status OK in the trailers. */
  private reply(stream: http2.ServerHttp2Stream, message: Uint8Array | undefined): void {
    if (stream.destroyed || stream.closed) return;
    stream.respond({ ':status': 200, 'content-type': GRPC_CONTENT_TYPE }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcStatus.OK) }));
    if (message === undefined) stream.end();
    else stream.end(frame(message));
  }

  private trailersOnly(stream: http2.ServerHttp2Stream, status: number, text: string): void {
    if (stream.destroyed || stream.closed) return;
    stream.respond(
      { ':status': 200, 'content-type': GRPC_CONTENT_TYPE, 'grpc-status': String(status), 'grpc-message': grpcMessage(text) },
      { endStream: true },
    );
  }
}

/** True when the TLS peer sent exactly `expected` as its certificate. */
function presentsCertificate(socket: TLSSocket, expected: Buffer): boolean {
  const presented = socket.getPeerCertificate(false) as { raw?: Buffer } | null;
  return presented?.raw !== undefined && presented.raw.equals(expected);
}
