import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { HOUR, ManualClock } from '../../support/manual-clock';

describe('Idempotency-Key on create and rotate', () => {
  let clock: ManualClock;
  let cp: TestControlPlane;
  let owner: ReturnType<typeof apiClient>;
  const body = { name: 'idem', preset: 'deploy-bot' };

  beforeEach(async () => {
    clock = new ManualClock();
    cp = await startControlPlane({ clock });
    owner = apiClient(cp.url, cp.ownerKey);
  });
  afterEach(() => cp.close());

  const countKeys = async (name: string) => (await owner.get(`/v1/keys?name=${name}&limit=100`)).body.items.length;

  test('a replay returns the same id and secret, and marks itself', async () => {
    const headers = { 'idempotency-key': 'create-1' };
    const first = await owner.post('/v1/keys', { json: body, headers });
    expect(first.status).toBe(201);
    clock.advance(23 * HOUR);
    const replay = await owner.post('/v1/keys', { json: { preset: 'deploy-bot', name: 'idem' }, headers });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.secret).toBe(first.body.secret);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/v1/keys/${first.body.id}`);
    expect(await countKeys('idem')).toBe(1);
  });

  test('the same key with a different body gets 422 and mints nothing', async () => {
    const headers = { 'idempotency-key': 'create-2' };
    expect((await owner.post('/v1/keys', { json: body, headers })).status).toBe(201);
    const different = await owner.post('/v1/keys', { json: { ...body, name: 'idem-other' }, headers });
    expect(different.status).toBe(422);
    expect(different.body.code).toBe('idempotency_key_reused');
    expect(await countKeys('idem-other')).toBe(0);
  });

  test('two concurrent requests with one key create exactly one key', async () => {
    const headers = { 'idempotency-key': 'race' };
    const responses = await Promise.all(Array.from({ length: 8 }, () => owner.post('/v1/keys', { json: body, headers })));
    // The lookup and the mint hold the write lock together: one mints, the others replay it.
    for (const response of responses) expect(response.status).toBe(201);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(await countKeys('idem')).toBe(1);
  });

  test('the key, its idempotency record and its audit entry commit together or not at all', async () => {
    // The audit append is the last step of the transaction: make it fail once.
    const audit = cp.server.services.audit;
    const failOnce = jest.spyOn(audit, 'recordInTransaction').mockImplementationOnce(async () => {
      throw new Error('disk full');
    });
    const headers = { 'idempotency-key': 'all-or-nothing' };
    const failed = await owner.post('/v1/keys', { json: body, headers });
    expect(failed.status).toBe(500);
    failOnce.mockRestore();
    expect(await countKeys('idem')).toBe(0);
    const db = cp.server.services.db;
    expect(await db.get('SELECT COUNT(*) AS n FROM idempotency_records')).toEqual({ n: 0 });

    // Nothing was left behind: the retry is a fresh request (no 409 "in flight", no replay) and mints one key.
    const retried = await owner.post('/v1/keys', { json: body, headers });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await countKeys('idem')).toBe(1);
    const entries = await db.all<{ target: string }>("SELECT target FROM audit_log WHERE action = 'key.create'");
    expect(entries.map((entry) => entry.target)).toContain(retried.body.id);
  });

  test('a replay is audited as a replay, not as a second creation', async () => {
    const headers = { 'idempotency-key': 'audited-replay' };
    const first = await owner.post('/v1/keys', { json: body, headers });
    await owner.post('/v1/keys', { json: body, headers });
    const db = cp.server.services.db;
    const rows = await db.all('SELECT action, detail FROM audit_log WHERE target = ? ORDER BY sequence', [first.body.id]);
    expect(rows).toEqual([
      { action: 'key.create', detail: expect.stringContaining('deploy-bot') },
      { action: 'idempotency.replay', detail: expect.stringContaining('nothing was changed') },
    ]);
  });

  test('validation failures are not stored: the same key works once the body is fixed', async () => {
    const headers = { 'idempotency-key': 'fix-me' };
    const invalid = await owner.post('/v1/keys', { json: { name: 'idem', scopes: ['sites:raed'] }, headers });
    expect(invalid.status).toBe(400);
    const escalation = await apiClient(cp.url, (await owner.post('/v1/keys', { json: { name: 'weak', scopes: ['keys:write'] } })).body.secret).post(
      '/v1/keys',
      { json: { name: 'idem', scopes: ['exec:raw'] }, headers },
    );
    expect(escalation.status).toBe(403);
    const fixed = await owner.post('/v1/keys', { json: body, headers });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  test('after 24 hours the key is forgotten and the same request mints a new key', async () => {
    const headers = { 'idempotency-key': 'daily' };
    const first = await owner.post('/v1/keys', { json: body, headers });
    clock.advance(24 * HOUR);
    const later = await owner.post('/v1/keys', { json: body, headers });
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
  });

  test("a narrower key of the same principal replaying another key's Idempotency-Key and body is not a replay", async () => {
    // The owner mints a powerful key; a keys:write-only key of the same principal sends the very same request.
    const powerful = { name: 'powerful', scopes: ['exec:raw', 'credentials:read'] };
    const headers = { 'idempotency-key': 'shared-between-keys' };
    const original = await owner.post('/v1/keys', { json: powerful, headers });
    expect(original.status).toBe(201);
    const narrow = apiClient(cp.url, (await owner.post('/v1/keys', { json: { name: 'narrow', scopes: ['keys:write'] } })).body.secret);

    const stolen = await narrow.post('/v1/keys', { json: powerful, headers });
    // Its own authorization applies: it may not mint exec:raw, so it gets the escalation refusal and no secret.
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe('scope_escalation');
    expect(stolen.headers.get('idempotent-replayed')).toBeNull();
    expect(stolen.text).not.toContain(original.body.secret);

    // A request the narrow key may make under the same Idempotency-Key is its own, fresh request.
    const own = await narrow.post('/v1/keys', { json: { name: 'powerful', scopes: ['keys:write'] }, headers });
    expect(own.status).toBe(201);
    expect(own.headers.get('idempotent-replayed')).toBeNull();
    expect(own.body.id).not.toBe(original.body.id);

    // The original caller still gets its own answer back, secret included.
    const replay = await owner.post('/v1/keys', { json: powerful, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.secret).toBe(original.body.secret);
  });

  test('idempotency keys are scoped per principal', async () => {
    const other = await cp.server.services.keyService.createAccountWithOwner('other', clock.now());
    const headers = { 'idempotency-key': 'shared-name' };
    const mine = await owner.post('/v1/keys', { json: body, headers });
    const theirs = await apiClient(cp.url, other.secret).post('/v1/keys', { json: body, headers });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  test('rotate replays the same new secret; a different grace period is 422', async () => {
    const created = (await owner.post('/v1/keys', { json: body })).body;
    const headers = { 'idempotency-key': 'rotate-1' };
    const first = await owner.post(`/v1/keys/${created.id}/rotate`, { json: { grace_period: '1h' }, headers });
    const replay = await owner.post(`/v1/keys/${created.id}/rotate`, { json: { grace_period: '1h' }, headers });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.body.secret).toBe(first.body.secret);
    expect((await apiClient(cp.url, first.body.secret).get('/v1/whoami')).status).toBe(200);
    const different = await owner.post(`/v1/keys/${created.id}/rotate`, { json: { grace_period: '2h' }, headers });
    expect(different.status).toBe(422);
  });

  test('a malformed Idempotency-Key is refused with 400 naming the header', async () => {
    const response = await owner.post('/v1/keys', { json: body, headers: { 'idempotency-key': 'x'.repeat(256) } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ header: 'Idempotency-Key' })]);
  });
});
