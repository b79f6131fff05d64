import * as grpc from '@grpc/grpc-js';
import { existsSync } from 'node:fs';
import { createServerCertificate, type ServerCertificate } from '../../../../provider/src/framework/plugin/certificate';
import { startPluginServer, type RunningPluginServer } from '../../../../provider/src/framework/plugin/server';
import { loadProtocolServices } from '../../../../provider/src/framework/protocol/load';
import { fixtureProvider } from '../fixtures/fixture-provider';

const services = loadProtocolServices();
const ProviderClient = grpc.makeGenericClientConstructor(services.provider, 'Provider');
const HealthClient = grpc.makeGenericClientConstructor(services.health, 'Health');
const ControllerClient = grpc.makeGenericClientConstructor(services.controller, 'GRPCController');

function unary(client: grpc.Client, method: string, request: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    type UnaryCall = (
      request: object,
      options: grpc.CallOptions,
      callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
    ) => void;
    const call = (client as unknown as Record<string, UnaryCall>)[method]!.bind(client);
    call(request, { deadline: Date.now() + 5000 }, (error: grpc.ServiceError | null, response: Record<string, unknown>) =>
      error ? reject(error) : resolve(response),
    );
  });
}

function tlsClient<T extends grpc.Client>(
  Constructor: new (address: string, credentials: grpc.ChannelCredentials, options: object) => T,
  server: RunningPluginServer,
  identity: ServerCertificate,
): T {
  // The same trust setup as go-plugin's client: trust exactly the handshake's certificate, present our own.
  const credentials = grpc.credentials.createSsl(
    Buffer.from(server.certificate!.certificatePem),
    Buffer.from(identity.privateKeyPem),
    Buffer.from(identity.certificatePem),
  );
  return new Constructor(`unix://${server.socketPath}`, credentials, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
}

describe('plugin server with automatic mutual TLS', () => {
  const terraformIdentity = createServerCertificate();
  let server: RunningPluginServer;
  let shutdowns = 0;

  beforeAll(async () => {
    server = await startPluginServer(fixtureProvider, {
      env: { PLUGIN_PROTOCOL_VERSIONS: '6,5', PLUGIN_CLIENT_CERT: terraformIdentity.certificatePem },
      onShutdown: () => (shutdowns += 1),
    });
  });
  afterAll(() => server.close());

  it('announces its certificate in the handshake line', () => {
    const fields = server.handshake.trimEnd().split('|');
    expect(fields[2]).toBe('unix');
    expect(fields[3]).toBe(server.socketPath);
    expect(Buffer.from(fields[5], 'base64').equals(server.certificate!.der)).toBe(true);
  });

  it('serves the provider and health services to the client Terraform announced', async () => {
    const provider = tlsClient(ProviderClient, server, terraformIdentity);
    const schema = await unary(provider, 'GetProviderSchema', {});
    expect(Object.keys(schema.resource_schemas as object)).toEqual(['fixture_thing']);
    const health = tlsClient(HealthClient, server, terraformIdentity);
    expect(await unary(health, 'Check', { service: 'plugin' })).toEqual({ status: 1 }); // SERVING;
    provider.close();
    health.close();
  });

  it('rejects a client presenting a certificate it was not told about', async () => {
    const stranger = tlsClient(ProviderClient, server, createServerCertificate());
    await expect(unary(stranger, 'GetProviderSchema', {})).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    stranger.close();
  });

  it('rejects a client presenting no certificate at all', async () => {
    const anonymous = new ProviderClient(`unix://${server.socketPath}`, grpc.credentials.createSsl(Buffer.from(server.certificate!.certificatePem)), {
      'grpc.ssl_target_name_override': 'localhost',
      'grpc.default_authority': 'localhost',
    });
    await expect(unary(anonymous, 'GetProviderSchema', {})).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    anonymous.close();
  });

  it('answers GRPCController.Shutdown, then stops and removes its socket directory', async () => {
    const controller = tlsClient(ControllerClient, server, terraformIdentity);
    expect(await unary(controller, 'Shutdown', {})).toEqual({});
    controller.close();
    const deadline = Date.now() + 5000;
    while (shutdowns === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(shutdowns).toBe(1);
    expect(existsSync(server.socketPath)).toBe(false);
  });
});
