/**
 * The authorization matrix, generated from THE route table (docs/guides/api.md#authorization-one-decision, docs/guides/api.md#endpoints): every authenticated
 * endpoint × (key with / without the route's scope) × (target inside the key's constraint /
 * outside it / in another account / nonexistent) →
 *   2xx                                   inside, with the scope
 *   403 insufficient_scope + WWW-Authenticate naming the scope   inside, without it
 *   404, identical in status, body (but `instance`) and headers   everything else
 * Routes without a target in the path are checked with and without the scope.
 */
import { newId } from '@managed-dev/contract';
import type { AnyRouteDefinition } from '../../../control-plane/src/http/route-definition';
import { ROUTES } from '../../../control-plane/src/http/route-table';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { ApiResponse, api, apiClient } from '../../support/http';
import { createPrincipal, createProject, createSite, createTeam, mintKey, seedBranch, SeededBranch } from '../../support/resource-tree';

type TargetKind = 'team' | 'project' | 'site' | 'key' | 'principal';
type Placement = 'inside' | 'outside' | 'other_account' | 'nonexistent';
const PLACEMENTS: Placement[] = ['inside', 'outside', 'other_account', 'nonexistent'];

/** What `{id}` names, from the first path segment after /v1. */
function targetKind(route: AnyRouteDefinition): TargetKind | null {
  if (!route.path.includes('{id}')) return null;
  const segment = route.path.split('/')[2];
  const kinds: Record<string, TargetKind> = { teams: 'team', projects: 'project', sites: 'site', keys: 'key', principals: 'principal' };
  const kind = kinds[segment!];
  if (!kind) throw new Error(`the matrix does not know what {id} names in ${route.path}; teach targetKind`);
  return kind;
}

const routeName = (route: AnyRouteDefinition) => `${route.method.toUpperCase()} ${route.path}`;
let unique = 0;
const fresh = (prefix: string) => `${prefix}-${++unique}`;

/**
 * A valid body for every route that takes one. A route added to the table without an entry here
 * fails the coverage test below, so the matrix grows with the API.
 */
const BODIES: Record<string, () => unknown> = {
  'POST /v1/keys': () => ({ name: fresh('minted'), scopes: ['keys:write'] }),
  'PATCH /v1/keys/{id}': () => ({ name: fresh('renamed') }),
  'POST /v1/keys/{id}/rotate': () => ({}),
  'POST /v1/principals': () => ({ name: fresh('bot'), kind: 'service', role: 'viewer' }),
  'PATCH /v1/principals/{id}': () => ({ name: fresh('renamed') }),
  'POST /v1/teams': () => ({ name: fresh('team') }),
  'PATCH /v1/teams/{id}': () => ({ name: fresh('team') }),
  'POST /v1/teams/{id}/projects': () => ({ name: fresh('project') }),
  'PATCH /v1/projects/{id}': () => ({ name: fresh('project') }),
  'POST /v1/projects/{id}/sites': () => ({ name: fresh('site') }),
  'PATCH /v1/sites/{id}': () => ({ name: fresh('site') }),
  'POST /v1/sites/{id}/deploys': () => ({ ref: 'main' }),
  'POST /v1/sites/{id}/domains': () => ({ hostname: `${fresh('www')}.example.com` }),
  'PUT /v1/sites/{id}/env': () => ({ variables: { NODE_ENV: 'production' } }),
  'POST /v1/sites/{id}/backups': () => ({ label: 'nightly' }),
  'POST /v1/sites/{id}/wp/cache-flush': () => ({ paths: ['/'] }),
  'POST /v1/sites/{id}/credentials': () => ({ name: fresh('sftp'), username: 'deploy', password: 'correct horse battery' }),
  'POST /v1/sites/{id}/exec': () => ({ command: ['wp', 'cache', 'flush'] }),
};

/**
 * Routes about the dashboard session a request came with: the matrix calls them through a session
 * the key opened (cookie + CSRF token). Their attacks are in routes/session-routes.test.ts.
 */
const THROUGH_SESSION = new Set(['GET /v1/sessions/current', 'DELETE /v1/sessions/current']);

const authenticated = ROUTES.filter((route) => !route.public);
const withTarget = authenticated.filter((route) => targetKind(route) !== null);
const withoutTarget = authenticated.filter((route) => targetKind(route) === null);

