import { readFileSync } from 'node:fs';
import { descriptorPath, renderDescriptor } from '../../../../provider/scripts/generate-protocol-descriptor';
import { loadProtocolServices } from '../../../../provider/src/framework/protocol/load';

describe('protocol descriptor', () => {
  it('matches the .proto files (regenerate with npx tsx provider/scripts/generate-protocol-descriptor.ts)', () => {
    expect(readFileSync(descriptorPath, 'utf8')).toBe(renderDescriptor());
  });

  it('declares the service paths go-plugin and Terraform call', () => {
    const services = loadProtocolServices();
    expect(services.provider.PlanResourceChange.path).toBe('/tfplugin6.Provider/PlanResourceChange');
    expect(services.provider.StopProvider.path).toBe('/tfplugin6.Provider/StopProvider');
    expect(services.controller.Shutdown.path).toBe('/plugin.GRPCController/Shutdown');
    expect(services.stdio.StreamStdio.path).toBe('/plugin.GRPCStdio/StreamStdio');
    expect(services.stdio.StreamStdio.responseStream).toBe(true);
    expect(services.health.Check.path).toBe('/grpc.health.v1.Health/Check');
  });

  it('keeps the capitalised StopProvider Error field on the wire as field 1', () => {
    const response = loadProtocolServices().provider.StopProvider;
    const bytes = response.responseSerialize({ Error: 'x' });
    expect(Buffer.from(bytes).toString('hex')).toBe('0a0178');
  });
});
