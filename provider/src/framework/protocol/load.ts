// The light build has reflection and codecs but no .proto parser: the descriptor is JSON already.
import * as protobuf from 'protobufjs/light';
import descriptor from './descriptor.json';

/** One RPC: its HTTP/2 path and message codecs (the shape grpc-js calls a MethodDefinition, so tests can build clients from it). */
export interface MethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: object): Buffer;
  requestDeserialize(bytes: Buffer): object;
  responseSerialize(value: object): Buffer;
  responseDeserialize(bytes: Buffer): object;
  originalName: string;
}

export type MethodDefinitions = Record<string, MethodDefinition>;

/** The gRPC service definitions the plugin server registers, built from the bundled JSON descriptor. */
export interface ProtocolServices {
  provider: MethodDefinitions;
  controller: MethodDefinitions;
  stdio: MethodDefinitions;
  health: MethodDefinitions;
}

// Field names stay exactly as declared (type_name, Error), int64 become JS numbers (versions,
// list indexes), enums stay numeric, absent scalars read as their defaults, and a oneof reports
// which member is set.
const READ_OPTIONS: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true, oneofs: true };

/**
 * WHY not @grpc/proto-loader: it loads the full protobufjs (with the .proto parser) and builds
 * reflection descriptors for every file, about 35 ms of every provider launch. Building the
 * method definitions from the light build's reflection objects costs a fraction of that.
 */
export function loadProtocolServices(): ProtocolServices {
  const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  return {
    provider: serviceDefinition(root, 'tfplugin6.Provider'),
    controller: serviceDefinition(root, 'plugin.GRPCController'),
    stdio: serviceDefinition(root, 'plugin.GRPCStdio'),
    health: serviceDefinition(root, 'grpc.health.v1.Health'),
  };
}

function serviceDefinition(root: protobuf.Root, name: string): MethodDefinitions {
  const service = root.lookupService(name);
  const definition: MethodDefinitions = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const requestType = method.resolvedRequestType!;
    const responseType = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${name}/${method.name}`,
      requestStream: method.requestStream ?? false,
      responseStream: method.responseStream ?? false,
      requestSerialize: (value: object) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
      requestDeserialize: (bytes: Buffer): object => requestType.toObject(requestType.decode(bytes), READ_OPTIONS),
      responseSerialize: (value: object) => Buffer.from(responseType.encode(responseType.fromObject(value)).finish()),
      responseDeserialize: (bytes: Buffer): object => responseType.toObject(responseType.decode(bytes), READ_OPTIONS),
      originalName: method.name,
    };
  }
  return definition;
}