describe('authorization matrix (generated from the route table)', () => {
  let cp: TestControlPlane;
  let owner: ReturnType<typeof apiClient>;
  let otherOwner: ReturnType<typeof apiClient>;
  let inside: SeededBranch;
  let outside: SeededBranch;
  let other: SeededBranch;
  const ids = { otherKey: '', otherPrincipal: '', memberPrincipal: '' };
  const keyCache = new Map<string, string>();

  beforeAll(async () => {
    cp = await startControlPlane();
    owner = apiClient(cp.url, cp.ownerKey);
    const otherAccount = await cp.server.services.keyService.createAccountWithOwner('other-account', new Date());
    otherOwner = apiClient(cp.url, otherAccount.secret);
    inside = await seedBranch(owner, 'inside');
    outside = await seedBranch(owner, 'outside');
    other = await seedBranch(otherOwner, 'other');
    ids.otherKey = (await mintKey(otherOwner, { name: 'other-key', scopes: ['sites:read'] })).id;
    ids.otherPrincipal = otherAccount.principalId;
    ids.memberPrincipal = await createPrincipal(owner, { name: 'member', kind: 'user', role: 'member' });
  });
  afterAll(() => cp.close());

  /** A key of the owner with exactly these scopes and constraint (cached: many routes share one). */
  async function keyWith(scopes: string[], constraint: Record<string, string> | null): Promise<string> {
    const cacheKey = JSON.stringify([scopes, constraint]);
    let secret = keyCache.get(cacheKey);
    if (!secret) {
      secret = (await mintKey(owner, { name: fresh('matrix'), scopes, ...(constraint ? { constraint } : {}) })).secret;
      keyCache.set(cacheKey, secret);
    }
    return secret;
  }

  /** Cookie and CSRF headers of a fresh dashboard session opened with this key. */
  async function sessionHeaders(key: string): Promise<Record<string, string>> {
    const opened = await api(cp.url, 'POST', '/v1/sessions', { key });
    expect(opened.status).toBe(201);
    return { cookie: (opened.headers.get('set-cookie') ?? '').split(';', 1)[0]!, 'x-csrf-token': opened.body.csrf_token };
  }

  /** The resource `{id}` names for a placement; destructive routes get a fresh one each time. */
  async function targetId(route: AnyRouteDefinition, kind: TargetKind, placement: Placement): Promise<string> {
    const destructive = route.method === 'delete' || route.path.endsWith('/rotate');
    const ownFresh = placement === 'inside' && destructive;
    switch (kind) {
      case 'team':
        if (placement === 'nonexistent') return newId('team');
        if (placement === 'other_account') return other.teamId;
        if (placement === 'outside') return outside.teamId;
        // Deleting a team needs an empty one; its key is then constrained to that team.
        return ownFresh && route.path === '/v1/teams/{id}' ? createTeam(owner, fresh('doomed')) : inside.teamId;
      case 'project':
        if (placement === 'nonexistent') return newId('project');
        if (placement === 'other_account') return other.projectId;
        if (placement === 'outside') return outside.projectId;
        return ownFresh ? createProject(owner, inside.teamId, fresh('doomed')) : inside.projectId;
      case 'site':
        if (placement === 'nonexistent') return newId('site');
        if (placement === 'other_account') return other.siteId;
        if (placement === 'outside') return outside.siteId;
        return ownFresh && route.path === '/v1/sites/{id}' ? createSite(owner, inside.projectId, fresh('doomed')) : inside.siteId;
      case 'key':
        if (placement === 'nonexistent') return newId('key');
        if (placement === 'other_account') return ids.otherKey;
        // A key the route-scoped caller could mint itself (keys:write), since acting on a key
        // needs that authority (test/control-plane/http/key-authority.test.ts covers refusals).
        return (
          await mintKey(owner, {
            name: fresh('target'),
            scopes: ['keys:write'],
            constraint: { site_id: placement === 'inside' ? inside.siteId : outside.siteId },
            // Only ephemeral keys can be renewed, and only by a caller that could mint them as they
            // stand: the matrix's caller holds just the route's scope, so that is all the target holds.
            ...(route.path.endsWith('/renew') ? { ephemeral: true, ttl: '1h', scopes: ['keys:write'] } : {}),
          })
        ).id;
      case 'principal':
        if (placement === 'nonexistent') return newId('principal');
        if (placement === 'other_account') return ids.otherPrincipal;
        return createPrincipal(owner, { name: fresh('target'), kind: 'service', role: 'viewer' });
    }
  }

  /**
   * The constraint of the caller's key. Principals are account-wide, so "inside" is an
   * unconstrained key and "outside" a team-constrained one; everything else is inside the
   * constraint when it lies in the `inside` team.
   */
  function callerConstraint(route: AnyRouteDefinition, kind: TargetKind, placement: Placement, target: string): Record<string, string> | null {
    if (kind === 'principal') return placement === 'inside' ? null : { team_id: inside.teamId };
    if (kind === 'team' && placement === 'inside' && target !== inside.teamId) return { team_id: target };
    return { team_id: inside.teamId };
  }

  async function concretePath(route: AnyRouteDefinition, id: string, placement: Placement): Promise<string> {
    let path = route.path.replace('{id}', id);
    if (path.includes('{principal_id}')) path = path.replace('{principal_id}', ids.memberPrincipal);
    if (path.includes('{domain}')) {
      // Hidden cases share one hostname so their 404s can be compared byte for byte.
      const hostname = placement === 'inside' ? `${fresh('gone')}.example.com` : 'hidden.example.com';
      if (placement === 'inside') await owner.post(`/v1/sites/${id}/domains`, { json: { hostname } });
      path = path.replace('{domain}', hostname);
    }
    return path;
  }

  function otherScopeThan(scope: string): string {
    return scope === 'account:read' ? 'teams:read' : 'account:read';
  }

  it('has a body for every route that takes one, and knows every target kind', () => {
    const missing = ROUTES.filter((r) => r.bodySchema && (r.bodyRequired ?? true) && !BODIES[routeName(r)]).map(routeName);
    expect(missing).toEqual([]);
    expect(withTarget.length).toBeGreaterThan(30);
  });

  const targetCases = withTarget.flatMap((route) =>
    (route.scope === null ? [true] : [true, false]).flatMap((holdsScope) => PLACEMENTS.map((placement) => ({ route, holdsScope, placement }))),
  );
  const plainCases = withoutTarget.flatMap((route) => (route.scope === null ? [true] : [true, false]).map((holdsScope) => ({ route, holdsScope })));

  it('generates at least 200 cases', () => {
    expect(targetCases.length + plainCases.length).toBeGreaterThanOrEqual(200);
  });

  function expectDocumentedSuccess(route: AnyRouteDefinition, response: ApiResponse) {
    const documented = Object.keys(route.responses)
      .map(Number)
      .filter((status) => status < 300);
    // Reported with the body so a failure says why, not just which status came back.
    expect(documented.includes(response.status) ? 'documented 2xx' : `${response.status} ${response.text}`).toBe('documented 2xx');
  }

  /** The reference 404 of each route (nonexistent id), to compare the other hidden causes with. */
  const reference404 = new Map<string, ApiResponse>();

  function expectSame404(actual: ApiResponse, reference: ApiResponse) {
    expect(actual.status).toBe(404);
    const strip = ({ instance, ...rest }: Record<string, unknown>) => rest;
    expect(strip(actual.body)).toEqual(strip(reference.body));
    expect(typeof actual.body.instance).toBe('string');
    const headers = (r: ApiResponse) => [...r.headers.entries()].filter(([name]) => name !== 'date');
    expect(headers(actual)).toEqual(headers(reference));
  }

  // Nonexistent first, so every other hidden case has a reference to be compared with.
  const ordered = [...targetCases].sort((a, b) => Number(b.placement === 'nonexistent') - Number(a.placement === 'nonexistent'));

  it.each(ordered.map((c) => [routeName(c.route), c.holdsScope ? 'with scope' : 'without scope', c.placement, c] as const))(
    '%s %s, target %s',
    async (_name, _scope, _placement, { route, holdsScope, placement }) => {
      const kind = targetKind(route)!;
      const id = await targetId(route, kind, placement);
      const scope = route.scope ?? 'account:read';
      const key = await keyWith([holdsScope ? scope : otherScopeThan(scope)], callerConstraint(route, kind, placement, id));
      const path = await concretePath(route, id, placement);
      const body = BODIES[routeName(route)]?.();
      const response = await api(cp.url, route.method.toUpperCase(), path, { key, ...(body !== undefined ? { json: body } : {}) });

      if (placement === 'inside' && holdsScope) {
        expectDocumentedSuccess(route, response);
      } else if (placement === 'inside') {
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ code: 'insufficient_scope', required_scope: scope });
        expect(response.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="${scope}"`);
      } else {
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('not_found');
        const referenceKey = routeName(route);
        const reference = reference404.get(referenceKey);
        if (reference) expectSame404(response, reference);
        else reference404.set(referenceKey, response);
      }
    },
  );

  it.each(plainCases.map((c) => [routeName(c.route), c.holdsScope ? 'with scope' : 'without scope', c] as const))(
    '%s %s',
    async (_name, _scope, { route, holdsScope }) => {
      const scope = route.scope;
      const key = await keyWith(scope === null ? ['account:read'] : [holdsScope ? scope : otherScopeThan(scope)], null);
      const body = BODIES[routeName(route)]?.();
      const credentials = THROUGH_SESSION.has(routeName(route)) ? { headers: await sessionHeaders(key) } : { key };
      const response = await api(cp.url, route.method.toUpperCase(), route.path, { ...credentials, ...(body !== undefined ? { json: body } : {}) });
      if (holdsScope) {
        expectDocumentedSuccess(route, response);
      } else {
        expect(response.status).toBe(403);
        expect(response.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="${scope}"`);
      }
    },
  );

  it('answers every 404 cause with the same headers and body as the unknown-route 404 (apart from instance)', async () => {
    const key = await keyWith(['sites:read'], { team_id: inside.teamId });
    const hidden = await api(cp.url, 'GET', `/v1/sites/${outside.siteId}`, { key });
    // Same path length, so even Content-Length must match.
    const unknownRoute = await api(cp.url, 'GET', `/v1/sitez/${outside.siteId}`, { key });
    expectSame404(hidden, unknownRoute);
  });
});
