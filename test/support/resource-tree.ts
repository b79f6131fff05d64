/**
 * Seeds teams, projects and sites over HTTP (with a key holding teams:write, projects:write and
 * sites:write, e.g. the bootstrap owner key) and mints keys, for tests that need a resource tree.
 */
import { apiClient } from './http';

type Client = ReturnType<typeof apiClient>;

export interface SeededBranch {
  readonly teamId: string;
  readonly projectId: string;
  readonly siteId: string;
}

async function created(response: Promise<{ status: number; body: any; text: string }>, what: string): Promise<any> {
  const r = await response;
  if (r.status !== 201) throw new Error(`creating ${what} answered ${r.status}: ${r.text}`);
  return r.body;
}

export async function createTeam(client: Client, name: string): Promise<string> {
  return (await created(client.post('/v1/teams', { json: { name } }), `team ${name}`)).id;
}

export async function createProject(client: Client, teamId: string, name: string): Promise<string> {
  return (await created(client.post(`/v1/teams/${teamId}/projects`, { json: { name } }), `project ${name}`)).id;
}

export async function createSite(client: Client, projectId: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await created(client.post(`/v1/projects/${projectId}/sites`, { json: { name, ...extra } }), `site ${name}`)).id;
}

/** team `<prefix>-team` → project `<prefix>-project` → site `<prefix>-site`. */
export async function seedBranch(client: Client, prefix: string): Promise<SeededBranch> {
  const teamId = await createTeam(client, `${prefix}-team`);
  const projectId = await createProject(client, teamId, `${prefix}-project`);
  const siteId = await createSite(client, projectId, `${prefix}-site`);
  return { teamId, projectId, siteId };
}

/** Mints a key and returns its id and secret; throws with the problem body when refused. */
export async function mintKey(client: Client, body: Record<string, unknown>): Promise<{ id: string; secret: string; record: any }> {
  const record = await created(client.post('/v1/keys', { json: body }), `key ${String(body.name)}`);
  return { id: record.id, secret: record.secret, record };
}

export async function createPrincipal(client: Client, body: { name: string; kind: 'user' | 'service'; role: string }): Promise<string> {
  return (await created(client.post('/v1/principals', { json: body }), `principal ${body.name}`)).id;
}
