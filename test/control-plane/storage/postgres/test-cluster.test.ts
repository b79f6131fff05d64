/**
 * The PostgreSQL test harness itself (test/support/postgres.ts): without the binaries the tests
 * that need them fail and say how to install them, and databases are fresh and separate.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, INSTALL_HINT, postgresBinDirectory } from '../../../support/postgres';

describe('PostgreSQL test cluster', () => {
  test('a machine without initdb gets a failure that names the package to install, not a skip', () => {
    const root = mkdtempSync(join(tmpdir(), 'managed-no-postgres-'));
    try {
      mkdirSync(join(root, '15', 'bin'), { recursive: true }); // a version folder without its binaries
      expect(() => postgresBinDirectory(root)).toThrow(`Install it with: ${INSTALL_HINT}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(INSTALL_HINT).toBe('apt-get install -y postgresql');
  });

  test('each test database starts empty, is separate from the others, and is gone once dropped', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    expect(first.url).not.toBe(second.url);
    const client = new Client({ connectionString: first.url });
    await client.connect();
    try {
      const tables = await client.query("SELECT count(*)::int AS count FROM information_schema.tables WHERE table_schema = 'public'");
      expect(tables.rows[0].count).toBe(0);
      await client.query('CREATE TABLE only_here (id INT)');
    } finally {
      await client.end();
    }
    const other = new Client({ connectionString: second.url });
    await other.connect();
    try {
      await expect(other.query('SELECT * FROM only_here')).rejects.toThrow(/does not exist/);
    } finally {
      await other.end();
    }
    await first.drop();
    await second.drop();
    const gone = new Client({ connectionString: first.url });
    await expect(gone.connect()).rejects.toThrow(/does not exist/);
  });
});
