/**
 * Lock names become PostgreSQL advisory-lock keys (storage/postgres/advisory-lock-key.ts). Replicas
 * of different versions run side by side during a rolling deploy, so the mapping may never change:
 * two versions computing different keys for `schema-migrations` would migrate at the same time.
 */
import fc from 'fast-check';
import { advisoryLockKey } from '../../../../control-plane/src/storage/postgres/advisory-lock-key';

describe('advisory lock keys', () => {
  test('are fixed for a name, whatever the process or version', () => {
    expect(advisoryLockKey('schema-migrations')).toBe('-8729549587002060312');
  });

  test('are signed 64-bit integers, and distinct names get distinct keys', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const key = BigInt(advisoryLockKey(a));
        expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
        if (a !== b) expect(advisoryLockKey(a)).not.toBe(advisoryLockKey(b));
      }),
    );
  });
});
