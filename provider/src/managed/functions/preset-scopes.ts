/**
 * `provider::managed::preset_scopes(name)`: the scopes a preset grants, from the same catalog
 * the control plane enforces (schema/scopes.json through the domain), so the answer never needs
 * the network and is the same at plan and apply (Terraform checks that functions are pure).
 */
import { FunctionError, types, type FunctionDefinition } from '../../framework';
import { PRESET_NAMES, presetScopes } from '@managed-dev/contract';
import { suggestPreset } from '../validation';

export const presetScopesFunction: FunctionDefinition = {
  summary: 'The scopes a preset grants',
  description:
    'Returns the scopes of a managed.dev key preset (read-only, deploy-bot, ci-terraform, observability, wp-automation), ' +
    "for example to compare them with a key's effective_scopes or to extend a preset in `scopes`. An unknown name is an error naming the nearest preset.",
  parameters: [{ name: 'name', type: types.string, description: 'The preset name, e.g. "deploy-bot".' }],
  returnType: types.list(types.string),
  run([name]) {
    const scopes = typeof name === 'string' ? presetScopes(name) : undefined;
    if (scopes) return [...scopes];
    const suggestion = typeof name === 'string' ? suggestPreset(name) : undefined;
    throw new FunctionError(
      `There is no preset named "${String(name)}"${suggestion ? `; did you mean "${suggestion}"?` : '.'} Presets: ${PRESET_NAMES.join(', ')}`,
      0,
    );
  },
};
