/**
 * GET /v1/keys?id=…&id=… (the provider's batched refresh): the same authorization as
 * GET /v1/keys/{id}, so a weaker key sees only the keys it could read one by one, and a hidden
 * id is absent exactly like a missing one.
 */
import { newId } from '@managed-dev/contract';
import { startControlPlane, TestControlPlane } from '../../../support/control-plane';
import { apiClient } from '../../../support/http';
import { createPrincipal, mintKey, seedBranch, SeededBranch } from '../../../support/resource-tree';

describe('reading several keys by id', () => {
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

  const query = (ids: readonly string[]) => `/v1/keys?${ids.map((id) => `id=${encodeURIComponent(id)}`).join('&')}`;
  const ids = (body: { items: Array<{ id: string }> }) => body.items.map((item) => item.id);

  test('answers the visible keys in the order asked, each once, with the records GET /v1/keys/{id} gives', async () => {
    const a = await mintKey(owner, { name: 'a', scopes: ['sites:read'] });
    const b = await mintKey(owner, { name: 'b', scopes: ['sites:read'] });
    const c = await mintKey(owner, { name: 'c', scopes: ['sites:read'] });
    expect((await owner.delete(`/v1/keys/${c.id}`)).status).toBe(200);

    const response = await owner.get(query([c.id, a.id, newId('key'), b.id, a.id]));
    expect(response.status).toBe(200);
    expect(ids(response.body)).toEqual([c.id, a.id, b.id]);
    expect(response.body.next_cursor).toBeNull();
    for (const item of response.body.items) expect(item).toEqual((await owner.get(`/v1/keys/${item.id}`)).body);
    expect(response.text).not.toContain(a.secret);

    // One id is a list of one.
    const single = await owner.get(query([b.id]));
    expect(ids(single.body)).toEqual([b.id]);
  });

  test('a weaker key (constrained to a project, or of a member of one team) sees only what it could GET one by one', async () => {
    const inside = await mintKey(owner, { name: 'inside', scopes: ['sites:read'], constraint: { project_id: branch.projectId } });
    const outside = await mintKey(owner, { name: 'outside', scopes: ['sites:read'], constraint: { project_id: sibling.projectId } });
    const accountWide = await mintKey(owner, { name: 'account-wide', scopes: ['sites:read'] });
    const asked = [inside.id, outside.id, accountWide.id];

    const projectKey = await mintKey(owner, { name: 'reader', scopes: ['keys:read'], constraint: { project_id: branch.projectId } });
    const memberId = await createPrincipal(owner, { name: 'dev', kind: 'service', role: 'member' });
    expect((await owner.put(`/v1/teams/${branch.teamId}/members/${memberId}`)).status).toBe(200);
    const memberKey = await mintKey(owner, { name: 'member-reader', scopes: ['keys:read'], principal_id: memberId });

    for (const weaker of [projectKey, memberKey]) {
      const client = apiClient(cp.url, weaker.secret);
      const oneByOne: string[] = [];
      for (const id of asked) if ((await client.get(`/v1/keys/${id}`)).status === 200) oneByOne.push(id);
      const batch = await client.get(query(asked));
      expect(batch.status).toBe(200);
      expect(ids(batch.body)).toEqual([...new Set(oneByOne)]);
      expect(ids(batch.body)).toContain(inside.id);
      expect(ids(batch.body)).not.toContain(outside.id);
    }
    // A constrained key sees nothing outside its subtree, account-wide keys included.
    expect(ids((await apiClient(cp.url, projectKey.secret).get(query(asked))).body)).toEqual([inside.id]);
  });

  test("another account's key ids are absent, exactly like ids of no key", async () => {
    const other = await cp.server.services.keyService.createAccountWithOwner('other', new Date());
    const theirs = await mintKey(apiClient(cp.url, other.secret), { name: 'theirs', scopes: ['sites:read'] });
    const mine = await mintKey(owner, { name: 'mine', scopes: ['sites:read'] });
    const foreign = await owner.get(query([mine.id, theirs.id]));
    const missing = await owner.get(query([mine.id, newId('key')]));
    expect(foreign.status).toBe(200);
    expect(foreign.body).toEqual(missing.body);
    expect(ids(foreign.body)).toEqual([mine.id]);
  });

  test('needs keys:read, like reading one key', async () => {
    const target = await mintKey(owner, { name: 'target', scopes: ['sites:read'] });
    const sitesOnly = apiClient(cp.url, (await mintKey(owner, { name: 'no-keys-read', scopes: ['sites:read', 'keys:write'] })).secret);
    const response = await sitesOnly.get(query([target.id]));
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('insufficient_scope');
  });

  test.each([
    ['an id that is not a key id', 'id=site_abc', 'id'],
    ['more than 100 ids', Array.from({ length: 101 }, () => `id=${newId('key')}`).join('&'), 'id'],
    ['id with a cursor', `id=${newId('key')}&cursor=abc`, 'cursor'],
    ['id with a limit', `id=${newId('key')}&limit=5`, 'limit'],
  ])('%s is a 400 naming the parameter', async (_label, search, parameter) => {
    const response = await owner.get(`/v1/keys?${search}`);
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ parameter })]));
  });
});
