/**
 * schema/provider.json must be exactly what `terraform providers schema -json` prints for the
 * provider as it is now (the CDKTF bindings are generated from it). Runs the real terraform.
 */
import { readFile } from 'node:fs/promises';
import { providerSchemaPath, renderProviderSchema } from '../../../provider/scripts/generate-provider-schema';

jest.setTimeout(180_000);

describe('schema/provider.json', () => {
  it('is what terraform prints for the provider today (run npm run generate:provider-schema when this fails)', async () => {
    const [committed, rendered] = await Promise.all([readFile(providerSchemaPath, 'utf8'), renderProviderSchema()]);
    expect(committed).toBe(rendered);
  });

  it('carries the attribute types the provider contract fixes (docs/guides/decisions.md)', async () => {
    const schema = JSON.parse(await readFile(providerSchemaPath, 'utf8'));
    const provider = schema.provider_schemas['registry.terraform.io/managed-dev/managed'];
    const key = provider.resource_schemas.managed_api_key.block.attributes;
    for (const name of ['scopes', 'ip_allowlist', 'effective_scopes']) expect(key[name].type).toEqual(['set', 'string']);
    expect(key.secret).toMatchObject({ computed: true, sensitive: true });
    expect(provider.provider.block.attributes.token).toMatchObject({ sensitive: true, optional: true });
    const catalog = provider.data_source_schemas.managed_scopes.block.attributes;
    expect(catalog.scopes.type).toEqual(['list', ['object', { name: 'string', description: 'string', dangerous: 'bool' }]]);
    expect(catalog.presets.type).toEqual(['map', ['list', 'string']]);
    expect(provider.data_source_schemas.managed_api_key.block.attributes).not.toHaveProperty('secret');
  });
});
