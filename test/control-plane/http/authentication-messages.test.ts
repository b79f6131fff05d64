// The holder of a secret learns why it stopped working: revoked, expired, or rotated out. (Only
// the holder of that exact secret sees this; anyone else gets "unknown".)
import { ManualClock, HOUR } from '../../support/manual-clock';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';

describe('why a key is refused', () => {
  const clock = new ManualClock();
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ clock });
  });
  afterAll(() => cp.close());

  const refusal = async (secret: string) => (await api(cp.url, 'GET', '/v1/whoami', { key: secret })).body;

  test('a revoked key is told it was revoked', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = (await owner.post('/v1/keys', { json: { name: 'to-revoke', scopes: ['sites:read'] } })).body;
    await owner.delete(`/v1/keys/${key.id}`);
    expect(await refusal(key.secret)).toMatchObject({ status: 401, code: 'invalid_token', detail: expect.stringMatching(/revoked/) });
  });

  test('an expired key is told it expired', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = (await owner.post('/v1/keys', { json: { name: 'to-expire', scopes: ['sites:read'], ttl: '1h' } })).body;
    clock.advance(2 * HOUR);
    const body = await refusal(key.secret);
    expect(body).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(body.detail).toMatch(/expired/);
    expect(body.detail).not.toMatch(/revoked|unknown/);
  });

  test('a secret replaced by rotation is told so; an unknown one is only unknown', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = (await owner.post('/v1/keys', { json: { name: 'to-rotate', scopes: ['sites:read'] } })).body;
    await owner.post(`/v1/keys/${key.id}/rotate`, { json: {} });
    expect((await refusal(key.secret)).detail).toMatch(/rotated/);
  });
});
