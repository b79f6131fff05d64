/** IP allowlists against the real peer (docs/guides/api.md#keys, docs/guides/api.md#authorization-one-decision, docs/guides/configuration.md): X-Forwarded-For only via MANAGED_TRUST_PROXY. */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { api, apiClient } from '../../support/http';
import { mintKey } from '../../support/resource-tree';

describe('IP allowlist', () => {
  let cp: TestControlPlane;
  afterEach(() => cp.close());

  test('127.0.0.1/32 passes, 10.0.0.0/8 is refused even with X-Forwarded-For: 10.1.1.1', async () => {
    cp = await startControlPlane();
    const owner = apiClient(cp.url, cp.ownerKey);
    const loopback = await mintKey(owner, { name: 'loopback', scopes: ['account:read'], ip_allowlist: ['127.0.0.1/32'] });
    const office = await mintKey(owner, { name: 'office', scopes: ['account:read'], ip_allowlist: ['10.0.0.0/8'] });

    expect((await api(cp.url, 'GET', '/v1/account', { key: loopback.secret })).status).toBe(200);
    for (const headers of <Array<Record<string, string>>>[
      {},
      { 'x-forwarded-for': '10.1.1.1' },
      { 'x-forwarded-for': '10.1.1.1, 10.2.2.2' },
      { forwarded: 'for=10.1.1.1' },
    ]) {
      const refused = await api(cp.url, 'GET', '/v1/account', { key: office.secret, headers });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('ip_not_allowed');
      expect(refused.contentType).toContain('application/problem+json');
    }
    // Refused before the target is looked at: no existence leaks to the wrong network.
    const hidden = await api(cp.url, 'GET', '/v1/sites/site_doesnotexist', { key: office.secret });
    expect(hidden.status).toBe(403);
    // last_used records the real peer, and only for admitted requests.
    await cp.server.services.lastUsed.flush();
    expect((await owner.get(`/v1/keys/${loopback.id}`)).body.last_used_ip).toBe('127.0.0.1');
    expect((await owner.get(`/v1/keys/${office.id}`)).body.last_used_at).toBeNull();
  });

  test('X-Forwarded-For counts when MANAGED_TRUST_PROXY names the proxy', async () => {
    cp = await startControlPlane({ env: { MANAGED_TRUST_PROXY: '127.0.0.1' } });
    const owner = apiClient(cp.url, cp.ownerKey);
    const office = await mintKey(owner, { name: 'office', scopes: ['account:read'], ip_allowlist: ['10.0.0.0/8'] });
    const loopback = await mintKey(owner, { name: 'loopback', scopes: ['account:read'], ip_allowlist: ['127.0.0.1/32'] });
    expect((await api(cp.url, 'GET', '/v1/account', { key: office.secret, headers: { 'x-forwarded-for': '10.1.1.1' } })).status).toBe(200);
    expect((await api(cp.url, 'GET', '/v1/account', { key: office.secret })).status).toBe(403);
    expect((await api(cp.url, 'GET', '/v1/account', { key: loopback.secret, headers: { 'x-forwarded-for': '10.1.1.1' } })).status).toBe(403);
    // A client-supplied hop in front of the trusted proxy's own entry is not believed beyond the proxy.
    expect((await api(cp.url, 'GET', '/v1/account', { key: office.secret, headers: { 'x-forwarded-for': '10.9.9.9, 192.0.2.1' } })).status).toBe(403);
  });

  test('IPv6 loopback: ::1/128 passes from ::1, an IPv4 allowlist does not', async () => {
    cp = await startControlPlane({ host: '::1' });
    const owner = apiClient(cp.url, cp.ownerKey);
    const v6 = await mintKey(owner, { name: 'v6', scopes: ['account:read'], ip_allowlist: ['::1/128'] });
    const v4 = await mintKey(owner, { name: 'v4', scopes: ['account:read'], ip_allowlist: ['127.0.0.1/32'] });
    const both = await mintKey(owner, { name: 'both', scopes: ['account:read'], ip_allowlist: ['127.0.0.1/32', '::1/128'] });
    expect(cp.url).toContain('[::1]');
    expect((await api(cp.url, 'GET', '/v1/account', { key: v6.secret })).status).toBe(200);
    expect((await api(cp.url, 'GET', '/v1/account', { key: both.secret })).status).toBe(200);
    expect((await api(cp.url, 'GET', '/v1/account', { key: v4.secret })).status).toBe(403);
  });
});
