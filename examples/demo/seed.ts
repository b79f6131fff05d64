/**
 * The data the ci-deploy-acme story needs: team acme with a project and a site, and team another
 * with the same, created through the API with an owner key.
 */
import { ManagedApi } from './api';

export interface TeamWithSite {
  readonly teamId: string;
  readonly projectId: string;
  readonly siteId: string;
}

export interface DemoSeed {
  readonly acme: TeamWithSite;
  readonly another: TeamWithSite;
}

export async function seedTeams(owner: ManagedApi): Promise<DemoSeed> {
  return {
    acme: await createTeamWithSite(owner, 'acme', 'web', 'www-acme'),
    another: await createTeamWithSite(owner, 'another', 'shop', 'www-another'),
  };
}

async function createTeamWithSite(owner: ManagedApi, team: string, project: string, site: string): Promise<TeamWithSite> {
  const { id: teamId } = await owner.expect(201, 'POST', '/teams', { name: team });
  const { id: projectId } = await owner.expect(201, 'POST', `/teams/${teamId}/projects`, { name: project });
  const { id: siteId } = await owner.expect(201, 'POST', `/projects/${projectId}/sites`, { name: site });
  return { teamId, projectId, siteId };
}
