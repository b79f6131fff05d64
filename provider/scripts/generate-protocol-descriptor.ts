/**
 * Turns the project's .proto files into one protobufjs JSON descriptor.
 *
 * WHY: parsing .proto text at every provider launch costs start time (Terraform launches the
 * provider 3+ times per command). The JSON descriptor is bundled and loaded with
 * proto-loader's fromJSON, which skips the parser. A test fails when the committed JSON is stale.
 *
 * Usage: npx tsx provider/scripts/generate-protocol-descriptor.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

export const protocolDirectory = join(__dirname, '..', 'src', 'framework', 'protocol');
export const protoFiles = ['tfplugin6.proto', 'go-plugin.proto', 'health.proto'];
export const descriptorPath = join(protocolDirectory, 'descriptor.json');

export function renderDescriptor(): string {
  const root = new protobuf.Root();
  root.loadSync(protoFiles.map((file) => join(protocolDirectory, file)), { keepCase: true });
  return JSON.stringify(root.toJSON({ keepComments: false }), null, 1) + '\n';
}

if (require.main === module) {
  const rendered = renderDescriptor();
  if (process.argv.includes('--check')) {
    if (readFileSync(descriptorPath, 'utf8') !== rendered) {
      process.stderr.write(`${descriptorPath} is stale: run npx tsx provider/scripts/generate-protocol-descriptor.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(descriptorPath, rendered);
    process.stderr.write(`wrote ${descriptorPath}\n`);
  }
}
