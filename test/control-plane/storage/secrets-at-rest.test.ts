import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startControlPlane, TestControlPlane } from '../../support/control-plane';
import { apiClient } from '../../support/http';
import { hashSecret } from '../../../control-plane/src/domain/secret-hash';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

describe('secrets at rest', () => {
  let cp: TestControlPlane;
  afterEach(() => cp.close());

  test('after minting (with and without Idempotency-Key) and rotating, no secret appears in any file of the data directory', async () => {
    cp = await startControlPlane();
    const owner = apiClient(cp.url, cp.ownerKey);
    const plain = await owner.post('/v1/keys', { json: { name: 'plain', scopes: ['sites:read'] } });
    const idempotent = await owner.post('/v1/keys', { json: { name: 'idem', preset: 'deploy-bot' }, headers: { 'idempotency-key': 'k1' } });
    const rotated = await owner.post(`/v1/keys/${plain.body.id}/rotate`, { json: { grace_period: '1h' }, headers: { 'idempotency-key': 'k2' } });
    const secrets: string[] = [plain.body.secret, idempotent.body.secret, rotated.body.secret];
    expect(secrets.every((s) => typeof s === 'string' && s.startsWith('mdk_'))).toBe(true);

    const files = filesUnder(cp.dataDir);
    expect(files.map((f) => f.slice(cp.dataDir.length + 1)).sort()).toEqual(
      expect.arrayContaining(['managed.sqlite', 'managed.sqlite-wal', 'pepper', 'bootstrap-owner-key']),
    );
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of secrets) {
        expect({ file, found: bytes.includes(Buffer.from(secret, 'latin1')) }).toEqual({ file, found: false });
        // Nor the random part alone, nor the UTF-16 form SQLite could use for text.
        expect(bytes.includes(Buffer.from(secret.slice(4, 44), 'latin1'))).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
      }
    }
    // Only the HMAC is there.
    const db = new Database(cp.databasePath, { readonly: true });
    try {
      const stored = db.prepare('SELECT secret_hash FROM key_secrets WHERE key_id = ?').all(idempotent.body.id) as Array<{ secret_hash: Buffer }>;
      expect(stored).toHaveLength(1);
      expect(stored[0]!.secret_hash.equals(hashSecret(cp.server.services.pepper, idempotent.body.secret))).toBe(true);
    } finally {
      db.close();
    }
  });

  test('the pepper file and the bootstrap key file are mode 0600, and the pepper is not in the database', async () => {
    cp = await startControlPlane();
    expect(statSync(join(cp.dataDir, 'pepper')).mode & 0o777).toBe(0o600);
    expect(statSync(join(cp.dataDir, 'bootstrap-owner-key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cp.dataDir, 'bootstrap-owner-key'), 'utf8').trim()).toBe(cp.ownerKey);
    const pepper = readFileSync(join(cp.dataDir, 'pepper'), 'utf8').trim();
    for (const file of ['managed.sqlite', 'managed.sqlite-wal']) {
      expect(readFileSync(join(cp.dataDir, file)).includes(Buffer.from(pepper))).toBe(false);
    }
  });

  test('MANAGED_PEPPER replaces the pepper file; a short one is refused at start', async () => {
    const pepper = 'a-pepper-from-the-environment-0123456789';
    cp = await startControlPlane({ env: { MANAGED_PEPPER: pepper } });
    expect(readdirSync(cp.dataDir)).not.toContain('pepper');
    expect(cp.server.services.pepper.toString()).toBe(pepper);
    await expect(startControlPlane({ env: { MANAGED_PEPPER: 'short' } })).rejects.toThrow(/MANAGED_PEPPER/);
  });
});
