/**
 * Dashboard sessions over real HTTP: a cookie authenticates as exactly its key, never more, and
 * every attack a browser session invites is refused — a forged cross-site change (no CSRF token),
 * a weak key's session reaching further than the key, a session outliving its key, the session id
 * standing in for the key.
 */
import { startControlPlane, type TestControlPlane } from '../../../support/control-plane';
import { api, apiClient } from '../../../support/http';
import { HOUR, ManualClock } from '../../../support/manual-clock';

let controlPlane: TestControlPlane;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock();
  controlPlane = await startControlPlane({ clock, env: { MANAGED_TRUST_PROXY: '10.255.255.1' } });
});

afterEach(async () => {
  await controlPlane.close();
});

interface SignedIn {
  readonly cookie: string;
  readonly setCookie: string;
  readonly csrf: string;
  readonly body: { key_id: string; expires_at: string; csrf_token: string };
}

async function signIn(key: string, headers: Record<string, string> = {}): Promise<SignedIn> {
  const response = await api(controlPlane.url, 'POST', '/v1/sessions', { key, headers });
  expect(response.status).toBe(201);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';', 1)[0]!;
  return { cookie, setCookie, csrf: response.body.csrf_token, body: response.body };
}

/** Requests with the session cookie and, unless `csrf` is null, a CSRF token (the session's own by default). */
function withSession(session: SignedIn, csrf: string | null = session.csrf) {
  const headers = { cookie: session.cookie, ...(csrf !== null ? { 'x-csrf-token': csrf } : {}) };
  const call = (method: string) => (path: string, json?: unknown) => api(controlPlane.url, method, path, { headers, ...(json !== undefined ? { json } : {}) });
  return { get: call('GET'), post: call('POST'), patch: call('PATCH'), delete: call('DELETE') };
}

async function mintKey(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const response = await apiClient(controlPlane.url, controlPlane.ownerKey).post('/v1/keys', { json: body });
  expect(response.status).toBe(201);
  return response.body;
}

it('sets an HttpOnly, SameSite=Strict cookie, Secure only over TLS, holding a token that is not the key', async () => {
  const session = await signIn(controlPlane.ownerKey);
  expect(session.setCookie).toMatch(/^mdk_session=mds_[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  expect(session.setCookie).not.toContain('Secure');
  expect(session.cookie).not.toContain(controlPlane.ownerKey);
  expect(session.csrf).not.toBe(controlPlane.ownerKey);

  // Behind a trusted TLS-terminating proxy, the cookie is Secure.
  const viaProxy = await signIn(controlPlane.ownerKey, { 'x-forwarded-proto': 'https' });
  expect(viaProxy.setCookie).not.toContain('Secure'); // the peer (127.0.0.1) is not the trusted proxy
});

it('adds Secure when the request came over TLS through a trusted proxy', async () => {
  await controlPlane.close();
  controlPlane = await startControlPlane({ clock, env: { MANAGED_TRUST_PROXY: '127.0.0.1' } });
  const session = await signIn(controlPlane.ownerKey, { 'x-forwarded-proto': 'https' });
  expect(session.setCookie).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
});

it('authenticates as the key: same identity, and the audit entries of its changes name the key', async () => {
  const session = await signIn(controlPlane.ownerKey);
  const owner = await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/whoami');
  const me = await withSession(session).get('/v1/whoami');
  expect(me.status).toBe(200);
  expect(me.body).toEqual(owner.body);

  const created = await withSession(session).post('/v1/keys', { name: 'made-in-the-dashboard', preset: 'deploy-bot' });
  expect(created.status).toBe(201);
  const audit = await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/audit?action=key.create');
  expect(audit.body.items[0]).toMatchObject({ action: 'key.create', key_id: owner.body.key_id, target: created.body.id, outcome: 'success' });
  const opened = await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/audit?action=session.create');
  expect(opened.body.items[0]).toMatchObject({ key_id: owner.body.key_id, outcome: 'success' });
});

it('refuses a state-changing request that carries the cookie but no CSRF token, or another session’s token', async () => {
  const session = await signIn(controlPlane.ownerKey);
  const other = await signIn(controlPlane.ownerKey);
  for (const csrf of [null, '', other.csrf, session.csrf.slice(1)]) {
    const refused = await withSession(session, csrf).post('/v1/keys', { name: 'forged', preset: 'read-only' });
    expect([csrf, refused.status]).toEqual([csrf, 403]);
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'csrf_token_invalid', errors: [{ header: 'X-CSRF-Token' }] });
  }
  expect((await withSession(session, null).delete('/v1/sessions/current')).status).toBe(403);
  // Nothing was minted by the refused requests.
  const keys = await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/keys?name=forged');
  expect(keys.body.items).toEqual([]);
  // The refusals are audited under the key.
  await controlPlane.server.services.denials.flush(); // refusals are audited after their response
  const denied = await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/audit?outcome=denied');
  expect(denied.body.items.some((entry: { detail: string; key_id: string | null }) => entry.detail === 'csrf_token_invalid' && entry.key_id !== null)).toBe(
    true,
  );
});

