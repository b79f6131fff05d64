/** `data "managed_api_key"`: a key's metadata by id (GET /v1/keys/{id}); never the secret. */
import { constraintId } from '@managed-dev/contract';
import { DiagnosticError, type DataSourceDefinition } from '../../framework';
import { failWithApiFailure } from '../api-diagnostics';
import type { ManagedContext } from '../context';
import { apiKeyDataSourceSchema } from '../schemas';

export const apiKeyDataSource: DataSourceDefinition<ManagedContext> = {
  schema: apiKeyDataSourceSchema,

  async read({ client, config, diagnostics, signal }) {
    const id = config.id as string;
    let record;
    try {
      record = await client.api(signal).getKey(id);
    } catch (error) {
      failWithApiFailure(diagnostics, `read API key ${id}`, error);
    }
    if (record === null) {
      throw new DiagnosticError('API key not found', `There is no API key with id "${id}" that the provider's token can see.`);
    }
    return {
      id: record.id,
      name: record.name,
      description: record.description ?? null,
      preset: record.preset ?? null,
      scopes: [...record.scopes].sort(),
      effective_scopes: [...record.effective_scopes].sort(),
      team_id: constraintId(record.constraint, 'team_id'),
      project_id: constraintId(record.constraint, 'project_id'),
      site_id: constraintId(record.constraint, 'site_id'),
      ip_allowlist: [...(record.ip_allowlist ?? [])].sort(),
      status: record.status,
      principal_id: record.principal_id ?? null,
      created_at: record.created_at,
      expires_at: record.expires_at,
      revoked_at: record.revoked_at ?? null,
      last_used_at: record.last_used_at ?? null,
      last_used_ip: record.last_used_ip ?? null,
    };
  },
};
