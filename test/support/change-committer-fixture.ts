/**
 * What the change-committer tests share: a control plane per test, its owner as the caller, a
 * change that mints a key, and the request that commits it with an audited `key.create`.
 */
import type { Caller } from '../../control-plane/src/domain/authorization';
import type { RouteResponse } from '../../control-plane/src/http/route-definition';
import { startControlPlane, type TestControlPlane } from './control-plane';

export interface ChangeCommitterFixture {
  readonly cp: TestControlPlane;
  readonly caller: Caller;
  /** A change handler that mints a key named `name` for the caller. */
  mint(name: string): () => Promise<RouteResponse>;
  /** The change request committing it (audited as key.create, target the new key's id). */
  change(name: string): {
    caller: Caller;
    now: Date;
    sourceIp: string;
    method: string;
    body: { name: string };
    audit: { action: string; target: (response: RouteResponse) => string };
  };
}

/** Registers beforeEach/afterEach; read the fixture's fields inside tests (they change per test). */
export function useChangeCommitterFixture(): ChangeCommitterFixture {
  let cp: TestControlPlane | undefined;
  let caller: Caller | undefined;
  beforeEach(async () => {
    cp = await startControlPlane();
    caller = (await cp.server.services.authenticator.authenticate(`Bearer ${cp.ownerKey}`, new Date())).caller;
  });
  afterEach(() => cp?.close());
  const started = () => {
    if (!cp || !caller) throw new Error('the change-committer fixture is used outside a test');
    return { cp, caller };
  };
  return {
    get cp() {
      return started().cp;
    },
    get caller() {
      return started().caller;
    },
    mint: (name) => async () => {
      const { cp: controlPlane, caller: owner } = started();
      const created = await controlPlane.server.services.keyService.create(owner, { name, scopes: ['sites:read'] }, new Date());
      return { status: 201, body: created };
    },
    change: (name) => ({
      caller: started().caller,
      now: new Date(),
      sourceIp: '127.0.0.1',
      method: 'post',
      body: { name },
      audit: { action: 'key.create', target: (response: RouteResponse) => (response.body as { id: string }).id },
    }),
  };
}