it("gives a weak key's session no more than the key: same 403s, no escalation", async () => {
  const weak = await mintKey({ name: 'viewer-ish', scopes: ['sites:read', 'keys:read'] });
  const session = await signIn(weak.secret);
  const client = withSession(session);
  expect((await client.get('/v1/keys')).status).toBe(200);
  const mint = await client.post('/v1/keys', { name: 'escalate', scopes: ['keys:write'] });
  expect(mint.status).toBe(403);
  expect(mint.body.code).toBe('insufficient_scope');
  expect((await client.get('/v1/members')).status).toBe(403);
  expect((await client.delete(`/v1/keys/${weak.id}`)).status).toBe(403);
  const me = await client.get('/v1/whoami');
  expect(me.body.key_id).toBe(weak.id);
  expect(me.body.effective_scopes).toEqual(['keys:read', 'sites:read']);
});

it('honours the key’s IP allowlist at sign-in and on every request made with the session', async () => {
  const fenced = await mintKey({ name: 'fenced', preset: 'read-only', ip_allowlist: ['203.0.113.0/24'] });
  const refused = await api(controlPlane.url, 'POST', '/v1/sessions', { key: fenced.secret });
  expect(refused.status).toBe(403);
  expect(refused.body.code).toBe('ip_not_allowed');

  const open = await mintKey({ name: 'open', preset: 'read-only' });
  const session = await signIn(open.secret);
  expect((await withSession(session).get('/v1/whoami')).status).toBe(200);
  await apiClient(controlPlane.url, controlPlane.ownerKey).patch(`/v1/keys/${open.id}`, { json: { ip_allowlist: ['203.0.113.0/24'] } });
  const fencedNow = await withSession(session).get('/v1/whoami');
  expect(fencedNow.status).toBe(403);
  expect(fencedNow.body.code).toBe('ip_not_allowed');
});

