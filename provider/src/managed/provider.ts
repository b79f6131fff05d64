/**
 * The managed.dev provider definition handed to the framework's `serve`.
 * Configuration: `endpoint` / `token`, each falling back to MANAGED_ENDPOINT / MANAGED_TOKEN.
 */
import { AttributePath, isUnknown, log, type ProviderDefinition } from '../framework';
import { ManagedApiClient, type LogLevel } from './client/api-client';
import { ManagedContext } from './context';
import { apiKeyResource } from './resources/api-key-resource';
import { apiKeyDataSource } from './data-sources/api-key-data-source';
import { scopesDataSource } from './data-sources/scopes-data-source';
import { ephemeralApiKeyResource } from './ephemeral-resources/api-key-ephemeral';
import { presetScopesFunction } from './functions/preset-scopes';
import { providerSchema } from './schemas';
import { PROVIDER_ADDRESS } from './address';
import { version as packageVersion } from '../../../package.json';

export const PROVIDER_VERSION = packageVersion;

const logAt: Record<LogLevel, (message: string) => void> = {
  TRACE: log.debug,
  DEBUG: log.debug,
  INFO: log.info,
  WARN: log.warn,
  ERROR: log.error,
};

function endpointProblem(endpoint: string): string | undefined {
  try {
    const url = new URL(endpoint);
    if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
  } catch {
    // fall through
  }
  return `"${endpoint}" is not an http(s) URL; write it like "https://api.managed.dev" or "http://127.0.0.1:8080".`;
}

export function createManagedProvider(env: Record<string, string | undefined> = process.env): ProviderDefinition<ManagedContext> {
  return {
    typeName: 'managed',
    address: PROVIDER_ADDRESS,
    version: PROVIDER_VERSION,
    schema: providerSchema,

    validateConfig({ config, diagnostics }) {
      if (typeof config.endpoint === 'string') {
        const problem = endpointProblem(config.endpoint);
        if (problem) diagnostics.error('Invalid endpoint', problem, AttributePath.root('endpoint'));
      }
      if (typeof config.token === 'string' && !config.token.startsWith('mdk_')) {
        diagnostics.error('Invalid token', 'managed.dev API keys start with "mdk_"; check that the whole key was copied.', AttributePath.root('token'));
      }
    },

    configure({ config, terraformVersion, diagnostics }) {
      if (isUnknown(config.endpoint) || isUnknown(config.token)) {
        return new ManagedContext(undefined, 'The provider\'s endpoint or token depends on a value known only after apply; make it known at plan time.');
      }
      const endpoint = typeof config.endpoint === 'string' ? config.endpoint : env.MANAGED_ENDPOINT;
      const token = typeof config.token === 'string' ? config.token : env.MANAGED_TOKEN;
      if (!endpoint) {
        diagnostics.error('Missing endpoint', 'Set `endpoint` in the provider "managed" block or the MANAGED_ENDPOINT environment variable.', AttributePath.root('endpoint'));
      } else if (endpointProblem(endpoint)) {
        diagnostics.error('Invalid endpoint', endpointProblem(endpoint), AttributePath.root('endpoint'));
      }
      if (!token) {
        diagnostics.error('Missing token', 'Set `token` in the provider "managed" block or the MANAGED_TOKEN environment variable (an API key with keys:read and keys:write).', AttributePath.root('token'));
      }
      if (!endpoint || !token || diagnostics.hasErrors()) return new ManagedContext(undefined, 'The provider is not configured.');
      const client = new ManagedApiClient({
        endpoint,
        token,
        userAgent: `terraform-provider-managed/${PROVIDER_VERSION} terraform/${terraformVersion || 'unknown'}`,
        log: (level, message) => logAt[level](message),
      });
      return new ManagedContext(client, '');
    },

    resources: { managed_api_key: apiKeyResource },
    dataSources: { managed_scopes: scopesDataSource, managed_api_key: apiKeyDataSource },
    ephemeralResources: { managed_api_key: ephemeralApiKeyResource() },
    functions: { preset_scopes: presetScopesFunction },
  };
}
