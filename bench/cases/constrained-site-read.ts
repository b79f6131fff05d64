/**
 * Issue 3's benchmark case: an authenticated `GET /v1/sites/{id}` with a site-constrained key, so
 * every request runs the full decision (key lookup by HMAC, principal's current role ceiling,
 * target ancestry, constraint, scope) plus the IP allowlist and the last-used throttle.
 */
import type { BenchRequest } from '../support/measure';
import type { ControlPlaneProcess } from '../support/processes';
import { createAsOwner } from '../support/requests';

export const constrainedSiteReadCase = {
  name: 'GET /v1/sites/{id} (constrained key)',
  connections: 64,
  prepare: async (controlPlane: ControlPlaneProcess): Promise<BenchRequest> => {
    const team = await createAsOwner(controlPlane, '/v1/teams', { name: 'bench-team' });
    const project = await createAsOwner(controlPlane, `/v1/teams/${team.id}/projects`, { name: 'bench-project' });
    const site = await createAsOwner(controlPlane, `/v1/projects/${project.id}/sites`, { name: 'bench-site' });
    // A second branch so the constraint check has something to tell apart.
    const other = await createAsOwner(controlPlane, `/v1/teams/${team.id}/projects`, { name: 'bench-other' });
    await createAsOwner(controlPlane, `/v1/projects/${other.id}/sites`, { name: 'bench-other-site' });
    const key = await createAsOwner(controlPlane, '/v1/keys', {
      name: 'bench-site-reader',
      preset: 'observability',
      constraint: { site_id: site.id },
      ip_allowlist: ['127.0.0.1/32', '::1/128'],
    });
    return { method: 'GET', path: `/v1/sites/${site.id}`, headers: { authorization: `Bearer ${key.secret}` } };
  },
};
