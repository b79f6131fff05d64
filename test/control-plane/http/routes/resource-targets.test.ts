/** Site targets: a cache hit resolves without a promise, and a changed site never resolves to what it was. */
import { startControlPlane, TestControlPlane } from '../../../support/control-plane';
import { apiClient } from '../../../support/http';
import { seedBranch } from '../../../support/resource-tree';
import { resolveSite } from '../../../../control-plane/src/http/routes/resource-targets';

describe('resolveSite', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp.close());

  test('resolves a cached site synchronously, and a renamed one afresh', async () => {
    const owner = apiClient(cp.url, cp.ownerKey);
    const { siteId } = await seedBranch(owner, 'targets');
    const input = { params: { id: siteId }, services: cp.server.services, caller: null };
    const first = resolveSite(input);
    expect(first).toBeInstanceOf(Promise);
    expect((await first)?.value.name).toBe('targets-site');
    const hit = resolveSite(input);
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toBe(await first);

    expect((await owner.patch(`/v1/sites/${siteId}`, { json: { name: 'renamed' } })).status).toBe(200);
    const afterWrite = resolveSite(input);
    expect(afterWrite).toBeInstanceOf(Promise);
    expect((await afterWrite)?.value.name).toBe('renamed');
    expect((resolveSite(input) as Awaited<typeof afterWrite>)?.value.name).toBe('renamed');

    expect(await resolveSite({ ...input, params: { id: 'site_missing' } })).toBeNull();
  });
});
