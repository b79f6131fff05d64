/**
 * The framework's ephemeral-resource and function RPCs, through the real protobuf codec:
 * schema entries, Open's result / private / renew_at, Renew and Close receiving that private,
 * CallFunction results and FunctionErrors with the argument index.
 */
import { decodeMsgpack, encodeMsgpack } from '../../../../provider/src/framework/cty/msgpack';
import { types } from '../../../../provider/src/framework/cty/types';
import { FunctionError } from '../../../../provider/src/framework/diagnostics/function-error';
import { loadProtocolServices } from '../../../../provider/src/framework/protocol/load';
import type { ProviderDefinition } from '../../../../provider/src/framework/rpc/definitions';
import { ProviderService } from '../../../../provider/src/framework/rpc/provider-service';
import { impliedType } from '../../../../provider/src/framework/schema/schema';
import { callRpc } from './call-rpc';

const tokenSchema = { attributes: { name: { type: types.string, required: true }, value: { type: types.string, computed: true, sensitive: true } } };
const events: string[] = [];

const provider: ProviderDefinition<string> = {
  typeName: 'test',
  address: 'example.com/test/test',
  version: '1.0.0',
  schema: { attributes: {} },
  configure: () => 'client',
  ephemeralResources: {
    test_token: {
      schema: tokenSchema,
      open: ({ config }) => ({
        result: { ...config, value: `secret-of-${String(config.name)}` },
        private: { handle: 7 },
        renewAt: new Date('2030-01-01T00:10:00.250Z'),
      }),
      renew: ({ private: handle }) => {
        events.push(`renew ${JSON.stringify(handle)}`);
        return { renewAt: new Date('2030-01-01T00:20:00.000Z') };
      },
      close: ({ private: handle }) => {
        events.push(`close ${JSON.stringify(handle)}`);
      },
    },
  },
  functions: {
    shout: {
      summary: 'Upper-cases',
      parameters: [{ name: 'text', type: types.string }],
      variadicParameter: { name: 'more', type: types.string },
      returnType: types.string,
      run: (args) => {
        if (args[0] === '') throw new FunctionError('text must not be empty', 0);
        return args.map((arg) => String(arg).toUpperCase()).join(' ');
      },
    },
  },
};

const wire = loadProtocolServices().provider;
/** What Terraform would decode from our answer. */
function overTheWire(rpc: string, response: object): any {
  return wire[rpc]!.responseDeserialize(Buffer.from(wire[rpc]!.responseSerialize(response)));
}

async function call(service: ProviderService<string>, rpc: string, request: object): Promise<any> {
  // The request goes through the codec too, as Terraform would send it.
  const decodedRequest = wire[rpc]!.requestDeserialize(Buffer.from(wire[rpc]!.requestSerialize(request)));
  return overTheWire(rpc, await callRpc(service, rpc, decodedRequest as object));
}

const tokenType = impliedType(tokenSchema);
const dynamic = (value: object) => ({ msgpack: Buffer.from(encodeMsgpack(tokenType, value as never)) });

it('declares ephemeral resources and functions in GetProviderSchema', async () => {
  const schema = await call(new ProviderService(provider), 'GetProviderSchema', {});
  expect(Object.keys(schema.ephemeral_resource_schemas)).toEqual(['test_token']);
  expect(schema.functions.shout.summary).toBe('Upper-cases');
  expect(JSON.parse(Buffer.from(schema.functions.shout.return.type).toString())).toBe('string');
  expect(schema.functions.shout.variadic_parameter.name).toBe('more');
});

it('opens with result, private and renew_at, and renews and closes with the private Open returned', async () => {
  const service = new ProviderService(provider);
  await call(service, 'ConfigureProvider', { terraform_version: '1.11.4', config: { msgpack: Buffer.from(encodeMsgpack(types.object({}), {})) } });
  const opened = await call(service, 'OpenEphemeralResource', { type_name: 'test_token', config: dynamic({ name: 'x', value: null }) });
  expect(opened.diagnostics).toEqual([]);
  expect(decodeMsgpack(tokenType, opened.result.msgpack)).toEqual({ name: 'x', value: 'secret-of-x' });
  expect(opened.renew_at).toEqual({ seconds: Date.parse('2030-01-01T00:10:00Z') / 1000, nanos: 250_000_000 });
  expect(JSON.parse(Buffer.from(opened.private).toString())).toEqual({ handle: 7 });

  const renewed = await call(service, 'RenewEphemeralResource', { type_name: 'test_token', private: opened.private });
  expect(renewed.renew_at.seconds).toBe(Date.parse('2030-01-01T00:20:00Z') / 1000);
  expect(JSON.parse(Buffer.from(renewed.private).toString())).toEqual({ handle: 7 });
  await call(service, 'CloseEphemeralResource', { type_name: 'test_token', private: opened.private });
  expect(events).toEqual(['renew {"handle":7}', 'close {"handle":7}']);
});

it('calls functions with variadic arguments and reports FunctionErrors on their argument', async () => {
  const service = new ProviderService(provider);
  const argument = (text: string) => ({ msgpack: Buffer.from(encodeMsgpack(types.string, text)) });
  const result = await call(service, 'CallFunction', { name: 'shout', arguments: [argument('a'), argument('b'), argument('c')] });
  expect(decodeMsgpack(types.string, result.result.msgpack)).toBe('A B C');
  const failed = await call(service, 'CallFunction', { name: 'shout', arguments: [argument('')] });
  expect(failed.error).toMatchObject({ text: 'text must not be empty', function_argument: 0 });
  const missing = await call(service, 'CallFunction', { name: 'shout', arguments: [] });
  expect(missing.error.text).toBe('shout takes 1 or more argument(s), got 0.');
});
