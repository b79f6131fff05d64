/** `data "managed_scopes"`: the scope catalog and presets as the control plane serves them (GET /v1/scopes, /v1/presets). */
import { type DataSourceDefinition } from '../../framework';
import { failWithApiFailure } from '../api-diagnostics';
import type { ManagedContext } from '../context';
import { scopesDataSourceSchema } from '../schemas';

export const scopesDataSource: DataSourceDefinition<ManagedContext> = {
  schema: scopesDataSourceSchema,

  async read({ client, diagnostics, signal }) {
    const api = client.api(signal);
    try {
      const [scopes, presets] = await Promise.all([api.listScopes(), api.listPresets()]);
      return {
        id: 'catalog',
        scopes: scopes.map((scope) => ({ name: scope.name, description: scope.description ?? '', dangerous: scope.dangerous === true })),
        presets: Object.fromEntries(presets.map((preset) => [preset.name, [...preset.scopes]])),
      };
    } catch (error) {
      failWithApiFailure(diagnostics, 'read the scope catalog', error);
    }
  },
};
