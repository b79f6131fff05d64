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
import { checkSecret } from '@managed-dev/contract';

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

const TOKEN_SOURCES = {
  attribute: 'the `token` argument of the provider "managed" block',
  environment: 'the MANAGED_TOKEN environment variable',
} as const;

/**
 * The offline check of a token (shape and CRC32 checksum, the same the control plane runs
 * before any lookup), so a mistyped key fails at plan time on the provider block, before any
 * resource. Shows at most the first 8 characters: a mistyped key is still mostly a secret.
 */
export function tokenProblem(token: string, source: string): string | undefined {
  const check = checkSecret(token);
  if (check.ok) return undefined;
  const shown = token.length > 8 ? `${token.slice(0, 8)}…` : token;
  const why =
    check.reason === 'checksum'
      ? 'its checksum does not match, so it was mistyped or cut'
      : 'managed.dev API keys are "mdk_" followed by 46 letters and digits';
  return `The token "${shown}" (${token.length} characters) from ${source} is not a managed.dev API key: ${why}. Copy the whole key again.`;
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
      if (typeof config.token === 'string') {
        const problem = tokenProblem(config.token, TOKEN_SOURCES.attribute);
        if (problem) diagnostics.error('Invalid token', problem, AttributePath.root('token'));
      }
    },

    configure({ config, terraformVersion, diagnostics }) {
      if (isUnknown(config.endpoint) || isUnknown(config.token)) {
        return new ManagedContext(undefined, "The provider's endpoint or token depends on a value known only after apply; make it known at plan time.");
      }
      const endpoint = typeof config.endpoint === 'string' ? config.endpoint : env.MANAGED_ENDPOINT;
      const tokenFromAttribute = typeof config.token === 'string';
      const token = tokenFromAttribute ? (config.token as string) : env.MANAGED_TOKEN;
      const credentialSource = tokenFromAttribute ? TOKEN_SOURCES.attribute : TOKEN_SOURCES.environment;
      if (!endpoint) {
        diagnostics.error(
          'Missing endpoint',
          'Set `endpoint` in the provider "managed" block or the MANAGED_ENDPOINT environment variable.',
          AttributePath.root('endpoint'),
        );
      } else if (endpointProblem(endpoint)) {
        diagnostics.error('Invalid endpoint', endpointProblem(endpoint), AttributePath.root('endpoint'));
      }
      if (!token) {
        diagnostics.error(
          'Missing token',
          'Set `token` in the provider "managed" block or the MANAGED_TOKEN environment variable (an API key with keys:read and keys:write).',
          AttributePath.root('token'),
        );
      } else if (!tokenFromAttribute) {
        // The attribute was checked by validateConfig already; the environment is seen only here.
        const problem = tokenProblem(token, credentialSource);
        if (problem) diagnostics.error('Invalid token in MANAGED_TOKEN', problem);
      }
      if (!endpoint || !token || diagnostics.hasErrors()) return new ManagedContext(undefined, 'The provider is not configured.');
      const client = new ManagedApiClient({
        endpoint,
        token,
        credentialSource,
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
