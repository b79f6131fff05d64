/** The authenticator over the async database: cache hits stay synchronous, and a slow load never caches a stale key. */
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { mintKey } from '../../support/resource-tree';
import { ApiError } from '../../../control-plane/src/domain/errors';
import type { Authentication } from '../../../control-plane/src/services/authenticator';

describe('Authenticator', () => {
  let cp: TestControlPlane;
  beforeEach(async () => {
    cp = await startControlPlane();
  });
  afterEach(() => cp.close());

  test('a secret read once is answered from the cache without a promise; a new one is read from the database', async () => {
    const { authenticator } = cp.server.services;
    const now = new Date();
    const first = authenticator.authenticate(`Bearer ${cp.ownerKey}`, now);
    expect(first).toBeInstanceOf(Promise);
    const loaded = await first;
    const again = authenticator.authenticate(`Bearer ${cp.ownerKey}`, now);
    expect(again).not.toBeInstanceOf(Promise);
    expect((again as Authentication).caller).toEqual(loaded.caller);
  });

  test('a revocation that lands while a key is being loaded is never hidden by the cache', async () => {
    const { authenticator, keys, keyService } = cp.server.services;
    const key = await mintKey(apiClient(cp.url, cp.ownerKey), { name: 'slow-load', scopes: ['sites:read'] });
    const now = new Date();
    // Hold the load of the key's row after it was read (as a slow query on a busy database would).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const findBySecretHash = keys.findBySecretHash.bind(keys);
    const held = jest.spyOn(keys, 'findBySecretHash').mockImplementationOnce(async (...args) => {
      const found = await findBySecretHash(...args);
      await gate;
      return found;
    });
    const slow = authenticator.authenticate(`Bearer ${key.secret}`, now);
    // Meanwhile the key is revoked, and another request goes through the cache after the write.
    await keyService.revoke((await authenticator.authenticate(`Bearer ${cp.ownerKey}`, now)).caller, (await keys.findById(key.id))!, now);
    await authenticator.authenticate(`Bearer ${cp.ownerKey}`, now);
    release();
    // The held load read the key before the revocation: it may answer with what it read...
    await expect(slow).resolves.toMatchObject({ key: { id: key.id } });
    held.mockRestore();
    // ...but it must not have been kept: the next request sees the revocation.
    let refused: unknown;
    try {
      await authenticator.authenticate(`Bearer ${key.secret}`, new Date());
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).detail).toMatch(/revoked/);
  });
});
