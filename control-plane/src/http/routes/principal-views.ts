/** How a principal looks on the wire, and its schema for the OpenAPI document. */
import type { Principal } from '../../storage/principal-repository';
import type { AppServices } from '../../services/app-services';
import type { JsonSchema } from '../route-definition';
import { iso } from './resource-targets';

export const principalSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'kind', 'role', 'team_ids', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { enum: ['user', 'service'] },
    role: { enum: ['owner', 'admin', 'member', 'viewer'] },
    team_ids: { type: 'array', items: { type: 'string' } },
    created_at: { type: 'string', format: 'date-time' },
  },
};

/** The principal with the teams it belongs to now (one query). */
export async function renderPrincipal(principal: Principal, services: AppServices) {
  const teamIds = await services.tree.teamIdsOf(principal.id);
  return {
    id: principal.id,
    name: principal.name,
    kind: principal.kind,
    role: principal.role,
    team_ids: teamIds.sort(),
    created_at: iso(principal.createdAt),
  };
}
