import fs from 'node:fs';
import { CATALOG_MODULE, CATALOG_SOURCE, renderCatalogModule } from '../../../packages/contract/scripts/generate-catalog';
import { PRESET_NAMES, SCOPE_NAMES } from '@managed-dev/contract';

describe('packages/contract/src/generated/catalog.ts', () => {
  it('is what `npm run generate:contract` writes from schema/scopes.json (run it when this fails)', () => {
    expect(fs.readFileSync(CATALOG_MODULE, 'utf8')).toBe(renderCatalogModule(fs.readFileSync(CATALOG_SOURCE, 'utf8')));
  });

  it('carries every scope and preset of schema/scopes.json into the package', () => {
    const source = JSON.parse(fs.readFileSync(CATALOG_SOURCE, 'utf8')) as { scopes: { name: string }[]; presets: Record<string, unknown> };
    expect(SCOPE_NAMES).toEqual(source.scopes.map((scope) => scope.name));
    expect(PRESET_NAMES).toEqual(Object.keys(source.presets));
  });

  it('refuses a catalog file without scopes, presets or roles', () => {
    expect(() => renderCatalogModule('{"scopes": []}')).toThrow(/must have "scopes", "presets" and "roles"/);
  });
});
