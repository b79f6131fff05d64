import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { HOUR, ManualClock } from '../../support/manual-clock';
import { idempotencyKeyDigest, requestFingerprint } from '../../../control-plane/src/domain/idempotency';

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
    const created = responses.filter((r) => r.status === 201);
    for (const response of responses) expect([201, 409]).toContain(response.status);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(await countKeys('idem')).toBe(1);
  });

  test('while the first request is in flight a second gets 409', async () => {
    // Another process holds the key: its in-flight record is already in the shared database.
    const services = cp.server.services;
    const path = '/v1/keys';
    services.idempotencyRecords.claim(
      cp.ownerPrincipalId,
      idempotencyKeyDigest(services.pepper, cp.ownerPrincipalId, 'busy'),
      requestFingerprint('post', path, body),
      clock.now().getTime(),
      () => false,
    );
    const second = await owner.post(path, { json: body, headers: { 'idempotency-key': 'busy' } });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('idempotency_in_flight');
    expect(await countKeys('idem')).toBe(0);
    // An in-flight record abandoned by a crashed process is taken over after a minute.
    clock.advance(61_000);
    expect((await owner.post(path, { json: body, headers: { 'idempotency-key': 'busy' } })).status).toBe(201);
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
