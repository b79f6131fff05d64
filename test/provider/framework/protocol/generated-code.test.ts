import { readFileSync } from 'node:fs';
import { generatedJsPath, generatedTypesPath, renderProtocolCode } from '../../../../provider/scripts/generate-protocol-code';
import { loadProtocolServices, PROVIDER_RPCS } from '../../../../provider/src/framework/protocol/load';

jest.setTimeout(120_000);

describe('generated protocol code', () => {
  it('matches the .proto files (regenerate with npx tsx provider/scripts/generate-protocol-code.ts)', async () => {
    const rendered = await renderProtocolCode();
    expect(readFileSync(generatedJsPath, 'utf8')).toBe(rendered.js);
    expect(readFileSync(generatedTypesPath, 'utf8')).toBe(rendered.types);
  });

  it('declares the service paths go-plugin and Terraform call', () => {
    const services = loadProtocolServices();
    expect(Object.keys(services.provider)).toEqual([...PROVIDER_RPCS]);
    expect(services.provider.PlanResourceChange!.path).toBe('/tfplugin6.Provider/PlanResourceChange');
    expect(services.provider.OpenEphemeralResource!.path).toBe('/tfplugin6.Provider/OpenEphemeralResource');
    expect(services.provider.StopProvider!.path).toBe('/tfplugin6.Provider/StopProvider');
    expect(services.controller.Shutdown!.path).toBe('/plugin.GRPCController/Shutdown');
    expect(services.stdio.StreamStdio!.path).toBe('/plugin.GRPCStdio/StreamStdio');
    expect(services.stdio.StreamStdio!.responseStream).toBe(true);
    expect(services.health.Check!.path).toBe('/grpc.health.v1.Health/Check');
  });

  it('decodes int64 fields as numbers', () => {
    const upgrade = loadProtocolServices().provider.UpgradeResourceState!;
    const request = upgrade.requestDeserialize(upgrade.requestSerialize({ type_name: 't', version: 3 })) as { version: unknown };
    expect(request.version).toBe(3);
  });

  it('keeps the capitalised StopProvider Error field on the wire as field 1', () => {
    const response = loadProtocolServices().provider.StopProvider!;
    expect(response.responseSerialize({ Error: 'x' }).toString('hex')).toBe('0a0178');
  });

  it('puts the field numbers of the ephemeral and function messages where Terraform reads them', () => {
    const provider = loadProtocolServices().provider;
    // OpenEphemeralResource.Response: renew_at = 2 (Timestamp{seconds = 1, nanos = 2}), private = 4.
    const open = provider.OpenEphemeralResource!.responseSerialize({ renew_at: { seconds: 1, nanos: 0 }, private: Buffer.from('p') });
    expect(open.toString('hex')).toBe('1204' + '0801' + '1000' + '220170');
    // CallFunction.Response: error = 2 (FunctionError{text = 1, function_argument = 2}).
    const call = provider.CallFunction!.responseSerialize({ error: { text: 'e', function_argument: 0 } });
    expect(call.toString('hex')).toBe('1205' + '0a0165' + '1000');
  });
});
