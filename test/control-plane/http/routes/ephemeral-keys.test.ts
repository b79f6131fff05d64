/**
 * Ephemeral keys over HTTP: short TTLs only for keys marked ephemeral, the mark in the record and
 * the audit log, renewal (POST /v1/keys/{id}/renew) on a manual clock, and every weaker key that
 * might try to keep a stronger ephemeral key alive.
 */
import { startControlPlane, TestControlPlane } from '../../../support/control-plane';
import { apiClient } from '../../../support/http';
import { HOUR, ManualClock, MINUTE } from '../../../support/manual-clock';
import { createPrincipal, mintKey, seedBranch } from '../../../support/resource-tree';

describe('ephemeral keys and renewal', () => {
  let clock: ManualClock;
  let cp: TestControlPlane;
  let owner: ReturnType<typeof apiClient>;

  beforeEach(async () => {
    clock = new ManualClock('2030-01-01T00:00:00.000Z');
    cp = await startControlPlane({ clock });
    owner = apiClient(cp.url, cp.ownerKey);
  });
  afterEach(() => cp.close());

  const expiryOf = async (id: string): Promise<string> => (await owner.get(`/v1/keys/${id}`)).body.expires_at;

  test('5m–24h lifetimes are accepted only for ephemeral keys; ephemeral keys default to 1h', async () => {
    const refused = await owner.post('/v1/keys', { json: { name: 'short', scopes: ['sites:read'], ttl: '15m' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { pointer: '/ttl', detail: 'ttl "15m" is shorter than the minimum of 1h (lifetimes from 5m are for ephemeral keys only)' },
    ]);

    const short = await mintKey(owner, { name: 'short', scopes: ['sites:read'], ttl: '15m', ephemeral: true });
    expect(short.record).toMatchObject({ ephemeral: true, ttl: '15m', expires_at: '2030-01-01T00:15:00.000Z' });
    const defaulted = await mintKey(owner, { name: 'default', scopes: ['sites:read'], ephemeral: true });
    expect(defaulted.record).toMatchObject({ ttl: '1h', expires_at: '2030-01-01T01:00:00.000Z' });

    for (const [ttl, detail] of [
      ['4m', 'ttl "4m" is shorter than the minimum of 5m for an ephemeral key'],
      ['25h', 'ttl "25h" is longer than the maximum of 24h for an ephemeral key'],
    ]) {
      const response = await owner.post('/v1/keys', { json: { name: 'bad', scopes: ['sites:read'], ttl, ephemeral: true } });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ pointer: '/ttl', detail }]);
    }
    const ordinary = await mintKey(owner, { name: 'ordinary', scopes: ['sites:read'] });
    expect(ordinary.record.ephemeral).toBe(false);
  });

  test('the audit log marks ephemeral mints with their ttl, and records renewals', async () => {
    const key = await mintKey(owner, { name: 'run', scopes: ['sites:read'], ttl: '30m', ephemeral: true });
    expect((await owner.post(`/v1/keys/${key.id}/renew`)).status).toBe(200);
    const audit = (await owner.get('/v1/audit')).body.items as Array<{ action: string; target: string; detail: string }>;
    expect(audit.find((entry) => entry.action === 'key.create' && entry.target === key.id)?.detail).toMatch(/; ttl 30m; ephemeral$/);
    expect(audit.find((entry) => entry.action === 'key.renew' && entry.target === key.id)?.detail).toMatch(/^renewed for 30m; expires /);
  });

  test('renew moves expires_at to now + ttl, so a renewed key outlives its first expiry; then it dies at its ttl', async () => {
    const key = await mintKey(owner, { name: 'run', scopes: ['sites:read'], ttl: '15m', ephemeral: true });
    const user = apiClient(cp.url, key.secret);
    clock.advance(10 * MINUTE);
    const renewed = await owner.post(`/v1/keys/${key.id}/renew`);
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ id: key.id, status: 'active', expires_at: '2030-01-01T00:25:00.000Z', created_at: '2030-01-01T00:00:00.000Z' });
    expect(renewed.body.secret).toBeUndefined();

    clock.advance(10 * MINUTE); // 20 minutes after minting: past the first expiry
    expect((await user.get('/v1/whoami')).status).toBe(200);
    clock.advance(5 * MINUTE); // its renewed ttl is over: nothing renewed it again
    expect((await user.get('/v1/whoami')).status).toBe(401);
    const late = await owner.post(`/v1/keys/${key.id}/renew`);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('key_not_active');
  });

  test('an ephemeral key renews itself when it may mint its own scopes', async () => {
    const key = await mintKey(owner, { name: 'self', scopes: ['keys:write', 'sites:read'], ttl: '15m', ephemeral: true });
    clock.advance(14 * MINUTE);
    const renewed = await apiClient(cp.url, key.secret).post(`/v1/keys/${key.id}/renew`);
    expect(renewed.status).toBe(200);
    expect(renewed.body.expires_at).toBe('2030-01-01T00:29:00.000Z');
  });

  test('ordinary and revoked keys are not renewable (409)', async () => {
    const ordinary = await mintKey(owner, { name: 'ordinary', scopes: ['sites:read'] });
    const notEphemeral = await owner.post(`/v1/keys/${ordinary.id}/renew`);
    expect(notEphemeral.status).toBe(409);
    expect(notEphemeral.body.code).toBe('key_not_ephemeral');

    const revoked = await mintKey(owner, { name: 'revoked', scopes: ['sites:read'], ttl: '1h', ephemeral: true });
    await owner.delete(`/v1/keys/${revoked.id}`);
    const response = await owner.post(`/v1/keys/${revoked.id}/renew`);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('key_not_active');
  });

  describe('weaker keys cannot keep a stronger ephemeral key alive', () => {
    test('a keys:read key: 403 insufficient_scope', async () => {
      const strong = await mintKey(owner, { name: 'strong', preset: 'ci-terraform', ttl: '1h', ephemeral: true });
      const reader = apiClient(cp.url, (await mintKey(owner, { name: 'reader', scopes: ['keys:read'] })).secret);
      const response = await reader.post(`/v1/keys/${strong.id}/renew`);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('insufficient_scope');
      expect(await expiryOf(strong.id)).toBe('2030-01-01T01:00:00.000Z');
    });

    test("a keys:write key lacking the target's scopes: 403 scope_escalation naming them", async () => {
      const strong = await mintKey(owner, { name: 'strong', scopes: ['deploys:write', 'sites:read'], ttl: '1h', ephemeral: true });
      const narrow = apiClient(cp.url, (await mintKey(owner, { name: 'narrow', scopes: ['keys:write', 'sites:read'] })).secret);
      clock.advance(30 * MINUTE);
      const response = await narrow.post(`/v1/keys/${strong.id}/renew`);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('scope_escalation');
      expect(response.body.offending_scopes).toEqual(['deploys:write']);
      expect(await expiryOf(strong.id)).toBe('2030-01-01T01:00:00.000Z');
    });

    test("a key constrained to one team: the other team's and the unconstrained ephemeral keys are the one 404", async () => {
      const mine = await seedBranch(owner, 'mine');
      const theirs = await seedBranch(owner, 'theirs');
      const teamKey = apiClient(
        cp.url,
        (await mintKey(owner, { name: 'team', scopes: ['keys:write', 'sites:read'], constraint: { team_id: mine.teamId } })).secret,
      );
      const otherTeam = await mintKey(owner, { name: 'other', scopes: ['sites:read'], constraint: { team_id: theirs.teamId }, ttl: '1h', ephemeral: true });
      const unconstrained = await mintKey(owner, { name: 'wide', scopes: ['sites:read'], ttl: '1h', ephemeral: true });
      for (const target of [otherTeam, unconstrained]) {
        const response = await teamKey.post(`/v1/keys/${target.id}/renew`);
        expect(response.status).toBe(404);
        expect(await expiryOf(target.id)).toBe('2030-01-01T01:00:00.000Z');
      }
      const inside = await mintKey(owner, { name: 'inside', scopes: ['sites:read'], constraint: { site_id: mine.siteId }, ttl: '1h', ephemeral: true });
      clock.advance(HOUR / 2);
      expect((await teamKey.post(`/v1/keys/${inside.id}/renew`)).status).toBe(200);
    });

    test('an admin service account cannot renew an ephemeral key the owner holds: 403 naming the owner', async () => {
      const strong = await mintKey(owner, { name: 'owner-run', scopes: ['sites:read'], ttl: '1h', ephemeral: true });
      const adminId = await createPrincipal(owner, { name: 'bot', kind: 'service', role: 'admin' });
      const admin = apiClient(
        cp.url,
        (await mintKey(owner, { name: 'bot-key', scopes: ['keys:write', 'keys:read', 'sites:read'], principal_id: adminId })).secret,
      );
      const response = await admin.post(`/v1/keys/${strong.id}/renew`);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'scope_escalation', offending_principal: true });
      expect(response.body.detail).toContain('the key belongs to another principal');
      expect(await expiryOf(strong.id)).toBe('2030-01-01T01:00:00.000Z');
    });
  });
});
