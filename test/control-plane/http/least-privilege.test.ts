/**
 * Down-scoping at request time (demotion, promotion, deletion) and at mint time (escalation by a
 * keys:write key), docs/guides/scopes.md; and another account's ids anywhere in a request (docs/guides/api.md#domain).
 */
import { newId } from '@managed-dev/contract';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { createPrincipal, mintKey, seedBranch, SeededBranch } from '../../support/resource-tree';

describe('least privilege', () => {
  let cp: TestControlPlane;
  let owner: ReturnType<typeof apiClient>;
  let branch: SeededBranch;
  let sibling: SeededBranch;

  beforeEach(async () => {
    cp = await startControlPlane();
    owner = apiClient(cp.url, cp.ownerKey);
    branch = await seedBranch(owner, 'main');
    sibling = await seedBranch(owner, 'sibling');
  });
  afterEach(() => cp.close());

  async function keyCount(): Promise<number> {
    const response = await owner.get('/v1/keys?limit=100');
    return response.body.items.length;
  }

  test('demoting a principal shrinks its keys at once; promotion restores them', async () => {
    const adminId = await createPrincipal(owner, { name: 'ci', kind: 'service', role: 'admin' });
    // A member of the site's team, so the site stays within its reach as a viewer (docs/guides/api.md#domain).
    expect((await owner.put(`/v1/teams/${branch.teamId}/members/${adminId}`)).status).toBe(200);
    const key = await mintKey(owner, { name: 'ci-sites', scopes: ['sites:read', 'sites:write'], principal_id: adminId });
    const ci = apiClient(cp.url, key.secret);

    expect((await ci.patch(`/v1/sites/${branch.siteId}`, { json: { name: 'renamed-1' } })).status).toBe(200);

    expect((await owner.patch(`/v1/principals/${adminId}`, { json: { role: 'viewer' } })).status).toBe(200);
    const denied = await ci.patch(`/v1/sites/${branch.siteId}`, { json: { name: 'renamed-2' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('insufficient_scope');
    expect(denied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="sites:write"');
    // Reading is still inside the viewer ceiling, and the stored scopes did not change.
    expect((await ci.get(`/v1/sites/${branch.siteId}`)).status).toBe(200);
    const record = (await owner.get(`/v1/keys/${key.id}`)).body;
    expect(record.scopes).toEqual(['sites:read', 'sites:write']);
    expect(record.effective_scopes).toEqual(['sites:read']);

    expect((await owner.patch(`/v1/principals/${adminId}`, { json: { role: 'admin' } })).status).toBe(200);
    expect((await ci.patch(`/v1/sites/${branch.siteId}`, { json: { name: 'renamed-3' } })).status).toBe(200);
  });

  test('deleting a principal makes all of its keys 401, and their records stay readable', async () => {
    const botId = await createPrincipal(owner, { name: 'bot', kind: 'service', role: 'member' });
    const first = await mintKey(owner, { name: 'bot-1', scopes: ['sites:read'], principal_id: botId });
    const second = await mintKey(owner, { name: 'bot-2', preset: 'deploy-bot', principal_id: botId });
    expect((await apiClient(cp.url, first.secret).get('/v1/whoami')).status).toBe(200);

    expect((await owner.delete(`/v1/principals/${botId}`)).status).toBe(204);
    for (const secret of [first.secret, second.secret]) {
      const response = await apiClient(cp.url, secret).get(`/v1/sites/${branch.siteId}`);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('invalid_token');
    }
    expect((await owner.get(`/v1/keys/${first.id}`)).status).toBe(200);
    const members = (await owner.get('/v1/members')).body.items.map((m: { id: string }) => m.id);
    expect(members).not.toContain(botId);
  });

  test('a keys:write key cannot escalate; each attempt is a 403 listing the offenders and mints nothing', async () => {
    const adminId = await createPrincipal(owner, { name: 'minter', kind: 'service', role: 'admin' });
    const ownerSa = await createPrincipal(owner, { name: 'root-bot', kind: 'service', role: 'owner' });
    const minterKey = await mintKey(owner, {
      name: 'minter',
      scopes: ['keys:write', 'keys:read', 'sites:read', 'deploys:read'],
      constraint: { project_id: branch.projectId },
      principal_id: adminId,
    });
    const minter = apiClient(cp.url, minterKey.secret);
    const before = await keyCount();

    const attempts: Array<{ body: Record<string, unknown>; offenders: string[] }> = [
      { body: { scopes: ['sites:read', 'sites:write', 'deploys:write'], constraint: { site_id: branch.siteId } }, offenders: ['/scopes/1', '/scopes/2'] },
      { body: { scopes: ['sites:read'], constraint: { team_id: branch.teamId } }, offenders: ['/constraint/team_id'] },
      { body: { scopes: ['sites:read'] }, offenders: ['/constraint'] },
      { body: { scopes: ['sites:read'], constraint: { site_id: sibling.siteId } }, offenders: ['/constraint/site_id'] },
      { body: { scopes: ['exec:raw', 'credentials:read'], constraint: { site_id: branch.siteId } }, offenders: ['/scopes/0', '/scopes/1'] },
      { body: { preset: 'ci-terraform', constraint: { site_id: branch.siteId } }, offenders: ['/preset'] },
    ];
    for (const attempt of attempts) {
      const response = await minter.post('/v1/keys', { json: { name: 'escalation', ...attempt.body } });
      expect({ body: attempt.body, status: response.status }).toEqual({ body: attempt.body, status: 403 });
      expect(response.contentType).toContain('application/problem+json');
      const pointers = [...new Set(response.body.errors.map((e: { pointer: string }) => e.pointer))].sort();
      expect(pointers).toEqual(attempt.offenders);
    }
    const wider = await minter.post('/v1/keys', { json: { name: 'escalation', scopes: ['exec:raw'] } });
    expect(wider.body.offending_scopes).toEqual(['exec:raw']);
    expect(wider.body.offending_constraint).toEqual(['/constraint']);

    // A principal ranked above the minter: refused whoever mints (here the admin's own key).
    const adminWide = await mintKey(owner, { name: 'admin-wide', scopes: ['keys:write', 'sites:read'], principal_id: adminId });
    const higher = await apiClient(cp.url, adminWide.secret).post('/v1/keys', {
      json: { name: 'for-owner-bot', scopes: ['sites:read'], principal_id: ownerSa },
    });
    expect(higher.status).toBe(403);
    expect(higher.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/principal_id');

    // Minted-by-owner adminWide is the only new key besides minterKey.
    expect(await keyCount()).toBe(before + 1);

    // Within its own scopes and constraint the same key may mint.
    const ok = await minter.post('/v1/keys', { json: { name: 'narrower', scopes: ['sites:read'], constraint: { site_id: branch.siteId } } });
    expect(ok.status).toBe(201);
  });

  test('PATCH by a keys:write key is down-scoped the same way', async () => {
    const adminId = await createPrincipal(owner, { name: 'patcher', kind: 'service', role: 'admin' });
    const patcher = apiClient(
      cp.url,
      (await mintKey(owner, { name: 'patcher', scopes: ['keys:write', 'sites:read'], constraint: { project_id: branch.projectId }, principal_id: adminId }))
        .secret,
    );
    const inside = await mintKey(owner, { name: 'inside', scopes: ['sites:read'], constraint: { site_id: branch.siteId } });
    const denied = await patcher.patch(`/v1/keys/${inside.id}`, { json: { scopes: ['sites:read', 'sites:write'] } });
    expect(denied.status).toBe(403);
    expect(denied.body.offending_scopes).toEqual(['sites:write']);
    expect((await owner.get(`/v1/keys/${inside.id}`)).body.scopes).toEqual(['sites:read']);
    // A key outside its constraint is not even visible to it.
    const outside = await mintKey(owner, { name: 'outside', scopes: ['sites:read'] });
    expect((await patcher.patch(`/v1/keys/${outside.id}`, { json: { name: 'x' } })).status).toBe(404);
  });

  test('members:write cannot hand out or touch a role above the actor, nor remove the last owner', async () => {
    const adminId = await createPrincipal(owner, { name: 'people-admin', kind: 'service', role: 'admin' });
    const admin = apiClient(cp.url, (await mintKey(owner, { name: 'people', scopes: ['members:write', 'members:read'], principal_id: adminId })).secret);
    const makeOwner = await admin.post('/v1/principals', { json: { name: 'sneaky', kind: 'user', role: 'owner' } });
    expect(makeOwner.status).toBe(403);
    expect(makeOwner.body.code).toBe('role_not_allowed');
    expect((await admin.patch(`/v1/principals/${adminId}`, { json: { role: 'owner' } })).status).toBe(403);
    expect((await admin.delete(`/v1/principals/${cp.ownerPrincipalId}`)).status).toBe(403);
    const lastOwner = await owner.patch(`/v1/principals/${cp.ownerPrincipalId}`, { json: { role: 'admin' } });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.code).toBe('last_owner');
  });

  test('a member reaches only its teams; team membership widens it', async () => {
    const memberId = await createPrincipal(owner, { name: 'dev', kind: 'service', role: 'member' });
    const dev = apiClient(cp.url, (await mintKey(owner, { name: 'dev', scopes: ['sites:read', 'teams:read'], principal_id: memberId })).secret);
    expect((await dev.get(`/v1/sites/${branch.siteId}`)).status).toBe(404);
    expect((await dev.get('/v1/teams')).body.items).toEqual([]);
    expect((await owner.put(`/v1/teams/${branch.teamId}/members/${memberId}`)).status).toBe(200);
    expect((await dev.get(`/v1/sites/${branch.siteId}`)).status).toBe(200);
    expect((await dev.get(`/v1/sites/${sibling.siteId}`)).status).toBe(404);
    expect((await dev.get('/v1/teams')).body.items.map((t: { id: string }) => t.id)).toEqual([branch.teamId]);
    expect((await owner.delete(`/v1/teams/${branch.teamId}/members/${memberId}`)).status).toBe(204);
    expect((await dev.get(`/v1/sites/${branch.siteId}`)).status).toBe(404);
  });

  test("another account's ids anywhere in a request read exactly like nonexistent ones", async () => {
    const other = await cp.server.services.keyService.createAccountWithOwner('other', new Date());
    const otherOwner = apiClient(cp.url, other.secret);
    const otherBranch = await seedBranch(otherOwner, 'theirs');
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
    const headers = (h: Headers) => [...h.entries()].filter(([name]) => name !== 'date');

    // A secondary id (the principal in a membership path) of another account.
    const foreignPrincipal = await owner.put(`/v1/teams/${branch.teamId}/members/${other.principalId}`);
    const missingPrincipal = await owner.put(`/v1/teams/${branch.teamId}/members/${newId('principal')}`);
    expect(foreignPrincipal.status).toBe(404);
    expect(strip(foreignPrincipal.body)).toEqual(strip(missingPrincipal.body));
    expect(headers(foreignPrincipal.headers)).toEqual(headers(missingPrincipal.headers));

    // An id in a key's constraint.
    const foreignConstraint = await owner.post('/v1/keys', { json: { name: 'x', scopes: ['sites:read'], constraint: { site_id: otherBranch.siteId } } });
    const missingConstraint = await owner.post('/v1/keys', { json: { name: 'x', scopes: ['sites:read'], constraint: { site_id: newId('site') } } });
    expect(foreignConstraint.status).toBe(403);
    const masked = (body: Record<string, unknown>) => JSON.parse(JSON.stringify(strip(body)).replace(/site_[0-9A-Za-z]+/g, 'site_ID'));
    expect(masked(foreignConstraint.body)).toEqual(masked(missingConstraint.body));

    // principal_id of another account when minting.
    const foreignOwner = await owner.post('/v1/keys', { json: { name: 'x', scopes: ['sites:read'], principal_id: other.principalId } });
    const missingOwner = await owner.post('/v1/keys', { json: { name: 'x', scopes: ['sites:read'], principal_id: newId('principal') } });
    expect(foreignOwner.status).toBe(404);
    expect(strip(foreignOwner.body)).toEqual(strip(missingOwner.body));
  });
});
