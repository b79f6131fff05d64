/** The audit log (docs/guides/api.md#audit): what it records, that it never holds a secret, and that edits are caught. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { testStore } from '../../support/test-store';
import { api, apiClient } from '../../support/http';
import { createPrincipal, mintKey, seedBranch } from '../../support/resource-tree';
import { VERIFY_SLICE_ENTRIES } from '../../../control-plane/src/storage/audit-repository';

describe('audit log', () => {
  let cp: TestControlPlane;
  beforeEach(async () => {
    cp = await startControlPlane();
  });
  afterEach(() => cp.close());

  async function allEntries(client: ReturnType<typeof apiClient>) {
    const entries: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await client.get(`/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      entries.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    return entries;
  }

  test('records changes and denials, pages newest first, holds no secret, and verify names the first edited entry', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const branch = await seedBranch(owner, 'audited');
    const secrets: string[] = [cp.ownerKey];

    const botId = await createPrincipal(owner, { name: 'bot', kind: 'service', role: 'member' });
    expect((await owner.patch(`/v1/principals/${botId}`, { json: { role: 'viewer' } })).status).toBe(200);
    const key = await mintKey(owner, { name: 'narrow', scopes: ['sites:read'], constraint: { site_id: branch.siteId } });
    secrets.push(key.secret);
    expect((await owner.patch(`/v1/keys/${key.id}`, { json: { description: 'audited' } })).status).toBe(200);
    const rotated = await owner.post(`/v1/keys/${key.id}/rotate`, { json: { grace_period: '1h' } });
    secrets.push(rotated.body.secret);
    const narrow = apiClient(cp.url, rotated.body.secret);
    expect((await narrow.patch(`/v1/sites/${branch.siteId}`, { json: { name: 'x' } })).status).toBe(403); // insufficient_scope
    expect((await narrow.get(`/v1/teams/${branch.teamId}`)).status).toBe(404); // outside the constraint
    const walled = await mintKey(owner, { name: 'walled', scopes: ['sites:read'], ip_allowlist: ['10.0.0.0/8'] });
    secrets.push(walled.secret);
    expect((await api(cp.url, 'GET', `/v1/sites/${branch.siteId}`, { key: walled.secret })).status).toBe(403); // ip_not_allowed
    expect((await owner.delete(`/v1/keys/${key.id}`)).status).toBe(200);
    expect((await narrow.get('/v1/whoami')).status).toBe(401); // revoked
    expect((await api(cp.url, 'GET', '/v1/whoami', { key: 'mdk_' + 'x'.repeat(46) })).status).toBe(401); // malformed
    expect((await owner.delete(`/v1/principals/${botId}`)).status).toBe(204);

    const entries = await allEntries(owner);
    const sequences = entries.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    const summary = entries.map((e) => `${e.outcome} ${e.action} ${e.detail}`);
    const expected = [
      'success principal.create',
      'success principal.update',
      'success key.create',
      'success key.update',
      'success key.rotate',
      'denied PATCH /v1/sites/{id} insufficient_scope (sites:write)',
      'denied GET /v1/teams/{id} not_found (outside_constraint)',
      'denied GET /v1/sites/{id} ip_not_allowed',
      'success key.revoke',
      'denied GET /v1/whoami invalid_token',
      'success principal.delete',
      'success POST /v1/teams',
    ];
    for (const line of expected) expect(summary.some((s) => s.startsWith(line))).toBe(true);
    expect(summary).toContain('success principal.update role member → viewer');

    const revokedUse = entries.find((e) => e.outcome === 'denied' && e.action === 'GET /v1/whoami');
    expect(revokedUse).toMatchObject({ key_id: key.id, account_id: cp.accountId, source_ip: '127.0.0.1' });
    const mint = entries.find((e) => e.action === 'key.create' && e.target === key.id);
    expect(mint).toMatchObject({ actor_principal_id: cp.ownerPrincipalId, account_id: cp.accountId, outcome: 'success' });
    expect(mint.time).toMatch(/^\d{4}-\d\d-\d\dT/);

    // No secret anywhere: not in the API's view of the log, not in anything the store holds (SQLite:
    // every file of the data directory; PostgreSQL: every row of every table, and the data directory).
    const logText = JSON.stringify(entries);
    const files = await cp.storedTexts();
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) {
      expect(logText).not.toContain(secret);
      for (const file of files) expect(file.includes(secret)).toBe(false);
    }

    expect((await owner.get('/v1/audit/verify')).body).toMatchObject({ ok: true, checked: entries.length });

    // Edit one row behind the server's back.
    const victim = entries.find((e) => e.action === 'key.revoke');
    await cp.queryOutside("UPDATE audit_log SET outcome = 'denied' WHERE id = ?", [victim.id]);
    const verdict = (await owner.get('/v1/audit/verify')).body;
    expect(verdict.ok).toBe(false);
    expect(verdict.first_broken).toMatchObject({ id: victim.id, sequence: victim.sequence });
    expect(verdict.checked).toBe(victim.sequence - 1);
  });

  test('each account reads and verifies only its own chain', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const other = await cp.server.services.keyService.createAccountWithOwner('other', new Date());
    const otherOwner = apiClient(cp.url, other.secret);
    await owner.post('/v1/teams', { json: { name: 'mine' } });
    await otherOwner.post('/v1/teams', { json: { name: 'theirs' } });
    const mine = await allEntries(owner);
    const theirs = await allEntries(otherOwner);
    expect(mine.every((e) => e.account_id === cp.accountId)).toBe(true);
    expect(theirs.every((e) => e.account_id === other.accountId)).toBe(true);
    expect(theirs.map((e) => e.sequence)).toEqual([1]);
    expect((await otherOwner.get('/v1/audit/verify')).body).toMatchObject({ ok: true, checked: 1 });
    const reader = await mintKey(owner, { name: 'no-audit', scopes: ['sites:read'] });
    const refused = await api(cp.url, 'GET', '/v1/audit', { key: reader.secret });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="audit:read"');
  });

  test("wiping an account's whole chain (entries and head) is reported, and the next entry does not start a chain that looks whole", async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    await owner.post('/v1/teams', { json: { name: 'before-the-wipe' } });
    // A new account that was never audited has a sealed (genesis) head too.
    const fresh = await cp.server.services.keyService.createAccountWithOwner('never-audited', new Date());
    expect((await apiClient(cp.url, fresh.secret).get('/v1/audit/verify')).body).toMatchObject({ ok: true, checked: 0 });

    for (const chain of [cp.accountId, fresh.accountId]) {
      await cp.queryOutside('DELETE FROM audit_log WHERE chain = ?', [chain]);
      await cp.queryOutside('DELETE FROM audit_heads WHERE chain = ?', [chain]);
    }
    for (const secret of [cp.ownerKey, fresh.secret]) {
      const verdict = (await apiClient(cp.url, secret).get('/v1/audit/verify')).body;
      expect(verdict).toMatchObject({ ok: false, checked: 0, first_broken: { reason: expect.stringMatching(/^head_missing/) } });
    }
    // The next write (this one is audited) keeps the evidence under the new head's seal.
    expect((await owner.post('/v1/teams', { json: { name: 'after-the-wipe' } })).status).toBe(201);
    const after = (await owner.get('/v1/audit/verify')).body;
    expect(after.ok).toBe(false);
    expect(after.first_broken.reason).toMatch(/found missing when entry 1 was appended/);
  });

  test('key changes say what they granted and changed, not a status code', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = await mintKey(owner, { name: 'detailed', scopes: ['sites:read', 'logs:read'], ip_allowlist: ['10.0.0.0/8'], ttl: '30d' });
    await owner.patch(`/v1/keys/${key.id}`, { json: { scopes: ['sites:read'], description: 'narrower' } });
    await owner.post(`/v1/keys/${key.id}/rotate`, { json: { grace_period: '2h' } });
    const details = Object.fromEntries((await allEntries(owner)).filter((e) => e.target === key.id).map((e) => [e.action, e.detail as string]));
    expect(details['key.create']).toBe('granted logs:read sites:read; scopes logs:read sites:read; unconstrained; ip_allowlist 10.0.0.0/8; ttl 30d');
    expect(details['key.update']).toBe('changed description, scopes; now grants sites:read');
    expect(details['key.rotate']).toBe('new secret; the previous secret works for 2h more');
    const team = await owner.post('/v1/teams', { json: { name: 'described' } });
    const teamEntry = (await allEntries(owner)).find((e) => e.target === team.body.id);
    expect(teamEntry.detail).toBe('created with name');
  });

  // The chain is seeded one append at a time (four statements each, under the chain's lock): on
  // PostgreSQL each is a round trip, so its chain is shorter; it still spans ten slices and more.
  const longChain = testStore() === 'postgres' ? 10 * VERIFY_SLICE_ENTRIES : 20_000;

  test(`verify over a ${longChain}-entry chain runs in bounded slices while /v1/scopes keeps answering, and catches a deleted newest row`, async () => {
    const services = cp.server.services;
    const total = longChain;
    const fields = (i: number) => ({
      time: new Date(0).toISOString(),
      accountId: cp.accountId,
      actorPrincipalId: cp.ownerPrincipalId,
      keyId: null,
      action: 'bulk.entry',
      target: `t_${i}`,
      sourceIp: '127.0.0.1',
      outcome: 'success',
      detail: null,
    });
    await services.db.transaction(async () => {
      for (let i = 0; i < total; i++) await services.auditRecords.append(fields(i));
    });

    // Observe the route's real walk: how many entries each synchronous slice hashed.
    const slices: number[] = [];
    const repository = services.auditRecords;
    const verify = repository.verify.bind(repository);
    jest.spyOn(repository, 'verify').mockImplementation((accountId) => verify(accountId, { onSlice: (n) => slices.push(n) }));

    const owner = apiClient(cp.url, cp.ownerKey);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    let verifyDone = false;
    const verdict = owner.get('/v1/audit/verify').then((response) => {
      verifyDone = true;
      return response;
    });
    let scopesServedWhileVerifying = 0;
    while (!verifyDone) {
      const scopes = await api(cp.url, 'GET', '/v1/scopes');
      expect(scopes.status).toBe(200);
      if (!verifyDone) scopesServedWhileVerifying += 1;
    }
    loopDelay.disable();
    const response = await verdict;
    expect(response.body).toMatchObject({ ok: true });
    expect(response.body.checked).toBeGreaterThanOrEqual(total);

    // The bound is on the work per synchronous step (entries per slice), not on wall time.
    expect(slices.reduce((a, b) => a + b, 0)).toBe(response.body.checked);
    expect(Math.max(...slices)).toBeLessThanOrEqual(VERIFY_SLICE_ENTRIES);
    expect(slices.length).toBeGreaterThanOrEqual(Math.floor(total / VERIFY_SLICE_ENTRIES));
    // A blocking walk would answer nothing else until it finished; this one interleaves.
    expect(scopesServedWhileVerifying).toBeGreaterThan(1);
    process.stdout.write(
      `verify ${response.body.checked} entries: ${slices.length} slices of ≤ ${Math.max(...slices)} entries, ` +
        `${scopesServedWhileVerifying} /v1/scopes answered meanwhile, event-loop delay max ${(loopDelay.max / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms\n`,
    );

    // Deleting the newest row is caught by the sealed head.
    const newest = (await services.db.get<{ id: string; sequence: number }>(
      'SELECT id, sequence FROM audit_log WHERE chain = ? ORDER BY sequence DESC LIMIT 1',
      [cp.accountId],
    ))!;
    await cp.queryOutside('DELETE FROM audit_log WHERE id = ?', [newest.id]);
    const broken = (await owner.get('/v1/audit/verify')).body;
    expect(broken).toMatchObject({ ok: false, first_broken: { id: newest.id, sequence: newest.sequence } });
  }, 120_000);
});
