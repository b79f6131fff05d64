// A mistake in a URL or a body is never silently ignored, and the answer names the fix.
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';

describe('unknown query parameters, filter values and presets', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  test('?limt=3 is a 400 that suggests "limit"', async () => {
    const response = await apiClient(cp.url, cp.ownerKey).get('/v1/keys?limt=3');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors).toEqual([
      expect.objectContaining({ parameter: 'limt', suggestion: 'limit', detail: expect.stringContaining('did you mean "limit"') }),
    ]);
  });

  test('a route that takes no query parameters refuses any, on the fast path too', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const key = (await owner.post('/v1/keys', { json: { name: 'queried', scopes: ['sites:read'] } })).body;
    for (const path of ['/v1/whoami?verbose=1', '/v1/scopes?x=1', '/healthz?probe=1', `/v1/keys/${key.id}?expand=all`]) {
      const response = await owner.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.body.errors[0]).toMatchObject({ parameter: path.split('?')[1]!.split('=')[0], detail: expect.stringContaining('takes none') });
    }
  });

  test('?action=key.revoek on the audit log is a 400 suggesting key.revoke, not an empty page', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const response = await owner.get('/v1/audit?action=key.revoek');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ parameter: 'action', suggestion: 'key.revoke' })]);
    expect((await owner.get('/v1/audit?action=key.revoke')).status).toBe(200);
    expect((await owner.get(`/v1/audit?action=${encodeURIComponent('GET /v1/whoami')}`)).status).toBe(200);
    const outcome = await owner.get('/v1/audit?outcome=denid');
    expect(outcome.status).toBe(400);
    expect(outcome.body.errors[0].detail).toContain('"success", "denied"');
  });

  test('an unknown preset names the nearest one in `suggestion`', async () => {
    const response = await api(cp.url, 'POST', '/v1/keys', { key: cp.ownerKey, json: { name: 'typo', preset: 'deploy-bto' } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ pointer: '/preset', suggestion: 'deploy-bot' })]);
  });
});
