/**
 * How the resource routes name their target for the one authorization decision: each resolver
 * loads the row the path names and says where it sits in the tree. A missing, deleted or
 * malformed id resolves to null, which the decision answers with the same 404 as a resource that
 * is hidden by account, reach or constraint.
 */
import type { Caller, TargetResource } from '../../domain/authorization';
import type { Principal } from '../../storage/principal-repository';
import type { PageRequest } from '../../services/tree-service';
import type { Project, Site, Team } from '../../storage/tree-repository';
import type { JsonSchema, ResolvedTarget, RouteRequest } from '../route-definition';

type ResolveInput = Pick<RouteRequest, 'params' | 'services' | 'caller'>;

export async function resolveTeam({ params, services }: ResolveInput): Promise<ResolvedTarget<Team> | null> {
  const team = await services.tree.findTeam(params.id!);
  return team ? { resource: { accountId: team.accountId, placement: { teamId: team.id } }, value: team } : null;
}

export async function resolveProject({ params, services }: ResolveInput): Promise<ResolvedTarget<Project> | null> {
  const project = await services.tree.findProject(params.id!);
  return project ? { resource: { accountId: project.accountId, placement: { teamId: project.teamId, projectId: project.id } }, value: project } : null;
}

/**
 * Sites come from the repository's cache as one frozen object per site until the next database
 * write, and every site route resolves one on every request; what a site resolves to is made once
 * per such object and shared (frozen), so a request allocates nothing here. A changed site is a
 * new object and resolves afresh.
 */
const resolvedSites = new WeakMap<Site, ResolvedTarget<Site>>();
function siteTarget(site: Site): ResolvedTarget<Site> {
  let resolved = resolvedSites.get(site);
  if (!resolved) {
    const placement = Object.freeze({ teamId: site.teamId, projectId: site.projectId, siteId: site.id });
    resolved = Object.freeze({ resource: Object.freeze({ accountId: site.accountId, placement }), value: site });
    resolvedSites.set(site, resolved);
  }
  return resolved;
}

/**
 * The site cache hands out the same promise for a site until the database changes, so what a
 * settled one resolved to is kept beside it: a cache hit then resolves synchronously, and the rest
 * of the request (authorization, handler, response) runs without waiting on a promise. A promise
 * the cache no longer hands out is simply never asked about again.
 */
const settledSites = new WeakMap<Promise<Site | undefined>, ResolvedTarget<Site> | null>();

export function resolveSite({ params, services }: ResolveInput): ResolvedTarget<Site> | null | Promise<ResolvedTarget<Site> | null> {
  const loading = services.tree.findSite(params.id!);
  const settled = settledSites.get(loading);
  if (settled !== undefined) return settled;
  return loading.then((site) => {
    const resolved = site ? siteTarget(site) : null;
    settledSites.set(loading, resolved);
    return resolved;
  });
}

/**
 * Account-wide changes (creating a team, managing principals) sit at the root of the tree, which
 * no constrained key reaches: a key pinned to a team cannot create teams or hand out roles.
 */
export function accountWideTarget(caller: Caller | null): TargetResource {
  return { accountId: caller!.accountId, accountWide: true };
}

/** A live principal of any account; the decision hides other accounts' principals. */
export async function resolvePrincipal({ params, services }: ResolveInput): Promise<ResolvedTarget<Principal> | null> {
  const principal = await services.principals.findById(params.id!);
  return principal && principal.deletedAt === null ? { resource: { accountId: principal.accountId, accountWide: true }, value: principal } : null;
}

export const DEFAULT_PAGE_SIZE = 50;

export const listQuerySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE },
    cursor: { type: 'string', minLength: 1, maxLength: 400 },
  },
};

export function pageLimit(query: Readonly<Record<string, unknown>>): number {
  return (query.limit as number | undefined) ?? DEFAULT_PAGE_SIZE;
}

/** `limit` and `cursor` of a query validated against listQuerySchema. */
export function pageRequest(query: Readonly<Record<string, unknown>>): PageRequest {
  return { limit: pageLimit(query), ...(query.cursor !== undefined ? { cursor: query.cursor as string } : {}) };
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** `{items, next_cursor}` for the OpenAPI document. */
export function pageSchema(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: { items: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
  };
}
