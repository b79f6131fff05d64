/**
 * Every process on one database must key secrets with the same pepper; one that does not starts
 * fine and then answers "The key is unknown" to every key, which behind a load balancer looks like
 * 1/N of requests failing and gets blamed on the key. So the database keeps a check value: the
 * HMAC-SHA256 of a fixed label under the pepper. It reveals nothing that helps guess the pepper
 * (finding one from it means guessing a 32+ character secret against HMAC, exactly as with any
 * stored secret digest) and lets a start compare its pepper before it serves anything.
 *
 * The first start writes it under a lock (replicas starting together agree on one); a database
 * from before this check gets it from its next start. Both engines keep it: on SQLite the pepper
 * file sits beside the database, but MANAGED_PEPPER overrides that file, and setting it later (or
 * copying a database without its pepper file) breaks every key just the same.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SqlDatabase } from './sql-database';

export const PEPPER_CHECK_SETTING = 'pepper_check';
const PEPPER_CHECK_LABEL = 'managed.dev pepper check v1';

export function pepperCheckValue(pepper: Buffer): string {
  return createHmac('sha256', pepper).update(PEPPER_CHECK_LABEL).digest('base64url');
}

export const PEPPER_MISMATCH_MESSAGE =
  "MANAGED_PEPPER differs from the pepper this database was set up with: this process would refuse every key. Give every replica the same MANAGED_PEPPER (on SQLite: the data directory's pepper file, or the MANAGED_PEPPER it was first started with)";

/** Records the pepper's check value on the first start; throws PEPPER_MISMATCH_MESSAGE when it differs. */
export async function verifyPepper(db: SqlDatabase, pepper: Buffer): Promise<void> {
  const expected = pepperCheckValue(pepper);
  await db.transaction(async () => {
    await db.lock(PEPPER_CHECK_SETTING);
    const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [PEPPER_CHECK_SETTING]);
    if (!row) {
      await db.run('INSERT INTO settings (name, value) VALUES (?, ?)', [PEPPER_CHECK_SETTING, expected]);
      return;
    }
    const stored = Buffer.from(row.value);
    const given = Buffer.from(expected);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) throw new Error(PEPPER_MISMATCH_MESSAGE);
  });
}
