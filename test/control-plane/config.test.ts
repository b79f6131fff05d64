/**
 * The database settings (control-plane/src/config.ts): MANAGED_DATABASE_URL selects PostgreSQL,
 * and then MANAGED_PEPPER is required, since replicas share no pepper file and the pepper never
 * goes into the database.
 */
import { configFromEnvironment, DEFAULT_DATABASE_POOL_SIZE, describeDatabaseUrl } from '../../control-plane/src/config';

const PEPPER = 'a-pepper-of-32-characters-or-more';

describe('database settings', () => {
  test('without MANAGED_DATABASE_URL the store is SQLite in the data directory, and the pepper may come from its file', () => {
    const config = configFromEnvironment({ MANAGED_DATA_DIR: '/tmp/x' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.pepper).toBeUndefined();
    expect(config.databasePoolSize).toBe(DEFAULT_DATABASE_POOL_SIZE);
  });

  test('postgres:// and postgresql:// URLs select PostgreSQL, with the pool size given', () => {
    for (const url of ['postgres://managed:secret@db.internal:5432/managed', 'postgresql:///managed?host=/var/run/postgresql']) {
      const config = configFromEnvironment({ MANAGED_DATABASE_URL: url, MANAGED_PEPPER: PEPPER, MANAGED_DATABASE_POOL_SIZE: '25' });
      expect(config).toMatchObject({ databaseUrl: url, pepper: PEPPER, databasePoolSize: 25 });
    }
  });

  test('with MANAGED_DATABASE_URL, a missing or short MANAGED_PEPPER stops the start and says which setting', () => {
    const url = 'postgres://managed@127.0.0.1/managed';
    expect(() => configFromEnvironment({ MANAGED_DATABASE_URL: url })).toThrow(/MANAGED_PEPPER is required with MANAGED_DATABASE_URL/);
    expect(() => configFromEnvironment({ MANAGED_DATABASE_URL: url, MANAGED_PEPPER: '' })).toThrow(/MANAGED_PEPPER is required/);
    expect(() => configFromEnvironment({ MANAGED_DATABASE_URL: url, MANAGED_PEPPER: 'short' })).toThrow(/MANAGED_PEPPER must be at least 32 characters/);
  });

  test('a malformed MANAGED_DATABASE_URL is refused without repeating it (it may hold a password)', () => {
    for (const bad of ['not a url', 'mysql://root:hunter2-password@db/managed', 'http://user:hunter2-password@db/']) {
      let message = '';
      try {
        configFromEnvironment({ MANAGED_DATABASE_URL: bad, MANAGED_PEPPER: PEPPER });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^MANAGED_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
      expect(message).not.toContain('hunter2');
    }
  });

  test('a pepper of only whitespace or of too few different characters is refused, however long', () => {
    const url = 'postgres://managed@127.0.0.1/managed';
    expect(() => configFromEnvironment({ MANAGED_DATABASE_URL: url, MANAGED_PEPPER: ' '.repeat(32) })).toThrow(/MANAGED_PEPPER must not be only whitespace/);
    expect(() => configFromEnvironment({ MANAGED_DATABASE_URL: url, MANAGED_PEPPER: '\t \n'.repeat(20) })).toThrow(
      /MANAGED_PEPPER must not be only whitespace/,
    );
    for (const weak of ['p'.repeat(40), 'ab'.repeat(20), 'abcdefg'.repeat(6)]) {
      expect(() => configFromEnvironment({ MANAGED_DATABASE_URL: url, MANAGED_PEPPER: weak })).toThrow(
        /MANAGED_PEPPER must use at least 8 different characters/,
      );
    }
    expect(configFromEnvironment({ MANAGED_DATABASE_URL: url, MANAGED_PEPPER: 'abcdefgh'.repeat(4) }).pepper).toBe('abcdefgh'.repeat(4));
  });

  test('a MANAGED_DATABASE_URL without a host (one slash, no slash) or without a database name is refused, without the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['postgres:/db.internal/managed', /names no host/],
      ['postgresql:db.internal/managed', /names no host/],
      ['postgres:///managed', /names no host/],
      ['postgres://operator:hunter2-password@db.internal:5432', /names no database/],
      ['postgres://operator:hunter2-password@db.internal:5432/', /names no database/],
    ];
    for (const [bad, reason] of cases) {
      let message = '';
      try {
        configFromEnvironment({ MANAGED_DATABASE_URL: bad, MANAGED_PEPPER: PEPPER });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^MANAGED_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL with a host and a database name/);
      expect(message).toMatch(reason);
      expect(message).not.toContain('hunter2');
    }
  });

  test('messages name a database as host:port/database, never its user or password', () => {
    expect(describeDatabaseUrl('postgres://operator:hunter2@db.internal:6432/managed?sslmode=require')).toBe('db.internal:6432/managed');
    expect(describeDatabaseUrl('postgresql://db.internal/managed')).toBe('db.internal:5432/managed');
  });

  test('MANAGED_DATABASE_POOL_SIZE must be a whole number of at least 1', () => {
    for (const bad of ['0', '-1', '2.5', 'ten', '99999']) {
      expect(() => configFromEnvironment({ MANAGED_DATABASE_POOL_SIZE: bad })).toThrow(/MANAGED_DATABASE_POOL_SIZE must be a whole number/);
    }
  });
});
