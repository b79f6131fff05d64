/**
 * The ephemeral key's Open / Renew / Close against a real control plane on a manual clock, with
 * the same clock injected as the provider's local clock: renewal is scheduled after two thirds
 * of the ttl, extends the key past its first expiry, and Close revokes it.
 */
import { Diagnostics } from '../../../../provider/src/framework';
import { ManagedApiClient } from '../../../../provider/src/managed/client/api-client';
import { ManagedContext } from '../../../../provider/src/managed/context';
import { ephemeralApiKeyResource } from '../../../../provider/src/managed/ephemeral-resources/api-key-ephemeral';
import { startControlPlane, type TestControlPlane } from '../../../support/control-plane';
import { apiClient } from '../../../support/http';
import { ManualClock, MINUTE } from '../../../support/manual-clock';

let controlPlane: TestControlPlane;
const clock = new ManualClock('2030-01-01T00:00:00.000Z');

beforeAll(async () => {
  controlPlane = await startControlPlane({ clock });
});
afterAll(() => controlPlane.close());

const config = {
  name: 'run',
  description: null,
  preset: null,
  scopes: ['sites:read'],
  team_id: null,
  project_id: null,
  site_id: null,
  ip_allowlist: null,
  ttl: '15m',
  id: null,
  secret: null,
  expires_at: null,
  effective_scopes: null,
};

function context() {
  const client = new ManagedApiClient({ endpoint: controlPlane.url, token: controlPlane.ownerKey });
  return { client: new ManagedContext(client, ''), diagnostics: new Diagnostics(), signal: new AbortController().signal };
}

it('opens a 15m key, renews it after 10m to live past its first expiry, and revokes it on close', async () => {
  const resource = ephemeralApiKeyResource({ now: () => clock.now().getTime() });
  const opened = await resource.open({ ...context(), config });
  expect(opened.result).toMatchObject({ ttl: '15m', expires_at: '2030-01-01T00:15:00.000Z', effective_scopes: ['sites:read'] });
  expect(opened.renewAt).toEqual(new Date('2030-01-01T00:10:00.000Z'));
  const user = apiClient(controlPlane.url, opened.result.secret as string);

  clock.advance(10 * MINUTE);
  const renewContext = context();
  const renewed = await resource.renew!({ ...renewContext, private: opened.private });
  expect(renewContext.diagnostics.items).toEqual([]);
  expect(renewed.renewAt).toEqual(new Date('2030-01-01T00:20:00.000Z'));
  const record = await apiClient(controlPlane.url, controlPlane.ownerKey).get(`/v1/keys/${opened.result.id as string}`);
  expect(record.body.expires_at).toBe('2030-01-01T00:25:00.000Z');

  clock.advance(10 * MINUTE); // 20 minutes after Open: the unrenewed key would be dead
  expect((await user.get('/v1/whoami')).status).toBe(200);

  await resource.close!({ ...context(), private: opened.private });
  expect((await user.get('/v1/whoami')).status).toBe(401);
});

it('a failed renewal is a diagnostic and schedules no further renewal, so the key lives out its ttl', async () => {
  const resource = ephemeralApiKeyResource({ now: () => clock.now().getTime() });
  const opened = await resource.open({ ...context(), config });
  clock.advance(16 * MINUTE);
  const renewContext = context();
  const renewed = await resource.renew!({ ...renewContext, private: opened.private });
  expect(renewed.renewAt).toBeUndefined();
  expect(renewContext.diagnostics.items[0]?.summary).toMatch(/^Could not renew ephemeral API key key_\w+: Key not active \(HTTP 409\)$/);
});
