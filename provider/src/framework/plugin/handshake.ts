/**
 * go-plugin's handshake as Terraform configures it: a magic cookie in the environment proves
 * Terraform launched us, PLUGIN_PROTOCOL_VERSIONS lists what it speaks, and our first stdout line
 * tells it where and how to connect.
 */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
export const PROTOCOL_VERSION = 6;
const CORE_PROTOCOL_VERSION = 1;

export type Environment = Record<string, string | undefined>;

export function launchedByTerraform(env: Environment): boolean {
  return env[MAGIC_COOKIE_KEY] === MAGIC_COOKIE_VALUE;
}

export const NOT_LAUNCHED_BY_TERRAFORM_MESSAGE =
  'This binary is a plugin. These are not meant to be executed directly.\n' +
  'Please execute the program that consumes these plugins, which will load any plugins automatically.\n' +
  'To debug the provider by hand, run it with --debug and export the TF_REATTACH_PROVIDERS value it prints.\n';

/** Returns 6 when the client offers it, or throws with the reason the client would see. */
export function negotiateProtocolVersion(env: Environment): number {
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? '')
    .split(',')
    .map((version) => version.trim())
    .filter(Boolean);
  if (offered.length === 0) return PROTOCOL_VERSION;
  if (offered.includes(String(PROTOCOL_VERSION))) return PROTOCOL_VERSION;
  throw new Error(
    `this provider speaks plugin protocol ${PROTOCOL_VERSION}, but the client offers only ${offered.join(', ')} (Terraform 1.0 or later is needed)`,
  );
}

export interface HandshakeFields {
  protocolVersion: number;
  network: 'unix' | 'tcp';
  address: string;
  /** DER of the server certificate when serving TLS. */
  certificateDer?: Buffer;
}

/**
 * CORE|APP|NETWORK|ADDR|PROTOCOL|CERT — the certificate is standard base64 WITHOUT padding,
 * because the Go side decodes it with RawStdEncoding and fails on "=".
 */
export function handshakeLine(fields: HandshakeFields): string {
  const certificate = fields.certificateDer ? fields.certificateDer.toString('base64').replace(/=+$/, '') : '';
  return `${CORE_PROTOCOL_VERSION}|${fields.protocolVersion}|${fields.network}|${fields.address}|grpc|${certificate}\n`;
}

/** The value a human exports as TF_REATTACH_PROVIDERS to attach Terraform to a --debug process. */
export function reattachValue(address: string, socketPath: string, pid: number): string {
  return JSON.stringify({
    [address]: { Protocol: 'grpc', ProtocolVersion: PROTOCOL_VERSION, Pid: pid, Test: true, Addr: { Network: 'unix', String: socketPath } },
  });
}
