/**
 * The RPCs the plugin server answers, as method definitions over the generated static codecs
 * (generated/protocol.js, from the .proto files here by provider/scripts/generate-protocol-code.ts).
 *
 * WHY static code: the reflection-based codecs built every message type from a JSON descriptor
 * and generated their encoders at every launch; the generated module is plain functions, and its
 * .d.ts types every request and response the handlers see.
 */
import * as protobufRuntime from 'protobufjs/minimal';
import { grpc, plugin, tfplugin6 } from './generated/protocol';

// int64 fields (schema versions, list indexes, timestamps) as JS numbers, never Long objects,
// whether or not the optional `long` package happens to be resolvable (it is in node_modules,
// not in the bundle): all our int64 values are far below 2^53.
protobufRuntime.util.Long = undefined as unknown as typeof protobufRuntime.util.Long;
protobufRuntime.configure();

/** A generated message class: encode from a plain object shaped like its interface, decode to an instance. */
interface MessageCodec {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
}

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

/** The gRPC service definitions the plugin server registers. */
export interface ProtocolServices {
  provider: MethodDefinitions;
  controller: MethodDefinitions;
  stdio: MethodDefinitions;
  health: MethodDefinitions;
}

/** Every tfplugin6.Provider RPC the framework answers; each has `<Name>.Request` and `<Name>.Response` messages. */
export const PROVIDER_RPCS = [
  'GetProviderSchema',
  'ValidateProviderConfig',
  'ValidateResourceConfig',
  'ValidateDataResourceConfig',
  'UpgradeResourceState',
  'ConfigureProvider',
  'ReadResource',
  'PlanResourceChange',
  'ApplyResourceChange',
  'ImportResourceState',
  'ReadDataSource',
  'StopProvider',
  'GetFunctions',
  'CallFunction',
  'ValidateEphemeralResourceConfig',
  'OpenEphemeralResource',
  'RenewEphemeralResource',
  'CloseEphemeralResource',
] as const;
export type ProviderRpc = (typeof PROVIDER_RPCS)[number];

const toBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

function method(service: string, name: string, request: MessageCodec, response: MessageCodec, responseStream = false): MethodDefinition {
  return {
    path: `/${service}/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: (value) => toBuffer(request.encode(value).finish()),
    requestDeserialize: (bytes) => request.decode(bytes),
    responseSerialize: (value) => toBuffer(response.encode(value).finish()),
    responseDeserialize: (bytes) => response.decode(bytes),
    originalName: name,
  };
}

export function loadProtocolServices(): ProtocolServices {
  const provider: MethodDefinitions = {};
  for (const name of PROVIDER_RPCS) {
    const messages = tfplugin6[name] as unknown as { Request: MessageCodec; Response: MessageCodec };
    provider[name] = method('tfplugin6.Provider', name, messages.Request, messages.Response);
  }
  return {
    provider,
    controller: { Shutdown: method('plugin.GRPCController', 'Shutdown', plugin.Empty, plugin.Empty) },
    stdio: { StreamStdio: method('plugin.GRPCStdio', 'StreamStdio', plugin.Empty, plugin.StdioData, true) },
    health: { Check: method('grpc.health.v1.Health', 'Check', grpc.health.v1.HealthCheckRequest, grpc.health.v1.HealthCheckResponse) },
  };
}
