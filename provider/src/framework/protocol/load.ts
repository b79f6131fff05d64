import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import descriptor from './descriptor.json';

/** The gRPC service definitions the plugin server registers, built from the bundled JSON descriptor. */
export interface ProtocolServices {
  provider: grpc.ServiceDefinition;
  controller: grpc.ServiceDefinition;
  stdio: grpc.ServiceDefinition;
  health: grpc.ServiceDefinition;
}

export function loadProtocolServices(): ProtocolServices {
  const definition = fromJSON(descriptor as unknown as Parameters<typeof fromJSON>[0], {
    // keepCase keeps `type_name`, `Error` etc. exactly as on the wire-level schema.
    keepCase: true,
    longs: Number,
    enums: Number,
    defaults: true,
    oneofs: true,
  });
  const pick = (name: string): grpc.ServiceDefinition => {
    const service = definition[name];
    // Message types carry a `format` field; services are plain method maps.
    if (!service || 'format' in service) {
      throw new Error(`protocol descriptor has no service ${name}`);
    }
    return service as grpc.ServiceDefinition;
  };
  return {
    provider: pick('tfplugin6.Provider'),
    controller: pick('plugin.GRPCController'),
    stdio: pick('plugin.GRPCStdio'),
    health: pick('grpc.health.v1.Health'),
  };
}