it('shares its key’s rate limit: bearer and cookie requests drain one bucket', async () => {
  await controlPlane.close();
  controlPlane = await startControlPlane({ clock, env: { MANAGED_RATE_LIMIT_PER_KEY: '1', MANAGED_RATE_LIMIT_PER_KEY_BURST: '3' } });
  const session = await signIn(controlPlane.ownerKey); // token 1
  expect((await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/whoami')).status).toBe(200); // token 2
  expect((await withSession(session).get('/v1/whoami')).status).toBe(200); // token 3
  const limited = await withSession(session).get('/v1/whoami');
  expect(limited.status).toBe(429);
  expect((await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/whoami')).status).toBe(429);
});

it('ends the session when its key is revoked, expires, or its secret is rotated out', async () => {
  const revoked = await mintKey({ name: 'to-revoke', preset: 'read-only' });
  const revokedSession = await signIn(revoked.secret);
  await apiClient(controlPlane.url, controlPlane.ownerKey).delete(`/v1/keys/${revoked.id}`);
  expect((await withSession(revokedSession).get('/v1/whoami')).status).toBe(401);
  const row = await controlPlane.server.services.db.get<{ revoked_at: number | null }>('SELECT revoked_at FROM dashboard_sessions WHERE key_id = ?', [
    revoked.id,
  ]);
  expect(row?.revoked_at).toBe(clock.now().getTime());

  const rotated = await mintKey({ name: 'to-rotate', preset: 'read-only' });
  const rotatedSession = await signIn(rotated.secret);
  await apiClient(controlPlane.url, controlPlane.ownerKey).post(`/v1/keys/${rotated.id}/rotate`, { json: { grace_period: '1h' } });
  expect((await withSession(rotatedSession).get('/v1/whoami')).status).toBe(200);
  clock.advance(HOUR + 1);
  expect((await withSession(rotatedSession).get('/v1/whoami')).status).toBe(401);

  const shortLived = await mintKey({ name: 'short', preset: 'read-only', ttl: '2h' });
  const shortSession = await signIn(shortLived.secret);
  expect(shortSession.body.expires_at).toBe(new Date(clock.now().getTime() + 2 * HOUR).toISOString());
  clock.advance(2 * HOUR);
  expect((await withSession(shortSession).get('/v1/whoami')).status).toBe(401);
});

it('expires after 12 hours and ends on sign-out', async () => {
  const session = await signIn(controlPlane.ownerKey);
  expect(session.body.expires_at).toBe(new Date(clock.now().getTime() + 12 * HOUR).toISOString());
  const current = await withSession(session).get('/v1/sessions/current');
  expect(current.body).toEqual(session.body);
  clock.advance(12 * HOUR);
  expect((await withSession(session).get('/v1/whoami')).status).toBe(401);

  const next = await signIn(controlPlane.ownerKey);
  const out = await withSession(next).delete('/v1/sessions/current');
  expect(out.status).toBe(204);
  expect(out.headers.get('set-cookie')).toMatch(/^mdk_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/);
  expect((await withSession(next).get('/v1/whoami')).status).toBe(401);
});

it('does not accept the session token or CSRF token as an API key, nor a session to open another', async () => {
  const session = await signIn(controlPlane.ownerKey);
  const token = session.cookie.slice('mdk_session='.length);
  expect((await apiClient(controlPlane.url, token).get('/v1/whoami')).status).toBe(401);
  expect((await apiClient(controlPlane.url, session.csrf).get('/v1/whoami')).status).toBe(401);
  const again = await withSession(session).post('/v1/sessions');
  expect(again.status).toBe(400);
  expect(again.body.code).toBe('bearer_required');
  // A bearer request has no session to describe or end.
  expect((await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/sessions/current')).status).toBe(404);
  // A garbage or unknown cookie is a plain 401.
  for (const cookie of ['mdk_session=garbage', `mdk_session=mds_${'A'.repeat(43)}`]) {
    const response = await api(controlPlane.url, 'GET', '/v1/whoami', { headers: { cookie } });
    expect(response.status).toBe(401);
  }
});

it('sends the security headers on the dashboard, the API fast path and refusals alike', async () => {
  const responses = [
    await api(controlPlane.url, 'GET', '/'),
    await apiClient(controlPlane.url, controlPlane.ownerKey).get('/v1/whoami'),
    await api(controlPlane.url, 'GET', '/v1/whoami'),
    await api(controlPlane.url, 'GET', '/nowhere'),
  ];
  for (const response of responses) {
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  }
  expect(responses[0]!.status).toBe(200);
  expect(responses[0]!.contentType).toMatch(/^text\/html/);
  expect(responses[0]!.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
});
