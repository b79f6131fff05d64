/**
 * Acting on a key is minting it again (domain/key-authority.ts): rotate, PATCH and DELETE of a
 * key need the authority to mint that key as it stands. Each test is an escalation a weaker
 * `keys:write` key could otherwise make.
 */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { createPrincipal, mintKey, seedBranch, SeededBranch } from '../../support/resource-tree';

describe('acting on a key needs the authority to mint it', () => {
  let cp: TestControlPlane;
  let owner: ReturnType<typeof apiClient>;
  let branch: SeededBranch;
  let ownerKeyId: string;

  beforeEach(async () => {
    cp = await startControlPlane();
    owner = apiClient(cp.url, cp.ownerKey);
    branch = await seedBranch(owner, 'main');
    ownerKeyId = cp.server.bootstrap.ownerKeyId;
  });
  afterEach(() => cp.close());

  function expectEscalation(response: { status: number; body: any }) {
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('scope_escalation');
  }

  test("an admin service account's keys:write key can neither rotate, re-allowlist nor revoke the owner's key", async () => {
    const adminId = await createPrincipal(owner, { name: 'ci-admin', kind: 'service', role: 'admin' });
    const adminKey = await mintKey(owner, { name: 'ci-admin-key', scopes: ['keys:write', 'keys:read'], principal_id: adminId });
    const admin = apiClient(cp.url, adminKey.secret);

    const rotated = await admin.post(`/v1/keys/${ownerKeyId}/rotate`, { json: {} });
    expectEscalation(rotated);
    expect(rotated.body).not.toHaveProperty('secret');
    expect(rotated.body.offending_scopes).toEqual(expect.arrayContaining(['exec:raw', 'credentials:read']));
    expect(rotated.body.offending_principal).toBe(true);

    expectEscalation(await admin.patch(`/v1/keys/${ownerKeyId}`, { json: { ip_allowlist: ['192.0.2.0/24'] } }));
    expectEscalation(await admin.patch(`/v1/keys/${ownerKeyId}`, { json: { name: 'renamed-by-admin' } }));
    expectEscalation(await admin.delete(`/v1/keys/${ownerKeyId}`));

    // The owner key is untouched and still works from here.
    const record = await owner.get(`/v1/keys/${ownerKeyId}`);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ status: 'active', ip_allowlist: [], name: 'owner' });
    expect((await owner.get('/v1/whoami')).status).toBe(200);

    // Refusals are audited as denials, in the account's chain.
    await cp.server.services.denials.flush(); // refusals are audited after their response
    const audit = await owner.get('/v1/audit?outcome=denied&limit=100');
    expect(audit.body.items.filter((entry: any) => entry.key_id === adminKey.id && entry.detail === 'scope_escalation')).toHaveLength(4);
  });

  test('a team-constrained keys:write key cannot rotate, change or revoke a stronger key of its team', async () => {
    const strong = await mintKey(owner, {
      name: 'team-strong',
      scopes: ['credentials:read', 'exec:raw', 'sites:read'],
      constraint: { team_id: branch.teamId },
    });
    const weakKey = await mintKey(owner, { name: 'team-keys', scopes: ['keys:write', 'keys:read'], constraint: { team_id: branch.teamId } });
    const weak = apiClient(cp.url, weakKey.secret);

    // It can see the stronger key (same team) …
    expect((await weak.get(`/v1/keys/${strong.id}`)).status).toBe(200);
    // … but acting on it would hand it credentials:read and exec:raw.
    const rotated = await weak.post(`/v1/keys/${strong.id}/rotate`, { json: {} });
    expectEscalation(rotated);
    expect(rotated.body.offending_scopes).toEqual(['credentials:read', 'exec:raw', 'sites:read']);
    expect(rotated.body).not.toHaveProperty('secret');
    expectEscalation(await weak.patch(`/v1/keys/${strong.id}`, { json: { ip_allowlist: ['192.0.2.0/24'] } }));
    expectEscalation(await weak.patch(`/v1/keys/${strong.id}`, { json: { description: 'mine now' } }));
    expectEscalation(await weak.delete(`/v1/keys/${strong.id}`));

    // The stronger key still reads credentials with its original secret.
    const credentials = await apiClient(cp.url, strong.secret).get(`/v1/sites/${branch.siteId}/credentials`);
    expect(credentials.status).toBe(200);
    expect((await owner.get(`/v1/keys/${strong.id}`)).body).toMatchObject({ status: 'active', ip_allowlist: [], description: null });
  });

  test('a key may act on keys it could mint, and on itself', async () => {
    const weakKey = await mintKey(owner, { name: 'team-keys', scopes: ['keys:write', 'sites:read'], constraint: { team_id: branch.teamId } });
    const weak = apiClient(cp.url, weakKey.secret);
    const child = await mintKey(weak, { name: 'child', scopes: ['sites:read'], constraint: { project_id: branch.projectId } });

    expect((await weak.patch(`/v1/keys/${child.id}`, { json: { ip_allowlist: ['192.0.2.0/24'] } })).status).toBe(200);
    const rotated = await weak.post(`/v1/keys/${child.id}/rotate`, { json: {} });
    expect(rotated.status).toBe(200);
    expect((await apiClient(cp.url, rotated.body.secret).get('/v1/whoami')).status).toBe(403); // wrong network now
    expect((await weak.delete(`/v1/keys/${child.id}`)).status).toBe(200);

    const self = await weak.post(`/v1/keys/${weakKey.id}/rotate`, { json: { grace_period: '1h' } });
    expect(self.status).toBe(200);
    expect((await apiClient(cp.url, self.body.secret).get('/v1/whoami')).status).toBe(200);
  });

  test('a PATCH by a weaker key cannot add scopes beyond its own, even to a key it may manage', async () => {
    const weakKey = await mintKey(owner, { name: 'weak', scopes: ['keys:write', 'sites:read', 'deploys:write'] });
    const weak = apiClient(cp.url, weakKey.secret);
    const child = await mintKey(weak, { name: 'child', scopes: ['sites:read'] });

    const raised = await weak.patch(`/v1/keys/${child.id}`, { json: { scopes: ['sites:read', 'exec:raw'] } });
    expectEscalation(raised);
    expect(raised.body.offending_scopes).toEqual(['exec:raw']);
    expect(raised.body.errors).toEqual([expect.objectContaining({ pointer: '/scopes/1' })]);
    expectEscalation(await weak.patch(`/v1/keys/${child.id}`, { json: { preset: 'ci-terraform' } }));
    expect((await weak.patch(`/v1/keys/${child.id}`, { json: { scopes: ['deploys:write'] } })).status).toBe(200);
    expect((await owner.get(`/v1/keys/${child.id}`)).body.scopes).toEqual(['deploys:write']);
  });

  test("an admin may manage a service account's keys below its role, not a user's or an owner service account's", async () => {
    const adminId = await createPrincipal(owner, { name: 'ci-admin', kind: 'service', role: 'admin' });
    const memberSa = await createPrincipal(owner, { name: 'deployer', kind: 'service', role: 'member' });
    const ownerSa = await createPrincipal(owner, { name: 'root-bot', kind: 'service', role: 'owner' });
    const adminKey = await mintKey(owner, { name: 'ci-admin-key', scopes: ['keys:write', 'sites:read'], principal_id: adminId });
    const admin = apiClient(cp.url, adminKey.secret);
    const memberSaKey = await mintKey(owner, { name: 'deployer-key', scopes: ['sites:read'], principal_id: memberSa });
    const ownerSaKey = await mintKey(owner, { name: 'root-bot-key', scopes: ['sites:read'], principal_id: ownerSa });
    const usersKey = await mintKey(owner, { name: 'owner-narrow', scopes: ['sites:read'] });

    expect((await admin.post(`/v1/keys/${memberSaKey.id}/rotate`, { json: {} })).status).toBe(200);
    const aboveRole = await admin.post(`/v1/keys/${ownerSaKey.id}/rotate`, { json: {} });
    expectEscalation(aboveRole);
    expect(aboveRole.body.offending_scopes).toEqual([]);
    expect(aboveRole.body.offending_principal).toBe(true);
    expectEscalation(await admin.delete(`/v1/keys/${usersKey.id}`));
  });

  test("a read-only keys:write key cannot get a secret for a demoted owner's key that promotion would make admin again", async () => {
    const serviceId = await createPrincipal(owner, { name: 'deploy-admin', kind: 'service', role: 'admin' });
    const strong = await mintKey(owner, { name: 'deploy-admin-key', scopes: ['*:*', 'keys:*'], principal_id: serviceId });
    const weakKey = await mintKey(owner, { name: 'reader', scopes: ['*:read', 'keys:write'] });
    const weak = apiClient(cp.url, weakKey.secret);

    expectEscalation(await weak.post(`/v1/keys/${strong.id}/rotate`, { json: {} }));
    expect((await owner.patch(`/v1/principals/${serviceId}`, { json: { role: 'viewer' } })).status).toBe(200);

    // Demoted, the key's power today is read-only, but its stored grant is not.
    const rotated = await weak.post(`/v1/keys/${strong.id}/rotate`, { json: {} });
    expectEscalation(rotated);
    expect(rotated.body).not.toHaveProperty('secret');
    expect(rotated.body.offending_scopes).toEqual(expect.arrayContaining(['members:write', 'sites:write']));
    expectEscalation(await weak.patch(`/v1/keys/${strong.id}`, { json: { ip_allowlist: ['192.0.2.0/24'] } }));
    expectEscalation(await weak.delete(`/v1/keys/${strong.id}`));

    // The owner, whose key holds the stored grant, still manages the demoted owner's key.
    expect((await owner.post(`/v1/keys/${strong.id}/rotate`, { json: {} })).status).toBe(200);
    expect((await owner.delete(`/v1/keys/${strong.id}`)).status).toBe(200);
  });

  test("renewing a demoted owner's ephemeral key needs authority over its stored grant too", async () => {
    const serviceId = await createPrincipal(owner, { name: 'deploy-admin', kind: 'service', role: 'admin' });
    const strong = await mintKey(owner, { name: 'deploy-admin-eph', scopes: ['*:*'], principal_id: serviceId, ephemeral: true });
    const weak = apiClient(cp.url, (await mintKey(owner, { name: 'reader', scopes: ['*:read', 'keys:write'] })).secret);
    expect((await owner.patch(`/v1/principals/${serviceId}`, { json: { role: 'viewer' } })).status).toBe(200);

    expectEscalation(await weak.post(`/v1/keys/${strong.id}/renew`));
    expect((await owner.post(`/v1/keys/${strong.id}/renew`)).status).toBe(200);
  });

  test('replaying an Idempotency-Key hands a secret out again only while the caller could still mint that key', async () => {
    const minterKey = await mintKey(owner, { name: 'minter', scopes: ['keys:read', 'keys:write', 'sites:write'] });
    const minter = apiClient(cp.url, minterKey.secret);
    const createBody = { name: 'child', scopes: ['sites:write'] };
    const created = await minter.post('/v1/keys', { json: createBody, headers: { 'idempotency-key': 'k1' } });
    expect(created.status).toBe(201);
    const rotateOnce = await minter.post(`/v1/keys/${created.body.id}/rotate`, { json: {}, headers: { 'idempotency-key': 'k2' } });
    expect(rotateOnce.status).toBe(200);

    // While it may, a replay answers the stored response, secret included.
    const replayed = await minter.post('/v1/keys', { json: createBody, headers: { 'idempotency-key': 'k1' } });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.secret).toBe(created.body.secret);

    // Narrowed, it could no longer mint the child: neither replay hands out its secret.
    expect((await owner.patch(`/v1/keys/${minterKey.id}`, { json: { scopes: ['keys:read', 'keys:write'] } })).status).toBe(200);
    for (const replay of [
      await minter.post('/v1/keys', { json: createBody, headers: { 'idempotency-key': 'k1' } }),
      await minter.post(`/v1/keys/${created.body.id}/rotate`, { json: {}, headers: { 'idempotency-key': 'k2' } }),
    ]) {
      expectEscalation(replay);
      expect(replay.body.offending_scopes).toEqual(['sites:write']);
      expect(replay.body).not.toHaveProperty('secret');
      expect(replay.headers.get('idempotent-replayed')).toBeNull();
    }
    await cp.server.services.denials.flush(); // refusals are audited after their response
    const audit = await owner.get('/v1/audit?outcome=denied&limit=100');
    expect(audit.body.items.filter((entry: any) => entry.key_id === minterKey.id && entry.detail === 'scope_escalation')).toHaveLength(2);
  });

  test('renew answers a weaker key scope_escalation before telling it whether the key is ephemeral or active', async () => {
    const weak = apiClient(cp.url, (await mintKey(owner, { name: 'keys-only', scopes: ['keys:write'] })).secret);
    const renewed = await weak.post(`/v1/keys/${ownerKeyId}/renew`);
    expectEscalation(renewed);
    expect(renewed.body.code).not.toBe('key_not_ephemeral');
    const revoked = await mintKey(owner, { name: 'gone', scopes: ['sites:read'], ephemeral: true });
    expect((await owner.delete(`/v1/keys/${revoked.id}`)).status).toBe(200);
    expectEscalation(await weak.post(`/v1/keys/${revoked.id}/renew`));
  });
});
